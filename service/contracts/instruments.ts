import { z } from 'zod'
import { $AgeGroup, $InstrumentKind, $Lang } from './common.js'

export const $Thresholds = z.object({
  cutoffs: z.partialRecord($AgeGroup, z.number().nullable()),
  reliableChange: z.number().nullable(),
  allianceDrop: z.number(),
  noChangeSessions: z.array(z.number().int()),
})
export type Thresholds = z.infer<typeof $Thresholds>

export const $Instrument = z.object({
  code: z.string(),
  version: z.string(),
  name: z.string(),
  kind: $InstrumentKind,
  minAge: z.number().int(),
  maxAge: z.number().int().nullable(),
  givenAt: z.enum(['start', 'end']),
  items: z.array(z.object({ key: z.string(), label: z.string() })),
  itemMax: z.number(),
  totalMax: z.number(),
  psychometric: z.boolean().describe('false for the young-child forms: logged and shown, never a status or a flag'),
  licensedWording: z.boolean(),
  thresholds: $Thresholds.describe('the thresholds in force for the caller’s municipality, in points'),
})
export type Instrument = z.infer<typeof $Instrument>

export const $InstrumentsQuery = z.strictObject({ lang: $Lang.default('nb') })
