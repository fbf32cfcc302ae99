import { z } from 'zod'
import { $Id, $Instant } from './common.js'

export const $Coordinator = z.object({
  id: $Id,
  externalRef: z.string(),
  displayName: z.string(),
  active: z.boolean(),
  createdAt: $Instant,
})
export type Coordinator = z.infer<typeof $Coordinator>

export const $CreateCoordinator = z.strictObject({
  externalRef: z.string().trim().min(1).max(200),
  displayName: z.string().trim().min(1).max(200),
  active: z.boolean().default(true),
})
export type CreateCoordinator = z.infer<typeof $CreateCoordinator>

export const $UpdateCoordinator = z
  .strictObject({
    externalRef: z.string().trim().min(1).max(200).optional(),
    displayName: z.string().trim().min(1).max(200).optional(),
    active: z.boolean().optional(),
  })
  .refine((v) => Object.keys(v).length > 0, { message: 'name at least one field to change' })
export type UpdateCoordinator = z.infer<typeof $UpdateCoordinator>
