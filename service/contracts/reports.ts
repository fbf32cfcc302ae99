import { z } from 'zod'
import { $Id, $IsoDate } from './common.js'

export const $ReportAgeGroup = z.enum(['child', 'adolescent', 'adult'])

export const $OutcomeCell = z.object({
  persons: z.number().int().nullable(),
  families: z.number().int().nullable(),
  collateralRaters: z.number().int().nullable(),
  meanIntakeOutcome: z.number().nullable(),
  meanIntakeAlliance: z.number().nullable(),
  meanSessions: z.number().nullable(),
  meanDaysInService: z.number().nullable(),
  recoveredPct: z.number().nullable(),
  improvedPct: z.number().nullable(),
  noReliableChangePct: z.number().nullable(),
  deterioratedPct: z.number().nullable(),
  dropoutPct: z.number().nullable(),
  effectSize: z.number().nullable(),
  suppressed: z
    .boolean()
    .describe(
      'fewer than 5 persons, or a neighbouring answer would give fewer than 5 persons away by subtraction: every number is null so no one can be recognised',
    ),
})

export const $OutcomeReport = z.object({
  from: $IsoDate,
  to: $IsoDate,
  groups: z.array($OutcomeCell.extend({ ageGroup: $ReportAgeGroup })),
  all: $OutcomeCell,
})
export type OutcomeReport = z.infer<typeof $OutcomeReport>

export const $OutcomeReportQuery = z.strictObject({
  from: $IsoDate.optional().describe("default: the twelve calendar months ending with `to`'s month; widened to the first of its month"),
  to: $IsoDate.optional().describe('default: today in the municipality; widened to the last day of its month'),
  coordinatorId: $Id.optional(),
  ageGroup: $ReportAgeGroup.optional(),
})
