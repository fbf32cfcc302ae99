import type { AgeGroup, Ending, IsoDate, Rater, SeriesStatus } from '../contracts/common.js'
import { ageOn, daysBetween } from './calendar.js'
import { seriesStatus } from './change-status.js'
import type { BandModelOf } from './band-models.js'
import { ageGroupOf, cutoffFor, instrumentByCode, isPsychometricAlliance, type InstrumentDef } from './instruments.js'
import { PRIMARY_OUTCOME_INSTRUMENTS, primarySeriesOf } from './primary-series.js'
import { comparePointOrder, latestPoint, type SeriesFacts, type SeriesPoint } from './series.js'
import { hiddenCells, MIN_CELL_PERSONS, monthOf, reportPeriod } from './report-disclosure.js'

export { complementarySuppression, defaultFrom, MIN_CELL_PERSONS, reportPeriod } from './report-disclosure.js'

/**
 * The aggregate outcome report (docs/rules.md "Aggregate outcome report"). Each person counts once,
 * by their primary series; scores and score means are tenths; percentages are 0–100 unrounded.
 * Which cells are shown is decided in report-disclosure.ts.
 */

export type ReportAgeGroup = Exclude<AgeGroup, 'young-child'>
export const REPORT_AGE_GROUPS: readonly ReportAgeGroup[] = ['child', 'adolescent', 'adult']

export interface ReportFamily {
  readonly id: string
  readonly coordinatorId: string
  readonly startedOn: IsoDate
  /** How the family ended; null while it is active. */
  readonly ending: Ending | null
}

export interface ReportMember {
  readonly id: string
  readonly familyId: string
  readonly birthDate: IsoDate
  /** Every series of the member (all instruments and raters), as `buildSeries` gives them. */
  readonly series: readonly SeriesFacts[]
}

export interface OutcomeReportInput {
  /**
   * The period, inclusive, widened to whole months: a primary series belongs to it when its
   * latest point lies in it.
   */
  readonly from: IsoDate
  readonly to: IsoDate
  /**
   * Every family of the municipality, with every member who has series: what the caller could
   * ask about, which the suppression rules weigh each answer against.
   */
  readonly families: readonly ReportFamily[]
  readonly members: readonly ReportMember[]
  /** Every instrument the series use, with the thresholds in force. */
  readonly instruments: readonly InstrumentDef[]
  /** Band models for the expected p50 in the dropout rule (with expectedBandMinSeries applied). */
  readonly bandModelOf: BandModelOf
  /** Report one age group only (`?ageGroup=`); `all` then covers that group. */
  readonly ageGroup?: ReportAgeGroup
  /** Report one coordinator's families only (`?coordinatorId=`). */
  readonly coordinatorId?: string
}

export interface OutcomeCell {
  readonly persons: number | null
  readonly families: number | null
  readonly collateralRaters: number | null
  readonly meanIntakeOutcome: number | null
  readonly meanIntakeAlliance: number | null
  readonly meanSessions: number | null
  readonly meanDaysInService: number | null
  readonly recoveredPct: number | null
  readonly improvedPct: number | null
  readonly noReliableChangePct: number | null
  readonly deterioratedPct: number | null
  readonly dropoutPct: number | null
  readonly effectSize: number | null
  readonly suppressed: boolean
}

export interface OutcomeGroup extends OutcomeCell {
  readonly ageGroup: ReportAgeGroup
}

export interface OutcomeReport {
  readonly from: IsoDate
  readonly to: IsoDate
  readonly groups: readonly OutcomeGroup[]
  readonly all: OutcomeCell
}

/** What the report counts of one person: their primary series' figures, without the series. */
export interface ReportPerson extends Omit<PrimaryOutcome, 'primary'> {
  readonly memberId: string
  readonly familyId: string
  /** Distinct collateral raters of the person's outcome in the period. */
  readonly collateralRaters: number
}

/** What the report needs of a family besides its persons. */
export interface ReportFamilyOutcome {
  readonly coordinatorId: string
  /** How the family ended; null while it is active. */
  readonly ending: Ending | null
  /** Any member's primary series unsuccessful (`isUnsuccessful`), whatever age group or period. */
  readonly leftBehind: boolean
}

