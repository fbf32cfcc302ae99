import { inMunicipality, type Db, type Trx } from '../db/kysely.js'
import { fitBandModels, type FittedModel } from '../domain/band-models.js'
import { referenceCohort, referenceSeriesOf } from '../domain/expected-band.js'
import { isPsychometricOutcome, type InstrumentDef } from '../domain/instruments.js'
import { buildSeries } from '../domain/series.js'
import {
  bandModelsMissing,
  deleteBandModels,
  deleteOwnReferenceSeries,
  insertBandModels,
  insertReferenceSeries,
  referenceKeyOf,
  referenceSeriesForFit,
  storeOwnModels,
} from '../repositories/band-models.js'
import { familyIds } from '../repositories/families.js'
import { loadFamilyFacts } from '../repositories/family-facts.js'
import { loadInstruments } from '../repositories/instruments.js'
import { allMunicipalities, setStateRuleVersion } from '../repositories/municipalities.js'

export interface RecomputeCounts {
  families: number
  series: number
  byInstrument: Record<string, number>
  synthetic: number
  /** Band models stored: one per instrument and intake within reach of the cohort. */
  models: number
}

export type RecomputeProgress = (stage: 'families' | 'models', done: number, total: number) => void

/** How many families' ratings are read at once. */
const FAMILY_CHUNK = 200

/**
 * Rebuilds the municipality's reference series from its own outcome series with at least three
 * points (docs/rules.md, expected bands), then refits the band models. Synthetic rows are kept and
 * take part in the fit. Runs in the caller's transaction, so readers see the old models or the
 * new ones, never half of them.
 */
export async function rebuildReferenceSeries(trx: Trx, municipalityId: string, onProgress?: RecomputeProgress): Promise<RecomputeCounts> {
  const instruments = (await loadInstruments(trx)).map((i) => i.def).filter(isPsychometricOutcome)
  const codes = new Set(instruments.map((i) => i.code))
  const families = await familyIds(trx)
  const counts: RecomputeCounts = { families: families.length, series: 0, byInstrument: {}, synthetic: 0, models: 0 }
  await deleteOwnReferenceSeries(trx)
  // A chunk of families at a time: memory stays bounded whatever the municipality's size.
  for (let i = 0; i < families.length; i += FAMILY_CHUNK) {
    const facts = await loadFamilyFacts(trx, families.slice(i, i + FAMILY_CHUNK))
    const rows = buildSeries(facts.ratings.map((r) => r.fact).filter((r) => codes.has(r.instrument)))
      .map((series) => referenceSeriesOf(series, referenceKeyOf))
      .filter((r) => r !== null)
    for (const r of rows) counts.byInstrument[r.instrument] = (counts.byInstrument[r.instrument] ?? 0) + 1
    counts.series += rows.length
    await insertReferenceSeries(trx, municipalityId, rows)
    onProgress?.('families', Math.min(i + FAMILY_CHUNK, families.length), families.length)
  }
  const fitted = await refitBandModels(trx, municipalityId, instruments, onProgress)
  return { ...counts, synthetic: fitted.synthetic, models: fitted.models }
}

/**
 * Fits and stores the band models from the stored reference series: one per instrument and
 * intake within reach of the cohort, and on each of the municipality's own reference series the
 * model of its cohort without itself. Only scores are read, a few numbers per series.
 */
export async function refitBandModels(
  trx: Trx,
  municipalityId: string,
  outcomeInstruments?: readonly InstrumentDef[],
  onProgress?: RecomputeProgress,
): Promise<{ models: number; synthetic: number }> {
  const instruments = outcomeInstruments ?? (await loadInstruments(trx)).map((i) => i.def).filter(isPsychometricOutcome)
  const rows = await referenceSeriesForFit(trx)
  const ownKeys = new Set(rows.filter((r) => !r.synthetic).map((r) => r.key))
  await deleteBandModels(trx)
  let models = 0
  const own: { key: string; cohortSize: number; model: FittedModel }[] = []
  for (const [n, instrument] of instruments.entries()) {
    const cohort = referenceCohort(rows.filter((r) => r.instrument === instrument.code))
    const fitted = fitBandModels({ instrument: instrument.code, cohort, withOwn: ownKeys })
    models += await insertBandModels(trx, municipalityId, instrument.code, fitted.byIntake)
    for (const [key, m] of fitted.own) own.push({ key, ...m })
    onProgress?.('models', n + 1, instruments.length)
  }
  await storeOwnModels(trx, municipalityId, own)
  return { models, synthetic: rows.length - ownKeys.size }
}

/**
 * Fits band models where reference series have none yet (a database from before stored models):
 * run at start, before the service listens and before rebuildStaleState, so no request meets a
 * municipality without them or state computed without them.
 */
export async function refitMissingBandModels(db: Db, log: (message: string) => void): Promise<number> {
  let refitted = 0
  for (const { municipalityId: id } of await allMunicipalities(db)) {
    const done = await inMunicipality(db, id, async (trx) => {
      if (!(await bandModelsMissing(trx))) return false
      log(`fitting the expected-band models of municipality ${id} (stored reference series without models)`)
      await refitBandModels(trx, id)
      // The stored state holds each series' band model: it is stale now, and the start's
      // rebuild of stale state (which runs next) rebuilds it.
      await setStateRuleVersion(trx, id, null)
      return true
    })
    if (done) refitted++
  }
  return refitted
}
