import type { FamilyStatus, IsoDate, MemberRole } from '../contracts/common.js'
import type { ExpectedBand, FamilyFlag, Flag, MemberProgress, Progress, Series } from '../contracts/progress.js'
import { ageOn } from './calendar.js'
import { seriesStatus } from './change-status.js'
import type { BandModelOf } from './band-models.js'
import { bandFromModel } from './expected-band.js'
import { lastSessionOf, overdueFlag, seriesFlags } from './flags.js'
import { ageGroupOf, cutoffFor, instrumentByCode, isPsychometricOutcome, type InstrumentDef } from './instruments.js'
import { buildSeries, latestPoint, type RatingFact, type SeriesFacts, type SeriesIdentity } from './series.js'
import { severityRank } from './severity.js'
import { trendOf } from './trend.js'

export interface ProgressMember {
  readonly id: string
  readonly alias: string
  readonly role: MemberRole
  readonly birthDate: IsoDate
}

export interface ProgressInput {
  /** Today in the municipality's time zone. */
  readonly today: IsoDate
  readonly family: { readonly id: string; readonly startedOn: IsoDate; readonly status: FamilyStatus }
  /**
   * The members to report on, in display order. Ratings of members not listed are left out, so
   * a caller can scope the payload to one member.
   */
  readonly members: readonly ProgressMember[]
  /** Every session of the family, rated or not (for `overdue`). */
  readonly sessions: readonly { readonly id: string; readonly heldOn: IsoDate }[]
  /** Scores in tenths. */
  readonly ratings: readonly RatingFact[]
  /** Every instrument the ratings use, in display order, with the thresholds in force. */
  readonly instruments: readonly InstrumentDef[]
  readonly settings: { readonly overdueDays: number }
  /**
   * The expected-band model of a series at its intake, with `expectedBandMinSeries` applied
   * (stored models, see band-models.ts; or `bandModelsFromReference` over a reference cohort).
   */
  readonly bandModelOf: BandModelOf
}

/**
 * The progress payload of docs/api.md ("Progress payload") with every score in tenths.
 *
 * The family-level `flags` list every member flag (with member, instrument and rater) and the
 * family's own flags, most severe first; within a severity members keep their display order.
 */
export function buildProgress(input: ProgressInput): Progress {
  const bySeries = memberSeriesOf(input)
  const members = bySeries.map(({ member, series }): MemberProgress => ({
    memberId: member.id,
    alias: member.alias,
    role: member.role,
    ageGroup: ageGroupOf(ageOn(member.birthDate, input.today)),
    series: series.map(({ progress }) => progress),
  }))
  const overdue = overdueFlag({
    today: input.today,
    familyStatus: input.family.status,
    startedOn: input.family.startedOn,
    lastSession: lastSessionOf(input.sessions),
    overdueDays: input.settings.overdueDays,
  })
  return {
    familyId: input.family.id,
    members,
    flags: familyFlagList(
      bySeries.flatMap(({ series }) => series.map(({ facts, progress }) => seriesFlagsOf(facts, progress))),
      overdue,
    ),
  }
}

/** What a series' flags are computed from, and what they need besides today. */
export type SeriesProgressInput = Pick<ProgressInput, 'members' | 'ratings' | 'instruments' | 'bandModelOf'>

/**
 * Every member's series with status, trend, band and flags (nothing here depends on today), in
 * display order: members as given, then the series order of `buildSeries`.
 */
export function memberSeriesOf(input: SeriesProgressInput): { member: ProgressMember; series: { facts: SeriesFacts; progress: Series }[] }[] {
  const memberIds = new Set(input.members.map((member) => member.id))
  const series = buildSeries(
    input.ratings.filter((rating) => memberIds.has(rating.memberId)),
    {
      memberOrder: input.members.map((member) => member.id),
      instrumentOrder: input.instruments.map((instrument) => instrument.code),
    },
  )
  return input.members.map((member) => ({
    member,
    series: series.filter((facts) => facts.memberId === member.id).map((facts) => ({ facts, progress: seriesProgress(facts, member, input) })),
  }))
}

/** A series' flags as the family lists them, with member, instrument and rater. */
export function seriesFlagsOf(identity: SeriesIdentity, series: Pick<Series, 'flags'>): FamilyFlag[] {
  // Each its own detail object, so converting scores at the edge cannot reach the series' flag twice.
  return series.flags.map((flag) => ({
    ...flag,
    detail: { ...flag.detail },
    memberId: identity.memberId,
    instrument: identity.instrument,
    rater: identity.rater,
  }))
}

/**
 * The family's flag list: every series' flags in series order, then the family's own (overdue),
 * most severe first; within a severity members and series keep their display order.
 */
export function familyFlagList(seriesFlags: readonly (readonly FamilyFlag[])[], overdue: Flag | null): FamilyFlag[] {
  const flags = seriesFlags.flat()
  if (overdue) flags.push({ ...overdue, memberId: null, instrument: null, rater: null })
  // Array.prototype.sort is stable, so equal severities keep member and series order.
  return flags.sort((a, b) => severityRank(b.severity) - severityRank(a.severity))
}

function seriesProgress(facts: SeriesFacts, member: ProgressMember, input: SeriesProgressInput): Series {
  const instrument = instrumentByCode(input.instruments, facts.instrument)
  const latest = latestPoint(facts)
  // The cutoff follows the person's age at the latest point: someone who turns 18 during an ORS
  // series is judged against the adult cutoff from then on.
  const cutoff = cutoffFor(instrument, ageGroupOf(ageOn(member.birthDate, latest.heldOn)))
  const isOutcome = isPsychometricOutcome(instrument)
  const reliableChange = isOutcome ? instrument.thresholds.reliableChange : null
  const totals = facts.points.map((point) => point.total)

  let expected: ExpectedBand | null = null
  if (isOutcome) {
    const model = input.bandModelOf(facts, totals[0])
    expected = model === null ? null : bandFromModel(totals[0], model, latest.sessionNumber)
  }

  const flags: Flag[] = seriesFlags({ instrument, points: facts.points, cutoff, expected })
  return {
    instrument: facts.instrument,
    kind: instrument.kind,
    rater: facts.rater,
    raterMemberId: facts.raterMemberId,
    points: facts.points.map((point) => ({
      sessionId: point.sessionId,
      sessionNumber: point.sessionNumber,
      heldOn: point.heldOn,
      total: point.total,
      items: point.items === null ? null : [...point.items],
    })),
    cutoff,
    reliableChange,
    status: isOutcome ? seriesStatus(totals, cutoff, reliableChange) : null,
    trend: trendOf(facts.points),
    expected,
    flags,
  }
}
