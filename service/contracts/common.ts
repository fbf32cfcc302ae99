import { z } from 'zod'

/**
 * An ISO calendar date (2026-03-14), kept as a string end to end so no time zone can shift it.
 * Only dates that exist: 0001-01-01 to 9999-12-31 (there is no year 0000).
 */
export const $IsoDate = z.iso
  .date()
  .refine((d) => !d.startsWith('0000-'), { message: 'is not a date: there is no year 0000 (dates run from 0001-01-01 to 9999-12-31)' })
export const $Instant = z.string().describe('ISO 8601 instant, UTC')
/** Ids are compared as strings in places (token claims): accept any case, keep lower case. */
export const $Id = z.uuid().toLowerCase()

/** A UUID in its canonical text form, any case: for ids that reach no zod schema (token claims, SQL literals, CLI options). */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** A web origin as municipalities register it: scheme://host[:port], no path. */
export const ORIGIN_PATTERN = /^https?:\/\/[^/\s]+$/

/**
 * A score as the API carries it: a JSON number with at most one decimal, stored as whole tenths.
 * A number is taken when it is exactly the double nearest to some n/10 (what `4.1` parses to);
 * anything else, such as 4.00000000001, would be stored altered, so it is refused.
 */
export const scoreWithin = (max: number) =>
  z
    .number()
    .min(0)
    .max(max)
    .refine((v) => Math.round(v * 10) / 10 === v, { message: 'must have at most one decimal (a multiple of 0.1)' })

export const $MemberRole = z.enum(['adult', 'child'])
export const $AgeGroup = z.enum(['young-child', 'child', 'adolescent', 'adult'])
export const $SessionKind = z.enum(['home-visit', 'office', 'network-meeting', 'phone', 'video', 'other'])
export const $Rater = z.enum(['self', 'parent', 'caretaker', 'teacher', 'coordinator', 'other'])
export const $FamilyStatus = z.enum(['active', 'ended'])
export const $Ending = z.enum(['planned', 'unilateral', 'moved', 'other'])
export const $SeriesStatus = z.enum(['recovered', 'improved', 'no-reliable-change', 'deteriorated', 'not-enough-data'])
export const $Severity = z.enum(['notice', 'warning', 'alert'])
export const $FlagCode = z.enum([
  'no-change-3',
  'no-change-6',
  'no-change-10',
  'deterioration',
  'sudden-drop',
  'below-expected',
  'alliance-low',
  'alliance-drop',
  'overdue',
])
export const $InstrumentKind = z.enum(['outcome', 'alliance'])
export const $Lang = z.enum(['nb', 'nn', 'en'])

export type IsoDate = z.infer<typeof $IsoDate>
export type MemberRole = z.infer<typeof $MemberRole>
export type AgeGroup = z.infer<typeof $AgeGroup>
export type SessionKind = z.infer<typeof $SessionKind>
export type Rater = z.infer<typeof $Rater>
export type FamilyStatus = z.infer<typeof $FamilyStatus>
export type Ending = z.infer<typeof $Ending>
export type SeriesStatus = z.infer<typeof $SeriesStatus>
export type Severity = z.infer<typeof $Severity>
export type FlagCode = z.infer<typeof $FlagCode>
export type InstrumentKind = z.infer<typeof $InstrumentKind>
export type Lang = z.infer<typeof $Lang>

export const $Page = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().nullable() })

export const $PageQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().min(1).max(500).optional(),
})

export const $Problem = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  instance: z.string(),
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
})
export type Problem = z.infer<typeof $Problem>
