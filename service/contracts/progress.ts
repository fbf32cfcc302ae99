import { z } from 'zod'
import { $AgeGroup, $FlagCode, $Id, $InstrumentKind, $IsoDate, $MemberRole, $Rater, $SeriesStatus, $Severity } from './common.js'

export const $Flag = z.object({
  code: $FlagCode,
  severity: $Severity,
  sessionNumber: z.number().int().nullable(),
  sessionId: $Id.nullable(),
  heldOn: $IsoDate.nullable(),
  detail: z.record(z.string(), z.unknown()),
})
export type Flag = z.infer<typeof $Flag>

/** A flag in the family-level list: who it is about (memberId null for family flags such as overdue). */
export const $FamilyFlag = $Flag.extend({
  memberId: $Id.nullable(),
  instrument: z.string().nullable(),
  rater: $Rater.nullable(),
})
export type FamilyFlag = z.infer<typeof $FamilyFlag>

export const $Point = z.object({
  sessionId: $Id,
  sessionNumber: z.number().int().min(1),
  heldOn: $IsoDate,
  total: z.number(),
  items: z.array(z.number()).nullable(),
})
export type Point = z.infer<typeof $Point>

export const $Trend = z.object({
  slopePerSession: z.number(),
  slopePer30Days: z.number().nullable(),
  intercept: z.number(),
  r2: z.number().nullable(),
  n: z.number().int(),
})
export type Trend = z.infer<typeof $Trend>

export const $ExpectedBand = z.object({
  sessionNumbers: z.array(z.number().int()),
  p25: z.array(z.number()),
  p50: z.array(z.number()),
  p75: z.array(z.number()),
  cohortSize: z.number().int(),
})
export type ExpectedBand = z.infer<typeof $ExpectedBand>

export const $Series = z.object({
  instrument: z.string(),
  kind: $InstrumentKind,
  rater: $Rater,
  raterMemberId: $Id.nullable(),
  points: z.array($Point),
  cutoff: z.number().nullable(),
  reliableChange: z.number().nullable(),
  status: $SeriesStatus.nullable(),
  trend: $Trend.nullable(),
  expected: $ExpectedBand.nullable(),
  flags: z.array($Flag),
})
export type Series = z.infer<typeof $Series>

export const $MemberProgress = z.object({
  memberId: $Id,
  alias: z.string(),
  role: $MemberRole,
  ageGroup: $AgeGroup.nullable(),
  series: z.array($Series),
})
export type MemberProgress = z.infer<typeof $MemberProgress>

export const $Progress = z.object({
  familyId: $Id,
  members: z.array($MemberProgress),
  flags: z.array($FamilyFlag),
})
export type Progress = z.infer<typeof $Progress>

/** What a family token sees: points and trend, the cutoff as a soft reference line, nothing else. */
export const $FamilySeries = z.object({
  instrument: z.string(),
  kind: $InstrumentKind,
  rater: $Rater,
  raterMemberId: $Id.nullable(),
  points: z.array($Point),
  referenceLine: z.number().nullable(),
  trend: $Trend.nullable(),
})
export type FamilySeries = z.infer<typeof $FamilySeries>

export const $FamilyProgress = z.object({
  familyId: $Id,
  view: z.literal('family'),
  members: z.array(z.object({ memberId: $Id, alias: z.string(), role: $MemberRole, ageGroup: $AgeGroup.nullable(), series: z.array($FamilySeries) })),
})
export type FamilyProgress = z.infer<typeof $FamilyProgress>
