import { sql } from 'kysely'
import { inMunicipality, type Db, type Trx } from '../../db/kysely.js'
import { fitBandModels, storedBandModel, type BandModelOf, type FittedModel } from '../../domain/band-models.js'
import { referenceCohort, referenceSeriesOf, type BandModel, type ReferenceSeries } from '../../domain/expected-band.js'
import { isPsychometricOutcome, type InstrumentDef } from '../../domain/instruments.js'
import { buildSeries, type SeriesIdentity } from '../../domain/series.js'
import { loadInstruments } from '../instruments/repository.js'
import { loadFamilyFacts, referenceKeyOf } from '../progress/repository.js'

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
 * points (domain.md, expected bands), then refits the band models. Synthetic rows are kept and
 * take part in the fit. Runs in the caller's transaction, so readers see the old models or the
 * new ones, never half of them.
 */
export async function rebuildReferenceSeries(trx: Trx, municipalityId: string, onProgress?: RecomputeProgress): Promise<RecomputeCounts> {
  const instruments = (await loadInstruments(trx)).map((i) => i.def).filter(isPsychometricOutcome)
  const codes = new Set(instruments.map((i) => i.code))
  const families = await trx.selectFrom('families').select('family_id').where('synthetic', '=', false).orderBy('family_id').execute()
  const counts: RecomputeCounts = { families: families.length, series: 0, byInstrument: {}, synthetic: 0, models: 0 }
  await trx.deleteFrom('reference_series').where('synthetic', '=', false).execute()
  // A chunk of families at a time: memory stays bounded whatever the municipality's size.
  for (let i = 0; i < families.length; i += FAMILY_CHUNK) {
    const facts = await loadFamilyFacts(trx, families.slice(i, i + FAMILY_CHUNK).map((f) => f.family_id))
    const rows = buildSeries(facts.ratings.map((r) => r.fact).filter((r) => codes.has(r.instrument)))
      .map((series) => referenceSeriesOf(series, referenceKeyOf))
      .filter((r) => r !== null)
    for (const r of rows) counts.byInstrument[r.instrument] = (counts.byInstrument[r.instrument] ?? 0) + 1
    counts.series += rows.length
    for (let k = 0; k < rows.length; k += 1000) {
      await trx
        .insertInto('reference_series')
        .values(rows.slice(k, k + 1000).map((r) => ({ municipality_id: municipalityId, instrument_code: r.instrument, series_key: r.key, intake: r.intake, scores: r.scores as number[] })))
        .execute()
    }
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
  const rows = await trx.selectFrom('reference_series').select(['reference_id', 'series_key', 'instrument_code', 'intake', 'scores', 'synthetic']).execute()
  const ownKeys = new Set(rows.filter((r) => !r.synthetic).map((r) => r.series_key))
  await trx.deleteFrom('band_models').execute()
  let models = 0
  const own: { key: string; cohortSize: number; model: FittedModel }[] = []
  for (const [n, instrument] of instruments.entries()) {
    const cohort = referenceCohort(
      rows.filter((r) => r.instrument_code === instrument.code).map((r): ReferenceSeries => ({ key: r.series_key, instrument: r.instrument_code, intake: r.intake, scores: r.scores })),
    )
    const fitted = fitBandModels({ instrument: instrument.code, cohort, withOwn: ownKeys })
    const values = [...fitted.byIntake].map(([intake, m]) => ({ municipality_id: municipalityId, instrument_code: instrument.code, intake, a25: m.a25, a50: m.a50, a75: m.a75, cohort_size: m.cohortSize }))
    for (let k = 0; k < values.length; k += 1000) await trx.insertInto('band_models').values(values.slice(k, k + 1000)).execute()
    models += values.length
    for (const [key, m] of fitted.own) own.push({ key, ...m })
    onProgress?.('models', n + 1, instruments.length)
  }
  for (let k = 0; k < own.length; k += 2000) {
    const chunk = own.slice(k, k + 2000)
    await sql`
      UPDATE reference_series r
         SET own_cohort_size = o.cohort_size, own_a25 = o.a25, own_a50 = o.a50, own_a75 = o.a75
        FROM unnest(${chunk.map((o) => o.key)}::text[], ${chunk.map((o) => o.cohortSize)}::int[],
                    ${chunk.map((o) => o.model?.a25 ?? null)}::float8[], ${chunk.map((o) => o.model?.a50 ?? null)}::float8[],
                    ${chunk.map((o) => o.model?.a75 ?? null)}::float8[]) AS o (series_key, cohort_size, a25, a50, a75)
       WHERE r.municipality_id = ${municipalityId} AND r.series_key = o.series_key AND NOT r.synthetic`.execute(trx)
  }
  return { models, synthetic: rows.length - ownKeys.size }
}

/**
 * The stored band models the given series need, in one statement of two indexed lookups: the model at each
 * series' instrument and intake, and the series' own reference row (its model without itself).
 * Nothing else of the reference cohort is read.
 */
export async function loadBandModels(
  trx: Trx,
  series: readonly (SeriesIdentity & { readonly intake: number })[],
  instruments: readonly InstrumentDef[],
  minSeries: number,
): Promise<BandModelOf> {
  const outcome = new Set(instruments.filter(isPsychometricOutcome).map((i) => i.code))
  const needed = series.filter((s) => outcome.has(s.instrument))
  const atIntake = new Map<string, BandModel>()
  const ownRows = new Map<string, { instrument: string; intake: number; model: FittedModel }>()
  if (needed.length > 0) {
    const pairs = [...new Map(needed.map((s) => [`${s.instrument}|${s.intake}`, s])).values()]
    const keys = [...new Set(needed.map(referenceKeyOf))]
    // Both lookups in one statement: a row is the model at an intake (series_key null) or a
    // series' own reference row.
    const rows = await sql<{ series_key: string | null; instrument_code: string; intake: number; a25: number | null; a50: number | null; a75: number | null; cohort_size: number | null }>`
      SELECT NULL::text AS series_key, instrument_code, intake, a25, a50, a75, cohort_size
        FROM band_models
       WHERE (instrument_code, intake) IN (SELECT * FROM unnest(${pairs.map((p) => p.instrument)}::text[], ${pairs.map((p) => p.intake)}::smallint[]))
      UNION ALL
      SELECT series_key, instrument_code, intake, own_a25, own_a50, own_a75, own_cohort_size
        FROM reference_series
       WHERE NOT synthetic AND series_key = ANY(${keys}::text[])`.execute(trx)
    for (const r of rows.rows) {
      if (r.series_key === null) {
        atIntake.set(`${r.instrument_code}|${r.intake}`, { a25: r.a25!, a50: r.a50!, a75: r.a75!, cohortSize: r.cohort_size! })
        continue
      }
      // No cohort size: the row was never fitted (stored before band models were); it is then
      // compared with its intake's model, like a series that is not a reference series.
      if (r.cohort_size === null) continue
      const model = r.a25 === null || r.a50 === null || r.a75 === null ? null : { a25: r.a25, a50: r.a50, a75: r.a75, cohortSize: r.cohort_size }
      ownRows.set(r.series_key, { instrument: r.instrument_code, intake: r.intake, model })
    }
  }
  return (identity, intake) => {
    const row = ownRows.get(referenceKeyOf(identity))
    const own = row && row.instrument === identity.instrument ? { intake: row.intake, model: row.model } : null
    return storedBandModel({ atIntake: atIntake.get(`${identity.instrument}|${intake}`) ?? null, own }, intake, minSeries)
  }
}

/**
 * Fits band models where reference series have none yet (a database from before stored models):
 * run at start, before the service listens and before rebuildStaleState, so no request meets a
 * municipality without them or state computed without them.
 */
export async function refitMissingBandModels(db: Db, log: (message: string) => void): Promise<number> {
  const municipalities = await db.selectFrom('municipalities').select('municipality_id').orderBy('created_at').execute()
  let refitted = 0
  for (const { municipality_id: id } of municipalities) {
    const done = await inMunicipality(db, id, async (trx) => {
      const r = await sql<{ missing: boolean }>`
        SELECT EXISTS (SELECT 1 FROM reference_series WHERE NOT synthetic AND own_cohort_size IS NULL)
            OR (EXISTS (SELECT 1 FROM reference_series) AND NOT EXISTS (SELECT 1 FROM band_models)) AS missing`.execute(trx)
      if (!r.rows[0]?.missing) return false
      log(`fitting the expected-band models of municipality ${id} (stored reference series without models)`)
      await refitBandModels(trx, id)
      // The stored state holds each series' band model: it is stale now, and the start's
      // rebuild of stale state (which runs next) rebuilds it.
      await trx.updateTable('municipalities').set({ state_rule_version: null }).where('municipality_id', '=', id).execute()
      return true
    })
    if (done) refitted++
  }
  return refitted
}