export function outcomeReport(input: OutcomeReportInput): OutcomeReport {
  const familiesById = new Map(input.families.map((family) => [family.id, family]))
  const period = reportPeriod(input)
  const inPeriod = periodOf(period)

  const persons: ReportPerson[] = []
  const leftBehind = new Set<string>()
  for (const member of input.members) {
    const family = familiesById.get(member.familyId)
    if (!family) throw new Error(`Member ${member.id} belongs to a family that is not in the report input`)
    const outcome = primaryOutcomeOf(member, family, input.instruments)
    if (!outcome) continue
    // Dropout looks at every member of the family with a primary series, whatever their age group
    // or period: the family stopped, and the question is whether anyone in it was left behind.
    // Only unilateral endings can be dropouts, so only their members need an expected band.
    if (family.ending === 'unilateral' && isUnsuccessful(outcome, input.bandModelOf)) leftBehind.add(family.id)
    const { primary: _primary, ...figures } = outcome
    persons.push({ ...figures, memberId: member.id, familyId: member.familyId, collateralRaters: collateralRatersOf(member.series.map(seriesEnd), inPeriod) })
  }
  return aggregateOutcomes({
    ...period,
    ageGroup: input.ageGroup,
    coordinatorId: input.coordinatorId,
    persons,
    families: new Map(
      input.families.map((family) => [family.id, { coordinatorId: family.coordinatorId, ending: family.ending, leftBehind: leftBehind.has(family.id) }]),
    ),
  })
}

function comparePersons(a: ReportPerson, b: ReportPerson): number {
  return a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0
}

/** Inclusive: a date belongs to the period when it lies between `from` and `to`. */
export function periodOf({ from, to }: { readonly from: IsoDate; readonly to: IsoDate }): (date: IsoDate) => boolean {
  return (date) => date >= from && date <= to
}

/**
 * The report from each person's figures (as computed by `primaryOutcomeOf`, or read from the
 * stored state computed by it) and each family's coordinator, ending and left-behind mark.
 * `persons` and `families` are the whole municipality, whatever the period: the suppression rules
 * weigh each cell against the broader questions the same caller could ask. The period is widened
 * to whole months; `collateralRaters` must have been counted over that widened period.
 */
export function aggregateOutcomes(input: {
  readonly from: IsoDate
  readonly to: IsoDate
  readonly ageGroup?: ReportAgeGroup
  readonly coordinatorId?: string
  readonly persons: readonly ReportPerson[]
  readonly families: ReadonlyMap<string, ReportFamilyOutcome>
}): OutcomeReport {
  const period = reportPeriod(input)
  const inPeriod = periodOf(period)
  const coordinatorOf = (person: ReportPerson) => {
    const family = input.families.get(person.familyId)
    if (!family) throw new Error(`Person ${person.memberId} belongs to a family that is not in the report input`)
    return family.coordinatorId
  }
  // Sums of floating-point numbers depend on their order: persons are taken in one order
  // whatever order they come in, so the report is the same to the last digit from any source.
  const reported = [...input.persons]
    .sort(comparePersons)
    .filter((person): person is ReportPerson & { ageGroup: ReportAgeGroup } => isReportAgeGroup(person.ageGroup))
  const hidden = hiddenCells({
    groups: REPORT_AGE_GROUPS,
    persons: reported.map((person) => ({ month: monthOf(person.latestOn), ageGroup: person.ageGroup, coordinatorId: coordinatorOf(person) })),
    from: monthOf(period.from),
    to: monthOf(period.to),
    coordinatorId: input.coordinatorId,
  })
  const counted = reported.filter((person) => inPeriod(person.latestOn) && (input.coordinatorId === undefined || coordinatorOf(person) === input.coordinatorId))
  const groupCell = (ageGroup: ReportAgeGroup) =>
    hidden.groups.has(ageGroup)
      ? { ...SUPPRESSED }
      : cell(
          counted.filter((person) => person.ageGroup === ageGroup),
          input.families,
        )
  // One age group is that group's cell of the answer without `ageGroup` (rule 5 of report-disclosure.ts).
  if (input.ageGroup !== undefined) {
    const only = groupCell(input.ageGroup)
    return { ...period, groups: [{ ageGroup: input.ageGroup, ...only }], all: only }
  }
  const groups = REPORT_AGE_GROUPS.map((ageGroup): OutcomeGroup => ({ ageGroup, ...groupCell(ageGroup) }))
  return { ...period, groups, all: hidden.all ? { ...SUPPRESSED } : cell(counted, input.families) }
}

