import type { ExpectedBand } from '../contracts/progress.js'
import { groupBy } from './group-by.js'
import { seriesKey, type SeriesFacts, type SeriesIdentity } from './series.js'

/**
 * The expected band (docs/rules.md "Trend lines"): where people of the same instrument who started
 * at about the same score were after k conversations, from the municipality's own (or pooled,
 * anonymised) series. It replaces the licensed vendor trajectories. All scores in tenths.
 */

/** One reference series, anonymised: only an opaque key, the instrument and its totals. */
export interface ReferenceSeries {
  /** Opaque; used only to leave a series out of its own cohort. */
  readonly key: string
  readonly instrument: string
  /** The first total (session 1). */
  readonly intake: number
  /** Totals by session number 1..n; `scores[0]` is the intake. Series with n < 3 are ignored. */
  readonly scores: readonly number[]
}

/** A reference series needs this many points to say anything about change. */
export const REFERENCE_MIN_POINTS = 3
/** Cohort = reference series whose intake is within this many tenths of this one's (inclusive). */
export const INTAKE_WINDOW = 20
/** A session number contributes to the fit only with at least this many cohort points. */
export const MIN_POINTS_AT_SESSION = 5
/** The band always reaches at least this session number, and two beyond the latest point. */
export const BAND_MIN_LENGTH = 10
export const BAND_BEYOND_LATEST = 2

export type ReferenceKeyOf = (series: SeriesIdentity) => string

/** The key a series gets when the caller has no anonymised key of its own. */
export const defaultReferenceKey: ReferenceKeyOf = seriesKey

export function referenceSeriesOf(series: SeriesFacts, keyOf: ReferenceKeyOf = defaultReferenceKey): ReferenceSeries | null {
  if (series.points.length < REFERENCE_MIN_POINTS) return null
  const scores = series.points.map((point) => point.total)
  return { key: keyOf(series), instrument: series.instrument, intake: scores[0], scores }
}

/**
 * Reference series of one instrument, sorted by intake once so that finding a cohort is a
 * binary search rather than a scan. Build it with `referenceCohort`.
 */
export interface ReferenceCohort {
  readonly sortedByIntake: readonly ReferenceSeries[]
}

export function referenceCohort(series: readonly ReferenceSeries[]): ReferenceCohort {
  const usable = series.filter((candidate) => candidate.scores.length >= REFERENCE_MIN_POINTS)
  return { sortedByIntake: usable.sort((a, b) => a.intake - b.intake) }
}

/** Reference cohorts by instrument code, so each series finds its own instrument's cohort. */
export type ReferenceIndex = ReadonlyMap<string, ReferenceCohort>

export function referenceIndex(series: readonly ReferenceSeries[]): ReferenceIndex {
  const byInstrument = groupBy(series, (candidate) => candidate.instrument)
  return new Map([...byInstrument].map(([instrument, group]) => [instrument, referenceCohort(group)]))
}

/** Accepts either form, so one-off callers need not build the index themselves. */
export function toReferenceIndex(reference: ReferenceIndex | readonly ReferenceSeries[]): ReferenceIndex {
  return isReferenceIndex(reference) ? reference : referenceIndex(reference)
}

function isReferenceIndex(reference: ReferenceIndex | readonly ReferenceSeries[]): reference is ReferenceIndex {
  return reference instanceof Map
}

function firstIndexWithIntakeAtLeast(sorted: readonly ReferenceSeries[], intake: number): number {
  let low = 0
  let high = sorted.length
  while (low < high) {
    const middle = (low + high) >>> 1
    if (sorted[middle].intake < intake) low = middle + 1
    else high = middle
  }
  return low
}

function cohortAround(cohort: ReferenceCohort | readonly ReferenceSeries[], intake: number, excludeKey: string | undefined): ReferenceSeries[] {
  const fits = (candidate: ReferenceSeries) => candidate.key !== excludeKey && candidate.scores.length >= REFERENCE_MIN_POINTS
  if (isReferenceCohort(cohort)) {
    const sorted = cohort.sortedByIntake
    const members: ReferenceSeries[] = []
    for (let i = firstIndexWithIntakeAtLeast(sorted, intake - INTAKE_WINDOW); i < sorted.length; i++) {
      if (sorted[i].intake > intake + INTAKE_WINDOW) break
      if (fits(sorted[i])) members.push(sorted[i])
    }
    return members
  }
  return cohort.filter((candidate) => Math.abs(candidate.intake - intake) <= INTAKE_WINDOW && fits(candidate))
}

