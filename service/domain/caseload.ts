import type { IsoDate, Severity } from '../contracts/common.js'
import type { Flag } from '../contracts/progress.js'
import { overdueFlag } from './flags.js'
import { severityAtRank, severityRank } from './severity.js'

/** What the caseload order looks at; a `CaseloadItem` of the contract fits it as it is. */
export interface CaseloadEntry {
  readonly familyId: string
  readonly severity: Severity | null
  readonly flags: readonly unknown[]
  readonly lastSessionOn: IsoDate | null
}

/**
 * Most urgent first (docs/api.md "Caseload"): highest severity (alert, warning, notice, none), then
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

/**
 * Where an entry stands in the caseload order, as the values of a list cursor: the sort keys
 * of compareCaseload (severity as its rank, the number of flags), so a page boundary holds when
 * families are added meanwhile.
 */
export type CaseloadPosition = readonly [severityRank: number, flagCount: number, lastSessionOn: IsoDate | null, familyId: string]

export function caseloadPosition(entry: CaseloadEntry): CaseloadPosition {
  return [severityRank(entry.severity), entry.flags.length, entry.lastSessionOn, entry.familyId]
}

export function caseloadEntryAt([rank, flagCount, lastSessionOn, familyId]: CaseloadPosition): CaseloadEntry {
  return { familyId, severity: severityAtRank(rank), flags: new Array(flagCount), lastSessionOn }
}

/** The entries of a page of `limit` after a position (from the start without one), of entries in caseload order. */
export function caseloadPage<T extends CaseloadEntry>(sorted: readonly T[], after: CaseloadPosition | null, limit: number): { shown: T[]; more: boolean } {
  const boundary = after && caseloadEntryAt(after)
  const start = boundary ? sorted.findIndex((entry) => compareCaseload(entry, boundary) > 0) : 0
  if (start < 0) return { shown: [], more: false }
  return { shown: sorted.slice(start, start + limit), more: start + limit < sorted.length }
}

/** No session first, then the oldest last session (ISO dates order correctly as strings). */
function compareLastSession(a: IsoDate | null, b: IsoDate | null): number {
  if (a === b) return 0
  if (a === null) return -1
  if (b === null) return 1
  return a < b ? -1 : 1
}

/** What the caseload stores of a family: everything but `overdue`, which depends on today. */
export interface StoredStanding {
  readonly familyId: string
  readonly active: boolean
  readonly startedOn: IsoDate
  readonly lastSessionOn: IsoDate | null
  readonly lastSessionId: string | null
  /** Highest severity and number of the series' flags. */
  readonly severity: Severity | null
  readonly flagCount: number
}

/**
 * A family's place in the caseload today: its stored series flags plus `overdue` (the same
 * rule as the progress payload), as a sortable entry. The flags themselves are read only for
 * the page shown, so `flags` holds their count here.
 */
export function caseloadStanding(stored: StoredStanding, today: IsoDate, overdueDays: number): CaseloadEntry & { readonly overdue: Flag | null } {
  const overdue = overdueFlag({
    today,
    familyStatus: stored.active ? 'active' : 'ended',
    startedOn: stored.startedOn,
    lastSession: stored.lastSessionId === null || stored.lastSessionOn === null ? null : { id: stored.lastSessionId, heldOn: stored.lastSessionOn },
    overdueDays,
  })
  const severity = overdue && severityRank(overdue.severity) > severityRank(stored.severity) ? overdue.severity : stored.severity
  return { familyId: stored.familyId, severity, flags: new Array(stored.flagCount + (overdue ? 1 : 0)), lastSessionOn: stored.lastSessionOn, overdue }
}