function isReportAgeGroup(ageGroup: AgeGroup | null): ageGroup is ReportAgeGroup {
  return ageGroup !== null && ageGroup !== 'young-child'
}

/** What the report needs of a person's primary series whatever the period (storable). */
export interface PrimaryOutcome {
  readonly primary: SeriesFacts
  /** At intake; null under 3. */
  readonly ageGroup: AgeGroup | null
  readonly intake: number
  readonly latest: number
  readonly latestOn: IsoDate
  readonly sessions: number
  readonly daysInService: number
  readonly firstAlliance: number | null
  readonly cutoff: number | null
  readonly status: SeriesStatus | null
}

/** The person's primary series and its figures, or null when they have none (docs/rules.md). */
export function primaryOutcomeOf(
  member: Pick<ReportMember, 'birthDate' | 'series'>,
  family: Pick<ReportFamily, 'startedOn'>,
  instruments: readonly InstrumentDef[],
): PrimaryOutcome | null {
  const primary = primarySeriesOf(member.series)
  if (!primary) return null
  const instrument = instrumentByCode(instruments, primary.instrument)
  const intakePoint = primary.points[0]
  const last = latestPoint(primary)
  const cutoff = cutoffFor(instrument, ageGroupOf(ageOn(member.birthDate, last.heldOn)))
  const totals = primary.points.map((point) => point.total)
  return {
    primary,
    ageGroup: ageGroupOf(ageOn(member.birthDate, intakePoint.heldOn)),
    intake: intakePoint.total,
    latest: last.total,
    latestOn: last.heldOn,
    sessions: primary.points.length,
    daysInService: daysBetween(family.startedOn, last.heldOn),
    firstAlliance: firstAllianceFrom(member.series, intakePoint.heldOn, instruments),
    cutoff,
    status: seriesStatus(totals, cutoff, instrument.thresholds.reliableChange),
  }
}

/**
 * The first alliance total from the primary series' intake on: the alliance of the same episode
 * (a 14-year-old counted by ORS is paired with the SRS, not with an old CSRS).
 */
function firstAllianceFrom(series: readonly SeriesFacts[], from: IsoDate, instruments: readonly InstrumentDef[]): number | null {
  let first: SeriesPoint | null = null
  for (const candidate of series) {
    if (candidate.rater !== 'self' || !isPsychometricAlliance(instrumentByCode(instruments, candidate.instrument))) continue
    const point = candidate.points.find((p) => p.heldOn >= from)
    if (point && (first === null || comparePointOrder(point, first) < 0)) first = point
  }
  return first?.total ?? null
}

/** Where a series ends, as far as counting collateral raters goes. */
export interface SeriesEnd {
  readonly instrument: string
  readonly rater: Rater
  readonly raterMemberId: string | null
  readonly latestOn: IsoDate
}

function seriesEnd(series: SeriesFacts): SeriesEnd {
  return { instrument: series.instrument, rater: series.rater, raterMemberId: series.raterMemberId, latestOn: latestPoint(series).heldOn }
}

/** Distinct rater and rater member of the person's collateral outcome series in the period. */
export function collateralRatersOf(series: readonly SeriesEnd[], inPeriod: (date: IsoDate) => boolean): number {
  const raters = new Set<string>()
  for (const candidate of series) {
    if (candidate.rater === 'self' || !PRIMARY_OUTCOME_INSTRUMENTS.includes(candidate.instrument)) continue
    if (!inPeriod(candidate.latestOn)) continue
    raters.add(JSON.stringify([candidate.rater, candidate.raterMemberId]))
  }
  return raters.size
}

