import { z } from 'zod'
import { $Id, $Instant } from './common.js'

const $Ttl = z.number().int().min(1).max(900).default(600).describe('seconds, 1–900 (default 600)')

export const $CreateEmbedToken = z.discriminatedUnion('role', [
  z.strictObject({ role: z.literal('coordinator'), coordinatorId: $Id, ttlSeconds: $Ttl }),
  z
    .strictObject({
      role: z.literal('family'),
      familyId: $Id,
      memberId: $Id.optional(),
      scopes: z.array(z.literal('self-report')).max(1).optional(),
      sessionId: $Id.optional(),
      ttlSeconds: $Ttl,
    })
    .superRefine((v, ctx) => {
      const selfReport = v.scopes?.includes('self-report') ?? false
      if (selfReport && !v.sessionId) ctx.addIssue({ code: 'custom', path: ['sessionId'], message: "sessionId is required with the 'self-report' scope" })
      if (!selfReport && v.sessionId) ctx.addIssue({ code: 'custom', path: ['sessionId'], message: "sessionId is only allowed with the 'self-report' scope" })
    }),
])
export type CreateEmbedToken = z.infer<typeof $CreateEmbedToken>

export const $EmbedToken = z.object({ token: z.string(), expiresAt: $Instant })
