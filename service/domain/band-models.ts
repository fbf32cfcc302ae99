import {
  defaultReferenceKey,
  expectedBandModel,
  toReferenceIndex,
  INTAKE_WINDOW,
  MIN_POINTS_AT_SESSION,
  REFERENCE_MIN_POINTS,
  percentileAt,
  type BandModel,
  type ReferenceCohort,
  type ReferenceIndex,
  type ReferenceKeyOf,
  type ReferenceSeries,
} from './expected-band.js'
import { seriesKey, type SeriesIdentity } from './series.js'

/**
 * Expected-band models fitted in bulk, so that they can be stored and a request reads only the
 * model its series needs (docs/rules.md "Trend lines": "Models are stored, rebuilt by
 * recompute-bands"). The numbers are exactly those of `expectedBandModel`: the same changes, the
 * same percentiles, the same weighted sums in the same order (a property test holds them equal).
 *
 * Whether a band is shown depends on `expectedBandMinSeries`, a setting: models are fitted
 * without that minimum and carry their cohort size, and `applyMinSeries` decides when read.
 */

/** A model without the minimum applied; null where the cohort gives no fit. */
export type FittedModel = BandModel | null

/** A reference series' cohort without itself: its size, and its model where it gives one. */
export interface OwnModel {
  readonly cohortSize: number
  readonly model: FittedModel
}

export interface FittedBands {
  readonly instrument: string
  /** One model per intake (tenths) whose window holds reference series. */
  readonly byIntake: ReadonlyMap<number, BandModel>
  /** For each reference series fitted with `withOwn`, its cohort without it and that cohort's model. */
  readonly own: ReadonlyMap<string, OwnModel>
}

/** The changes of a cohort by session number, each list sorted ascending (k = 2, 3, …). */
type ChangesBySession = Float64Array[]

function changesOf(members: readonly ReferenceSeries[]): ChangesBySession {
  const changesAt: number[][] = []
  for (const member of members) {
    for (let k = 2; k <= member.scores.length; k++) (changesAt[k] ??= []).push(member.scores[k - 1] - member.intake)
  }
  const sorted: ChangesBySession = []
  changesAt.forEach((values, k) => {
    sorted[k] = Float64Array.from(values).sort()
  })
  return sorted
}

/** Index of the first value ≥ target in an ascending array. */
function lowerBound(values: Float64Array, target: number): number {
  let low = 0
  let high = values.length
  while (low < high) {
    const middle = (low + high) >>> 1
    if (values[middle] < target) low = middle + 1
    else high = middle
  }
  return low
}

/**
 * The weighted least-squares fit of `expectedBandModel`, over changes by session number,
 * optionally leaving out one series' own changes.
 */
function fit(changes: ChangesBySession, cohortSize: number, leftOut?: ReferenceSeries): FittedModel {
  if (cohortSize === 0) return null
  let denominator = 0
  let numerator25 = 0
  let numerator50 = 0
  let numerator75 = 0
  changes.forEach((all, k) => {
    let length = all.length
    let valueAt = (i: number) => all[i]
    if (leftOut && k <= leftOut.scores.length) {
      // Equal values are interchangeable, so leaving out the first equal one is leaving out its own.
      const left = lowerBound(all, leftOut.scores[k - 1] - leftOut.intake)
      length -= 1
      valueAt = (i: number) => all[i < left ? i : i + 1]
    }
    if (length < MIN_POINTS_AT_SESSION) return
    const weight = length
    const logK = Math.log(k)
    denominator += weight * logK * logK
    numerator25 += weight * logK * percentileAt(valueAt, length, 25)
    numerator50 += weight * logK * percentileAt(valueAt, length, 50)
    numerator75 += weight * logK * percentileAt(valueAt, length, 75)
  })
  if (denominator === 0) return null
  return { a25: numerator25 / denominator, a50: numerator50 / denominator, a75: numerator75 / denominator, cohortSize }
}

export interface FitInput {
  readonly instrument: string
  /** The instrument's reference series (its cohort). */
  readonly cohort: ReferenceCohort
  /** Keys of the series that also need their model without themselves (the municipality's own). */
  readonly withOwn?: ReadonlySet<string>
  /** Called after each intake fitted, for progress output on long rebuilds. */
  readonly onIntake?: (done: number, total: number) => void
}

