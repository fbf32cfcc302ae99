import { z } from 'zod'
import { $Id, $Instant, $IsoDate, $PageQuery, $Rater, $SessionKind, scoreWithin } from './common.js'

export const $InstrumentOverride = z.strictObject({ reason: z.string().trim().min(1).max(500) })

/** Items are 0.0–10.0; the total alone (0.0–40.0 for four items) is for scores re-keyed from paper. */
export const $CreateRating = z
  .strictObject({
    memberId: $Id,
    instrument: z.string().min(1).max(32),
    rater: $Rater,
    raterMemberId: $Id.nullable().optional(),
    items: z.array(scoreWithin(10)).min(1).max(10).optional(),
    total: scoreWithin(100).optional(),
    instrumentOverride: $InstrumentOverride.optional(),
  })
  .superRefine((r, ctx) => {
    if ((r.items === undefined) === (r.total === undefined)) {
      ctx.addIssue({ code: 'custom', path: r.items === undefined ? ['items'] : ['total'], message: 'give exactly one of items or total' })
    }
  })
export type CreateRating = z.infer<typeof $CreateRating>

export const $Rating = z.object({
  id: $Id,
  sessionId: $Id,
  memberId: $Id,
  instrument: z.string(),
  rater: $Rater,
  raterMemberId: $Id.nullable(),
  items: z.array(z.number()).nullable(),
  total: z.number(),
  instrumentOverride: z.object({ reason: z.string() }).nullable(),
  createdAt: $Instant,
})
export type Rating = z.infer<typeof $Rating>

export const $CreateSession = z.strictObject({
  heldOn: $IsoDate,
  kind: $SessionKind,
  note: z.string().max(2000).optional(),
  ratings: z.array($CreateRating).max(60).default([]),
})
export type CreateSession = z.infer<typeof $CreateSession>

export const $UpdateSession = z
  .strictObject({ heldOn: $IsoDate.optional(), kind: $SessionKind.optional(), note: z.string().max(2000).nullable().optional() })
  .refine((v) => Object.keys(v).length > 0, { message: 'name at least one field to change' })
export type UpdateSession = z.infer<typeof $UpdateSession>

export const $Session = z.object({
  id: $Id,
  familyId: $Id,
  heldOn: $IsoDate,
  kind: $SessionKind,
  note: z.string().nullable(),
  ratings: z.array($Rating),
  createdAt: $Instant,
})
export type Session = z.infer<typeof $Session>

export const $SessionParams = z.strictObject({ sessionId: $Id })
export const $RatingParams = z.strictObject({ sessionId: $Id, ratingId: $Id })
export const $ListSessionsQuery = $PageQuery
