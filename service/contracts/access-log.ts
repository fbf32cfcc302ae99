import { z } from 'zod'
import { $Id, $Instant, $PageQuery } from './common.js'

export const $AccessEvent = z.object({
  id: z.string(),
  occurredAt: $Instant,
  actorType: z.enum(['api-client', 'coordinator', 'family', 'system']),
  actorId: z.string(),
  actorName: z.string().nullable().describe("the coordinator's display name, where the actor is a coordinator"),
  role: z.string(),
  action: z.string().describe('e.g. family.read, session.create, rating.correct, progress.read'),
  resource: z.string().nullable(),
  requestId: z.string().nullable(),
})
export type AccessEvent = z.infer<typeof $AccessEvent>

export const $AccessLogQuery = $PageQuery
export const $AccessLog = z.object({ familyId: $Id, items: z.array($AccessEvent), nextCursor: z.string().nullable() })