function isReferenceCohort(cohort: ReferenceCohort | readonly ReferenceSeries[]): cohort is ReferenceCohort {
  return !Array.isArray(cohort)
}

/**
 * The q-th percentile (0–100) of ascending values, interpolating linearly between order
 * statistics: h = (N − 1)·q/100 (Hyndman & Fan type 7, the default of R and NumPy).
 */
export function percentile(sortedAscending: ArrayLike<number>, q: number): number {
  return percentileAt((i) => sortedAscending[i], sortedAscending.length, q)
}

/** `percentile` over values read by index, so a caller can leave one out without copying. */
export function percentileAt(valueAt: (index: number) => number, length: number, q: number): number {
  if (length === 0) throw new RangeError('percentile of no values')
  const position = ((length - 1) * q) / 100
  const below = Math.floor(position)
  const above = Math.min(below + 1, length - 1)
  const fraction = position - below
  return valueAt(below) + fraction * (valueAt(above) - valueAt(below))
}

/** The fitted band: p_q(k) = intake + a_q·ln k. Storable, so bands can be rebuilt in bulk. */
export interface BandModel {
  readonly a25: number
  readonly a50: number
  readonly a75: number
  /** Reference series in the cohort (after the intake window and leaving this series out). */
  readonly cohortSize: number
}

export interface BandModelInput {
  /** This series' intake, tenths. */
  readonly intake: number
  /** Reference series of this series' instrument only. */
  readonly cohort: ReferenceCohort | readonly ReferenceSeries[]
  /** The key of this series in the reference data, so it is not its own reference. */
  readonly excludeKey?: string
  /** `expectedBandMinSeries`: fewer cohort series give no band rather than an invented one. */
  readonly minSeries: number
}

export function expectedBandModel({ intake, cohort, excludeKey, minSeries }: BandModelInput): BandModel | null {
  const members = cohortAround(cohort, intake, excludeKey)
  if (members.length < minSeries || members.length === 0) return null

  // changesAt[k] holds score − intake of every cohort series that reached session k.
  const changesAt: number[][] = []
  for (const member of members) {
    for (let k = 2; k <= member.scores.length; k++) {
      ;(changesAt[k] ??= []).push(member.scores[k - 1] - member.intake)
    }
  }

  // Weighted least squares of v_k = a·ln k through the origin, weight w_k = points at k:
  // a = Σ w·ln k·v / Σ w·(ln k)².
  let denominator = 0
  let numerator25 = 0
  let numerator50 = 0
  let numerator75 = 0
  changesAt.forEach((unsorted, k) => {
    if (unsorted.length < MIN_POINTS_AT_SESSION) return
    // A typed array sorts numerically without a comparator callback, several times faster.
    const changes = Float64Array.from(unsorted).sort()
    const weight = changes.length
    const logK = Math.log(k)
    denominator += weight * logK * logK
    numerator25 += weight * logK * percentile(changes, 25)
    numerator50 += weight * logK * percentile(changes, 50)
    numerator75 += weight * logK * percentile(changes, 75)
  })
  if (denominator === 0) return null

  return {
    a25: numerator25 / denominator,
    a50: numerator50 / denominator,
    a75: numerator75 / denominator,
    cohortSize: members.length,
  }
}

/** The band for session numbers 1 … max(10, latest + 2); at session 1 it is the intake itself. */
export function bandFromModel(intake: number, model: BandModel, latestSessionNumber: number): ExpectedBand {
  const length = Math.max(BAND_MIN_LENGTH, latestSessionNumber + BAND_BEYOND_LATEST)
  const sessionNumbers = Array.from({ length }, (_, index) => index + 1)
  const at = (a: number) => sessionNumbers.map((k) => intake + a * Math.log(k))
  return {
    sessionNumbers,
    p25: at(model.a25),
    p50: at(model.a50),
    p75: at(model.a75),
    cohortSize: model.cohortSize,
  }
}

export interface ExpectedBandInput extends BandModelInput {
  readonly latestSessionNumber: number
}

export function expectedBand(input: ExpectedBandInput): ExpectedBand | null {
  const model = expectedBandModel(input)
  return model === null ? null : bandFromModel(input.intake, model, input.latestSessionNumber)
}

/** The band's values at one session number, or null when the band does not reach it. */
export function bandAt(band: ExpectedBand, sessionNumber: number): { readonly p25: number; readonly p50: number; readonly p75: number } | null {
  const index = band.sessionNumbers.indexOf(sessionNumber)
  if (index < 0) return null
  return { p25: band.p25[index], p50: band.p50[index], p75: band.p75[index] }
}
