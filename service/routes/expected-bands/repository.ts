import type { Trx } from '../../db/kysely.js'
import { referenceSeriesOf } from '../../domain/expected-band.js'
import { isPsychometricOutcome } from '../../domain/instruments.js'
import { buildSeries } from '../../domain/series.js'
import { loadInstruments } from '../instruments/repository.js'
import { loadFamilyFacts, referenceKeyOf } from '../progress/repository.js'

export interface RecomputeCounts {
  families: number
  series: number
  byInstrument: Record<string, number>
  synthetic: number
}

/**
 * Rebuilds the municipality's reference series from its own outcome series with at least three
 * points (domain.md, expected bands). Synthetic rows are kept. Runs in the caller's transaction,
 * so readers see the old set or the new one, never half of it.
 */
export async function rebuildReferenceSeries(trx: Trx, municipalityId: string, onProgress?: (done: number, total: number) => void): Promise<RecomputeCounts> {
  const instruments = (await loadInstruments(trx)).map((i) => i.def).filter(isPsychometricOutcome)
  const codes = new Set(instruments.map((i) => i.code))
  const families = await trx.selectFrom('families').select('family_id').where('synthetic', '=', false).execute()
  const counts: RecomputeCounts = { families: families.length, series: 0, byInstrument: {}, synthetic: 0 }
  await trx.deleteFrom('reference_series').where('synthetic', '=', false).execute()
  const chunk = 500
  for (let i = 0; i < families.length; i += chunk) {
    const facts = await loadFamilyFacts(trx, families.slice(i, i + chunk).map((f) => f.family_id))
    const rows = buildSeries(facts.ratings.map((r) => r.fact).filter((r) => codes.has(r.instrument)))
      .map((s) => referenceSeriesOf(s, referenceKeyOf))
      .filter((r) => r !== null)
    for (const r of rows) counts.byInstrument[r.instrument] = (counts.byInstrument[r.instrument] ?? 0) + 1
    counts.series += rows.length
    for (let k = 0; k < rows.length; k += 1000) {
      await trx
        .insertInto('reference_series')
        .values(rows.slice(k, k + 1000).map((r) => ({ municipality_id: municipalityId, instrument_code: r.instrument, series_key: r.key, intake: r.intake, scores: r.scores as number[] })))
        .execute()
    }
    onProgress?.(Math.min(i + chunk, families.length), families.length)
  }
  const synthetic = await trx.selectFrom('reference_series').select((eb) => eb.fn.countAll<number>().as('n')).where('synthetic', '=', true).executeTakeFirstOrThrow()
  counts.synthetic = Number(synthetic.n)
  return counts
}
