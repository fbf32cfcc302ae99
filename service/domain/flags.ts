import type { FamilyStatus, FlagCode, IsoDate } from '../contracts/common.js'
import type { ExpectedBand, Flag } from '../contracts/progress.js'
import { daysBetween } from './calendar.js'
import { bandAt } from './expected-band.js'
import { isPsychometricAlliance, isPsychometricOutcome, type InstrumentDef } from './instruments.js'
import { FLAG_SEVERITY } from './severity.js'

/**
 * Flags describe a series now: each is evaluated at the latest point (docs/rules.md "Flags").
 * Scores in `detail` are tenths, like every score in the domain; the API edge converts the keys
 * listed in SCORE_DETAIL_KEYS to points.
 */

type NoChangeDetail = {
  /** The number of conversations this prompt is for (3, 6 or 10 by default). */
  sessions: number
  intake: number
  latest: number
  change: number
  reliableChange: number
}
type DeteriorationDetail = { intake: number; latest: number; change: number; reliableChange: number }
type SuddenDropDetail = {
  previous: number
  latest: number
  drop: number
  reliableChange: number
  previousSessionNumber: number
}
type BelowExpectedDetail = { latest: number; p25: number; p50: number; cohortSize: number }
type AllianceLowDetail = { latest: number; cutoff: number }
type AllianceDropDetail = {
  previous: number
  latest: number
  drop: number
  allianceDrop: number
  previousSessionNumber: number
}
type OverdueDetail = {
  /** The date counted from: the last conversation, or the family's start when there is none. */
  since: IsoDate
  lastSessionOn: IsoDate | null
  days: number
  overdueDays: number
}

/** The numbers behind each flag. Type aliases (not interfaces) so they fit `Flag['detail']`. */
export type FlagDetails = {
  'no-change-3': NoChangeDetail
  'no-change-6': NoChangeDetail
  'no-change-10': NoChangeDetail
  deterioration: DeteriorationDetail
  'sudden-drop': SuddenDropDetail
  'below-expected': BelowExpectedDetail
  'alliance-low': AllianceLowDetail
  'alliance-drop': AllianceDropDetail
  overdue: OverdueDetail
}

type DetailKey = { [C in FlagCode]: keyof FlagDetails[C] }[FlagCode]

/** Detail keys that hold a score (tenths inside the domain; the API edge divides them by 10). */
export const SCORE_DETAIL_KEYS = [
  'intake',
  'latest',
  'previous',
  'change',
  'drop',
  'reliableChange',
  'cutoff',
  'allianceDrop',
  'p25',
  'p50',
] as const satisfies readonly DetailKey[]

/** Detail keys that are not scores: session numbers, counts, days and dates. */
export const NON_SCORE_DETAIL_KEYS = [
  'sessions',
  'previousSessionNumber',
  'cohortSize',
  'since',
  'lastSessionOn',
  'days',
  'overdueDays',
] as const satisfies readonly DetailKey[]

// Compile-time guard: a new detail key must be classified, or the edge would show tenths as points.
type Unclassified = Exclude<DetailKey, (typeof SCORE_DETAIL_KEYS)[number] | (typeof NON_SCORE_DETAIL_KEYS)[number]>
const everyDetailKeyClassified: [Unclassified] extends [never] ? true : Unclassified = true
void everyDetailKeyClassified

/** A point as the flags need it. */
export interface FlagPoint {
  readonly sessionNumber: number
  readonly sessionId: string
  readonly heldOn: IsoDate
  readonly total: number
}

function flagAt<C extends FlagCode>(code: C, point: FlagPoint, detail: FlagDetails[C]): Flag {
  return {
    code,
    severity: FLAG_SEVERITY[code],
    sessionNumber: point.sessionNumber,
    sessionId: point.sessionId,
    heldOn: point.heldOn,
    detail,
  }
}

const NO_CHANGE_CODES = ['no-change-3', 'no-change-6', 'no-change-10'] as const

export interface SeriesFlagInput {
  readonly instrument: InstrumentDef
  /** The series' points in order. */
  readonly points: readonly FlagPoint[]
  /** The series' cutoff: the one for the person's age group at the latest point (tenths). */
  readonly cutoff: number | null
  /** The series' expected band, where one exists. */
  readonly expected: ExpectedBand | null
}

/** Every flag of one series at its latest point; none for the young-child forms. */
export function seriesFlags(input: SeriesFlagInput): Flag[] {
  if (isPsychometricOutcome(input.instrument)) return outcomeFlags(input)
  if (isPsychometricAlliance(input.instrument)) return allianceFlags(input)
  return []
}

