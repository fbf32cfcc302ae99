import { createHash } from 'node:crypto'
import { sql } from 'kysely'
import type { Trx } from '../db/kysely.js'
import { storedBandModel, type BandModelOf, type FittedModel } from '../domain/band-models.js'
import type { BandModel, ReferenceSeries } from '../domain/expected-band.js'
import { isPsychometricOutcome, type InstrumentDef } from '../domain/instruments.js'
import { seriesKey, type SeriesIdentity } from '../domain/series.js'

/** The anonymised key a series carries in reference_series: a one-way hash of its identity. */
export function referenceKeyOf(series: SeriesIdentity): string {
  return createHash('sha256').update(seriesKey(series)).digest('base64url').slice(0, 24)
}

/** Deletes the municipality's own reference series; synthetic ones (demo cohort, pooled series) stay. */
export async function deleteOwnReferenceSeries(trx: Trx): Promise<void> {
  await trx.deleteFrom('reference_series').where('synthetic', '=', false).execute()
}

/** Deletes own reference series by their keys (those derived from an erased family's ratings). */
export async function deleteReferenceSeriesByKeys(trx: Trx, keys: readonly string[]): Promise<void> {
  if (keys.length) await trx.deleteFrom('reference_series').where('synthetic', '=', false).where('series_key', 'in', keys).execute()
}

export async function insertReferenceSeries(
  trx: Trx,
  municipalityId: string,
  rows: readonly ReferenceSeries[],
  options: { synthetic?: boolean; chunk?: number } = {},
): Promise<void> {
  const chunk = options.chunk ?? 1000
  for (let k = 0; k < rows.length; k += chunk) {
    await trx
      .insertInto('reference_series')
      .values(
        rows.slice(k, k + chunk).map((r) => ({
          municipality_id: municipalityId,
          instrument_code: r.instrument,
          series_key: r.key,
          intake: r.intake,
          scores: r.scores as number[],
          ...(options.synthetic && { synthetic: true }),
        })),
      )
      .execute()
  }
}

export async function hasSyntheticReferenceSeries(trx: Trx): Promise<boolean> {
  return (await trx.selectFrom('reference_series').select('reference_id').where('synthetic', '=', true).executeTakeFirst()) !== undefined
}

/** Every reference series of the municipality, scores only: what a fit reads. */
export async function referenceSeriesForFit(trx: Trx): Promise<(ReferenceSeries & { synthetic: boolean })[]> {
  const rows = await trx.selectFrom('reference_series').select(['reference_id', 'series_key', 'instrument_code', 'intake', 'scores', 'synthetic']).execute()
  return rows.map((r) => ({ key: r.series_key, instrument: r.instrument_code, intake: r.intake, scores: r.scores, synthetic: r.synthetic }))
}

export async function deleteBandModels(trx: Trx): Promise<void> {
  await trx.deleteFrom('band_models').execute()
}

/** One instrument's models by intake. */
export async function insertBandModels(trx: Trx, municipalityId: string, instrument: string, byIntake: ReadonlyMap<number, BandModel>): Promise<number> {
  const values = [...byIntake].map(([intake, m]) => ({
    municipality_id: municipalityId,
    instrument_code: instrument,
    intake,
    a25: m.a25,
    a50: m.a50,
    a75: m.a75,
    cohort_size: m.cohortSize,
  }))
  for (let k = 0; k < values.length; k += 1000)
    await trx
      .insertInto('band_models')
      .values(values.slice(k, k + 1000))
      .execute()
  return values.length
}

/** On each own reference series, the model of its cohort without itself. */
export async function storeOwnModels(trx: Trx, municipalityId: string, own: readonly { key: string; cohortSize: number; model: FittedModel }[]): Promise<void> {
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
}

/** Whether reference series lack fitted models (stored before band models were). */
export async function bandModelsMissing(trx: Trx): Promise<boolean> {
  const r = await sql<{ missing: boolean }>`
    SELECT EXISTS (SELECT 1 FROM reference_series WHERE NOT synthetic AND own_cohort_size IS NULL)
        OR (EXISTS (SELECT 1 FROM reference_series) AND NOT EXISTS (SELECT 1 FROM band_models)) AS missing`.execute(trx)
  return r.rows[0]?.missing === true
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
    const rows = await sql<{
      series_key: string | null
      instrument_code: string
      intake: number
      a25: number | null
      a50: number | null
      a75: number | null
      cohort_size: number | null
    }>`
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
