import { z } from 'zod'
import { $Id, $IsoDate, $Page, $Severity } from './common.js'
import { $FamilyFlag } from './progress.js'

export const $CaseloadItem = z.object({
  familyId: $Id,
  externalRef: z.string(),
  coordinatorId: $Id,
  lastSessionOn: $IsoDate.nullable(),
  sessionCount: z.number().int(),
  severity: $Severity.nullable(),
  flags: z.array($FamilyFlag),
})
export type CaseloadItem = z.infer<typeof $CaseloadItem>
export const $Caseload = $Page($CaseloadItem)
export type Caseload = z.infer<typeof $Caseload>