/**
 * docs/rules.md: "any member neither improved nor recovered, or below their expected p50 where a
 * band exists". Read literally as either condition; a single rating (not-enough-data) counts as
 * neither improved nor recovered, which is the dropout after a first meeting the rule is for.
 */
export function isUnsuccessful(outcome: PrimaryOutcome, bandModelOf: BandModelOf): boolean {
  const improved = outcome.status === 'improved' || outcome.status === 'recovered'
  return !improved || isBelowExpectedMedian(outcome, bandModelOf)
}

/** Latest total below the p50 of the person's expected band at their latest session number. */
function isBelowExpectedMedian(outcome: PrimaryOutcome, bandModelOf: BandModelOf): boolean {
  const model = bandModelOf(outcome.primary, outcome.intake)
  if (model === null) return false
  const expectedMedian = outcome.intake + model.a50 * Math.log(latestPoint(outcome.primary).sessionNumber)
  return outcome.latest < expectedMedian
}

const SUPPRESSED: OutcomeCell = {
  persons: null,
  families: null,
  collateralRaters: null,
  meanIntakeOutcome: null,
  meanIntakeAlliance: null,
  meanSessions: null,
  meanDaysInService: null,
  recoveredPct: null,
  improvedPct: null,
  noReliableChangePct: null,
  deterioratedPct: null,
  dropoutPct: null,
  effectSize: null,
  suppressed: true,
}

function cell(persons: readonly ReportPerson[], families: ReadonlyMap<string, ReportFamilyOutcome>): OutcomeCell {
  if (persons.length < MIN_CELL_PERSONS) return { ...SUPPRESSED }

  const familyIds = [...new Set(persons.map((person) => person.familyId))]
  const endingOf = (id: string) => families.get(id)?.ending ?? null
  const endedFamilies = familyIds.filter((id) => endingOf(id) !== null)
  const droppedOut = endedFamilies.filter((id) => endingOf(id) === 'unilateral' && families.get(id)?.leftBehind === true)

  // Change categories are shares of the series that can show change (two points or more).
  const withChange = persons.filter((person) => person.sessions >= 2 && person.status !== null && person.status !== 'not-enough-data')
  const share = (status: SeriesStatus) => percentage(withChange.filter((person) => person.status === status).length, withChange.length)

  return {
    persons: persons.length,
    families: familyIds.length,
    collateralRaters: persons.reduce((sum, person) => sum + person.collateralRaters, 0),
    meanIntakeOutcome: mean(persons.map((person) => person.intake)),
    meanIntakeAlliance: mean(persons.flatMap((person) => (person.firstAlliance === null ? [] : [person.firstAlliance]))),
    meanSessions: mean(persons.map((person) => person.sessions)),
    meanDaysInService: mean(persons.map((person) => person.daysInService)),
    recoveredPct: share('recovered'),
    improvedPct: share('improved'),
    noReliableChangePct: share('no-reliable-change'),
    deterioratedPct: share('deteriorated'),
    dropoutPct: percentage(droppedOut.length, endedFamilies.length),
    effectSize: effectSize(persons),
    suppressed: false,
  }
}

/**
 * Pre–post effect size over persons who started in the clinical range: mean change divided by
 * the sample SD (n − 1) of their intakes. Only series with a second point have a change to count.
 */
function effectSize(persons: readonly ReportPerson[]): number | null {
  const clinical = persons.filter((person) => person.sessions >= 2 && person.cutoff !== null && person.intake < person.cutoff)
  if (clinical.length < 2) return null
  const intakes = clinical.map((person) => person.intake)
  const intakeMean = intakes.reduce((sum, value) => sum + value, 0) / intakes.length
  const variance = intakes.reduce((sum, value) => sum + (value - intakeMean) ** 2, 0) / (intakes.length - 1)
  const sd = Math.sqrt(variance)
  if (sd === 0) return null
  const meanChange = clinical.reduce((sum, person) => sum + (person.latest - person.intake), 0) / clinical.length
  return meanChange / sd
}

function mean(values: readonly number[]): number | null {
  return values.length === 0 ? null : values.reduce((sum, value) => sum + value, 0) / values.length
}

function percentage(count: number, of: number): number | null {
  return of === 0 ? null : (100 * count) / of
}
