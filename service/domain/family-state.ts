import type { AgeGroup, Ending, FamilyStatus, IsoDate, Rater, SeriesStatus, Severity } from '../contracts/common.js'
import type { FamilyFlag, Trend } from '../contracts/progress.js'
import type { BandModelOf } from './band-models.js'
import { bandAt, type BandModel } from './expected-band.js'
import { lastSessionOf } from './flags.js'
import { memberSeriesOf, seriesFlagsOf, type ProgressMember } from './progress.js'
import { isUnsuccessful, primaryOutcomeOf } from './report.js'
import type { RatingFact } from './series.js'
import { severityOf } from './severity.js'
import type { InstrumentDef } from './instruments.js'

/**
 * The stored state of a family (a read model): what the caseload and the outcome report need of
 * each series and of the family, computed by the same rules as the progress payload. Nothing
 * here depends on today: `overdue` is computed when the state is read. Scores in tenths.
 *
 * Bump STATE_RULE_VERSION whenever a rule that feeds this state changes, so that stored state
 * computed under the old rules is rebuilt before the service answers.
 */
export const STATE_RULE_VERSION = 2

export interface SeriesState {
  readonly memberId: string
  readonly instrument: string
  readonly rater: Rater
  readonly raterMemberId: string | null
  /** Position in the family's display order (members, then series), for the flag list. */
  readonly position: number
  readonly points: number
  readonly intake: number
  readonly intakeOn: IsoDate
  readonly previous: number | null
  readonly previousOn: IsoDate | null
  readonly latest: number
  readonly latestOn: IsoDate
  readonly latestSessionId: string
  readonly cutoff: number | null
  readonly status: SeriesStatus | null
  readonly trend: Trend | null
  /** The expected band at the latest point, where there is one. */
  readonly band: { readonly p25: number; readonly p50: number; readonly p75: number; readonly cohortSize: number } | null
  /** The model the series' expected band comes from (at its intake), where it has one. */
  readonly bandModel: BandModel | null
  /** The series' flags at its latest point, as the family's flag list names them. */
  readonly flags: readonly FamilyFlag[]
  readonly severity: Severity | null
  /** The outcome report's fields, on the person's primary series only. */
  readonly report: {
    readonly ageGroupAtIntake: AgeGroup | null
    readonly firstAlliance: number | null
    readonly daysInService: number
    /** Neither improved nor recovered, or below the expected p50 (the dropout rule). */
    readonly unsuccessful: boolean
  } | null
}

export interface FamilyState {
  readonly familyId: string
  readonly coordinatorId: string
  readonly status: FamilyStatus
  readonly startedOn: IsoDate
  readonly ending: Ending | null
  readonly lastSessionOn: IsoDate | null
  readonly lastSessionId: string | null
  readonly sessionCount: number
  /** The highest severity among the series' flags (overdue is added when read). */
  readonly severity: Severity | null
  readonly flagCount: number
  /** Any member's primary series unsuccessful: with a unilateral ending, a dropout. */
  readonly leftBehind: boolean
}

export interface FamilyStateInput {
  readonly family: {
    readonly id: string
    readonly coordinatorId: string
    readonly startedOn: IsoDate
    readonly endedOn: IsoDate | null
    readonly ending: Ending | null
  }
  /** Every member, in display order. */
  readonly members: readonly ProgressMember[]
  readonly sessions: readonly { readonly id: string; readonly heldOn: IsoDate }[]
  readonly ratings: readonly RatingFact[]
  readonly instruments: readonly InstrumentDef[]
  readonly bandModelOf: BandModelOf
}

export function familyState(input: FamilyStateInput): { family: FamilyState; series: SeriesState[] } {
  const members = memberSeriesOf(input)
  const series: SeriesState[] = []
  let leftBehind = false
  for (const { member, series: memberSeries } of members) {
    const primary = primaryOutcomeOf(
      { birthDate: member.birthDate, series: memberSeries.map(({ facts }) => facts) },
      { startedOn: input.family.startedOn },
      input.instruments,
    )
    const unsuccessful = primary !== null && isUnsuccessful(primary, input.bandModelOf)
    if (unsuccessful) leftBehind = true
    for (const { facts, progress } of memberSeries) {
      const n = facts.points.length
      const latest = facts.points[n - 1]
      const previous = n >= 2 ? facts.points[n - 2] : null
      const band = progress.expected ? bandAt(progress.expected, latest.sessionNumber) : null
      const flags = seriesFlagsOf(facts, progress)
      series.push({
        memberId: facts.memberId,
        instrument: facts.instrument,
        rater: facts.rater,
        raterMemberId: facts.raterMemberId,
        position: series.length,
        points: n,
        intake: facts.points[0].total,
        intakeOn: facts.points[0].heldOn,
        previous: previous?.total ?? null,
        previousOn: previous?.heldOn ?? null,
        latest: latest.total,
        latestOn: latest.heldOn,
        latestSessionId: latest.sessionId,
        cutoff: progress.cutoff,
        status: progress.status,
        trend: progress.trend,
        band: band && progress.expected ? { ...band, cohortSize: progress.expected.cohortSize } : null,
        bandModel: progress.expected ? input.bandModelOf(facts, facts.points[0].total) : null,
        flags,
        severity: severityOf(flags),
        report:
          primary && primary.primary === facts
            ? { ageGroupAtIntake: primary.ageGroup, firstAlliance: primary.firstAlliance, daysInService: primary.daysInService, unsuccessful }
            : null,
      })
    }
  }
  const last = lastSessionOf(input.sessions)
  const allFlags = series.flatMap((s) => s.flags)
  return {
    family: {
      familyId: input.family.id,
      coordinatorId: input.family.coordinatorId,
      status: input.family.endedOn === null ? 'active' : 'ended',
      startedOn: input.family.startedOn,
      ending: input.family.ending,
      lastSessionOn: last?.heldOn ?? null,
      lastSessionId: last?.id ?? null,
      sessionCount: input.sessions.length,
      severity: severityOf(allFlags),
      flagCount: allFlags.length,
      leftBehind,
    },
    series,
  }
}
