import type { IsoDate, Severity } from '../contracts/common.js'
import { severityRank } from './severity.js'

/** What the caseload order looks at; a `CaseloadItem` of the contract fits it as it is. */
export interface CaseloadEntry {
  readonly familyId: string
  readonly severity: Severity | null
  readonly flags: readonly unknown[]
  readonly lastSessionOn: IsoDate | null
}

/**
 * Most urgent first (api.md "Caseload"): highest severity (alert, warning, notice, none), then
 * more flags, then longest since the last session, with families that have had no session yet
 * first within their tier (nobody has met them). Family id breaks remaining ties so pages are
 * stable.
 */
export function compareCaseload(a: CaseloadEntry, b: CaseloadEntry): number {
  return (
    severityRank(b.severity) - severityRank(a.severity) ||
    b.flags.length - a.flags.length ||
    compareLastSession(a.lastSessionOn, b.lastSessionOn) ||
    (a.familyId < b.familyId ? -1 : a.familyId > b.familyId ? 1 : 0)
  )
}

/** No session first, then the oldest last session (ISO dates order correctly as strings). */
function compareLastSession(a: IsoDate | null, b: IsoDate | null): number {
  if (a === b) return 0
  if (a === null) return -1
  if (b === null) return 1
  return a < b ? -1 : 1
}