/** Every model of one instrument: one per intake, and each own series' model without it. */
export function fitBandModels({ instrument, cohort, withOwn, onIntake }: FitInput): FittedBands {
  const sorted = cohort.sortedByIntake.filter((series) => series.scores.length >= REFERENCE_MIN_POINTS)
  const byIntake = new Map<number, BandModel>()
  const own = new Map<string, OwnModel>()
  if (sorted.length === 0) return { instrument, byIntake, own }
  const lowest = Math.max(0, sorted[0].intake - INTAKE_WINDOW)
  const highest = sorted[sorted.length - 1].intake + INTAKE_WINDOW
  let start = 0
  let end = 0
  let next = 0
  for (let intake = lowest; intake <= highest; intake++) {
    while (start < sorted.length && sorted[start].intake < intake - INTAKE_WINDOW) start++
    while (end < sorted.length && sorted[end].intake <= intake + INTAKE_WINDOW) end++
    const members = sorted.slice(start, end)
    if (members.length > 0) {
      const changes = changesOf(members)
      const model = fit(changes, members.length)
      if (model) byIntake.set(intake, model)
      // Own series with this intake: the same cohort, less the series itself.
      while (next < sorted.length && sorted[next].intake < intake) next++
      for (let i = next; i < sorted.length && sorted[i].intake === intake; i++) {
        const series = sorted[i]
        if (withOwn?.has(series.key)) own.set(series.key, { cohortSize: members.length - 1, model: fit(changes, members.length - 1, series) })
      }
    }
    onIntake?.(intake - lowest + 1, highest - lowest + 1)
  }
  return { instrument, byIntake, own }
}

/** The stored models one series may use: its intake's model, and its own row if it has one. */
export interface StoredBandModels {
  /** The model at (instrument, intake), if fitted. */
  readonly atIntake: BandModel | null
  /** The series' own reference row, if it is one: its intake then and its model without it. */
  readonly own: { readonly intake: number; readonly model: FittedModel } | null
}

/**
 * The model of one series from the stored models: without itself when it was part of the
 * cohort at its present intake, else its intake's model; no band below `minSeries`.
 * A series whose intake was corrected since the last rebuild is compared with the cohort as
 * stored (its old row included) until the next rebuild.
 */
export function storedBandModel(stored: StoredBandModels, intake: number, minSeries: number): BandModel | null {
  const model = stored.own && stored.own.intake === intake ? stored.own.model : stored.atIntake
  return applyMinSeries(model, minSeries)
}

export function applyMinSeries(model: FittedModel, minSeries: number): BandModel | null {
  return model !== null && model.cohortSize >= minSeries && model.cohortSize > 0 ? model : null
}

/** How a caller finds the band model of a series (with the minimum applied). */
export type BandModelOf = (series: SeriesIdentity, intake: number) => BandModel | null

/** A series' band model as its stored state holds it: found at the series' intake then. */
export interface StoredBand {
  readonly series: SeriesIdentity
  readonly intake: number
  readonly model: BandModel | null
}

/**
 * The band models of the given series from their stored state, or null unless every one is
 * there at the same intake: state read in an earlier statement than the ratings may lag a write
 * that committed between them (a new series, or a rating before the first that moved the
 * intake), and then the caller looks the models up instead. A model depends on nothing but the
 * series, its intake, the fitted models and the minimum cohort, and the state is rebuilt in the
 * transaction that changes either of the last two, so a stored one at the same intake is current.
 */
export function bandModelsFromState(stored: readonly StoredBand[], needed: readonly (SeriesIdentity & { readonly intake: number })[]): BandModelOf | null {
  const byKey = new Map(stored.map((b) => [seriesKey(b.series), b]))
  for (const s of needed) if (byKey.get(seriesKey(s))?.intake !== s.intake) return null
  return (series, intake) => {
    const b = byKey.get(seriesKey(series))
    return b && b.intake === intake ? b.model : null
  }
}

/**
 * Band models straight from a reference cohort (each series left out of its own), for callers
 * that hold the cohort itself rather than stored models: tests, and checks of the stored ones.
 */
export function bandModelsFromReference(
  reference: ReferenceIndex | readonly ReferenceSeries[],
  minSeries: number,
  keyOf: ReferenceKeyOf = defaultReferenceKey,
): BandModelOf {
  const index = toReferenceIndex(reference)
  return (series, intake) => {
    const cohort = index.get(series.instrument)
    return cohort ? expectedBandModel({ intake, cohort, excludeKey: keyOf(series), minSeries }) : null
  }
}
