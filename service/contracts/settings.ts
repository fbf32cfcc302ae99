import { z } from 'zod'
import { $AgeGroup, ORIGIN_PATTERN, scoreWithin } from './common.js'

const $Origin = z.string().regex(ORIGIN_PATTERN, 'an origin is scheme://host[:port] with no path, e.g. https://fagsystem.kommune.no').max(300)

export const $ThresholdOverride = z.strictObject({
  // In points with at most one decimal, like the scores they are compared with (in tenths).
  cutoffs: z.partialRecord($AgeGroup, scoreWithin(100).nullable()).optional(),
  reliableChange: scoreWithin(100).min(0.1).nullable().optional(),
  allianceDrop: scoreWithin(100).min(0.1).optional(),
  noChangeSessions: z.array(z.number().int().min(2).max(100)).min(1).max(5).optional(),
})
export type ThresholdOverride = z.infer<typeof $ThresholdOverride>

export const $Settings = z.object({
  allowedOrigins: z.array(z.string()),
  timeZone: z.string(),
  showAllianceToFamilies: z.boolean(),
  overdueDays: z.number().int(),
  expectedBandMinSeries: z.number().int(),
  thresholds: z.record(z.string(), $ThresholdOverride.describe('overrides in points; omitted values use the instrument defaults')),
})
export type Settings = z.infer<typeof $Settings>

export const $UpdateSettings = z
  .strictObject({
    allowedOrigins: z.array($Origin).max(50).optional(),
    timeZone: z.string().min(1).max(64).optional(),
    showAllianceToFamilies: z.boolean().optional(),
    overdueDays: z.number().int().min(1).max(3650).optional(),
    expectedBandMinSeries: z.number().int().min(1).max(100000).optional(),
    thresholds: z.record(z.string().min(1).max(32), $ThresholdOverride.nullable()).optional(),
  })
  .refine((v) => Object.keys(v).length > 0, { message: 'name at least one setting to change' })
export type UpdateSettings = z.infer<typeof $UpdateSettings>
