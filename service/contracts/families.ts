import { z } from 'zod'
import { $Ending, $FamilyStatus, $Id, $Instant, $IsoDate, $MemberRole, $PageQuery } from './common.js'

export const $Member = z.object({
  id: $Id,
  alias: z.string(),
  role: $MemberRole,
  birthDate: $IsoDate,
})
export type Member = z.infer<typeof $Member>

export const $CreateMember = z.strictObject({
  alias: z.string().trim().min(1).max(100).describe('A first name or nickname the family uses; never a national identity number'),
  role: $MemberRole,
  birthDate: $IsoDate,
})
export type CreateMember = z.infer<typeof $CreateMember>

export const $UpdateMember = z
  .strictObject({ alias: $CreateMember.shape.alias.optional(), role: $MemberRole.optional(), birthDate: $IsoDate.optional() })
  .refine((v) => Object.keys(v).length > 0, { message: 'name at least one field to change' })
export type UpdateMember = z.infer<typeof $UpdateMember>

export const $Family = z.object({
  id: $Id,
  externalRef: z.string(),
  coordinatorId: $Id,
  startedOn: $IsoDate,
  endedOn: $IsoDate.nullable(),
  ending: $Ending.nullable(),
  status: $FamilyStatus,
  members: z.array($Member),
  createdAt: $Instant,
})
export type Family = z.infer<typeof $Family>

export const $CreateFamily = z.strictObject({
  externalRef: z.string().trim().min(1).max(200),
  coordinatorId: $Id,
  startedOn: $IsoDate,
  members: z.array($CreateMember).max(30).default([]),
})
export type CreateFamily = z.infer<typeof $CreateFamily>

/** `endedOn` and `ending` go together; `endedOn: null, ending: null` reopens a family. */
export const $UpdateFamily = z
  .strictObject({
    coordinatorId: $Id.optional(),
    externalRef: z.string().trim().min(1).max(200).optional(),
    endedOn: $IsoDate.nullable().optional(),
    ending: $Ending.nullable().optional(),
  })
  .superRefine((v, ctx) => {
    if (Object.keys(v).length === 0) ctx.addIssue({ code: 'custom', message: 'name at least one field to change', path: [] })
    if ((v.endedOn === undefined) !== (v.ending === undefined) || (v.endedOn === null) !== (v.ending === null)) {
      ctx.addIssue({
        code: 'custom',
        message: 'endedOn and ending are given together (both dates/values, or both null)',
        path: [v.endedOn === undefined || v.endedOn === null ? 'endedOn' : 'ending'],
      })
    }
  })
export type UpdateFamily = z.infer<typeof $UpdateFamily>

export const $ListFamiliesQuery = $PageQuery.extend({
  coordinatorId: $Id.optional(),
  status: $FamilyStatus.optional(),
  externalRef: z.string().min(1).max(200).optional(),
})
export type ListFamiliesQuery = z.infer<typeof $ListFamiliesQuery>

export const $FamilyParams = z.strictObject({ familyId: $Id })
export const $MemberParams = z.strictObject({ familyId: $Id, memberId: $Id })