function outcomeFlags({ instrument, points, expected }: SeriesFlagInput): Flag[] {
  const n = points.length
  // No outcome flag from a single point: there is no change to speak of yet.
  if (n < 2) return []
  const flags: Flag[] = []
  const intake = points[0].total
  const previousPoint = points[n - 2]
  const latestPoint = points[n - 1]
  const latest = latestPoint.total
  const change = latest - intake
  const reliableChange = instrument.thresholds.reliableChange

  if (reliableChange !== null) {
    if (change < reliableChange) {
      const prompt = highestNoChangePrompt(instrument.thresholds.noChangeSessions, n)
      if (prompt) {
        flags.push(flagAt(prompt.code, latestPoint, { sessions: prompt.sessions, intake, latest, change, reliableChange }))
      }
    }
    if (-change >= reliableChange) {
      flags.push(flagAt('deterioration', latestPoint, { intake, latest, change, reliableChange }))
    }
    const drop = previousPoint.total - latest
    if (drop >= reliableChange) {
      flags.push(
        flagAt('sudden-drop', latestPoint, {
          previous: previousPoint.total,
          latest,
          drop,
          reliableChange,
          previousSessionNumber: previousPoint.sessionNumber,
        }),
      )
    }
  }

  const band = expected ? bandAt(expected, latestPoint.sessionNumber) : null
  if (expected && band && latest < band.p25) {
    flags.push(flagAt('below-expected', latestPoint, { latest, p25: band.p25, p50: band.p50, cohortSize: expected.cohortSize }))
  }
  return flags
}

type NoChangePrompt = { readonly code: (typeof NO_CHANGE_CODES)[number]; readonly sessions: number }

/** Only the highest prompt reached is shown: 'no-change-6' replaces 'no-change-3'. */
function highestNoChangePrompt(noChangeSessions: readonly number[], n: number): NoChangePrompt | null {
  const tiers = [...noChangeSessions].sort((a, b) => a - b).slice(0, NO_CHANGE_CODES.length)
  for (let index = tiers.length - 1; index >= 0; index--) {
    if (n >= tiers[index]) return { code: NO_CHANGE_CODES[index], sessions: tiers[index] }
  }
  return null
}

function allianceFlags({ instrument, points, cutoff }: SeriesFlagInput): Flag[] {
  const n = points.length
  if (n === 0) return []
  const flags: Flag[] = []
  const latestPoint = points[n - 1]
  const latest = latestPoint.total
  // Unlike outcome, a low alliance matters from the very first conversation.
  if (cutoff !== null && latest < cutoff) {
    flags.push(flagAt('alliance-low', latestPoint, { latest, cutoff }))
  }
  if (n >= 2) {
    const previousPoint = points[n - 2]
    const drop = previousPoint.total - latest
    const allianceDrop = instrument.thresholds.allianceDrop
    if (drop >= allianceDrop) {
      flags.push(
        flagAt('alliance-drop', latestPoint, {
          previous: previousPoint.total,
          latest,
          drop,
          allianceDrop,
          previousSessionNumber: previousPoint.sessionNumber,
        }),
      )
    }
  }
  return flags
}

export interface OverdueInput {
  /** Today in the municipality's time zone. */
  readonly today: IsoDate
  readonly familyStatus: FamilyStatus
  readonly startedOn: IsoDate
  /** The family's latest conversation, whether or not anyone was rated in it. */
  readonly lastSession: { readonly id: string; readonly heldOn: IsoDate } | null
  readonly overdueDays: number
}

/**
 * `overdue`: an active family without a conversation for `overdueDays` or more. It is about the
 * family, not a series, so `sessionNumber` is null; `sessionId`/`heldOn` name the last session.
 */
export function overdueFlag({ today, familyStatus, startedOn, lastSession, overdueDays }: OverdueInput): Flag | null {
  if (familyStatus !== 'active') return null
  const since = lastSession?.heldOn ?? startedOn
  const days = daysBetween(since, today)
  if (days < overdueDays) return null
  const detail: OverdueDetail = { since, lastSessionOn: lastSession?.heldOn ?? null, days, overdueDays }
  return {
    code: 'overdue',
    severity: FLAG_SEVERITY.overdue,
    sessionNumber: null,
    sessionId: lastSession?.id ?? null,
    heldOn: lastSession?.heldOn ?? null,
    detail,
  }
}

/** The latest session by date (ties by id, so the choice is stable). */
export function lastSessionOf<S extends { readonly id: string; readonly heldOn: IsoDate }>(sessions: readonly S[]): S | null {
  let last: S | null = null
  for (const session of sessions) {
    if (last === null || session.heldOn > last.heldOn || (session.heldOn === last.heldOn && session.id > last.id)) {
      last = session
    }
  }
  return last
}
