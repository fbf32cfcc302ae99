import t from 'tap'
import { sql } from 'kysely'
import { seedDemo } from '../../service/cli/demo-data.js'
import { inMunicipality } from '../../service/db/kysely.js'
import { bandModelsFromReference } from '../../service/domain/band-models.js'
import { findFamilyRow } from '../../service/repositories/families.js'
import { refitMissingBandModels } from '../../service/expected-bands/reference-series.js'
import { rebuildStaleState } from '../../service/state/stored-state.js'
import { progressToPoints } from '../../service/routes/present-progress.js'
import { referenceKeyOf } from '../../service/repositories/band-models.js'
import { loadFamilyFacts } from '../../service/repositories/family-facts.js'
import { progressContext, progressOf } from '../../service/progress/progress.js'
import { testApp, type TestApp } from '../helpers/app.js'

/** Every family's progress as the domain computes it from the whole reference cohort. */
async function fromCohort(ctx: TestApp, familyIds: string[]) {
  const m = ctx.municipality.municipalityId
  return inMunicipality(ctx.db, m, async (trx) => {
    const context = await progressContext(trx)
    const rows = await trx.selectFrom('reference_series').select(['series_key', 'instrument_code', 'intake', 'scores']).execute()
    const cohort = rows.map((r) => ({ key: r.series_key, instrument: r.instrument_code, intake: r.intake, scores: r.scores }))
    const out = new Map<string, unknown>()
    for (const id of familyIds) {
      const family = (await findFamilyRow(trx, id))!
      const facts = await loadFamilyFacts(trx, [id])
      const progress = progressOf([family], facts, context, bandModelsFromReference(cohort, context.settings.expectedBandMinSeries, referenceKeyOf)).get(id)!
      out.set(id, JSON.parse(JSON.stringify(progressToPoints(progress))))
    }
    return out
  })
}

async function viaApi(ctx: TestApp, familyIds: string[]) {
  const out = new Map<string, unknown>()
  for (const id of familyIds) {
    const r = await ctx.call('GET', `/v1/families/${id}/progress`)
    if (r.statusCode !== 200) throw new Error(r.body)
    out.set(id, r.json())
  }
  return out
}

t.test('progress from stored band models equals progress from the whole reference cohort', async (t) => {
  const ctx = await testApp(t)
  await seedDemo(ctx.db, ctx.municipality.municipalityId)
  const ids = ((await ctx.call('GET', '/v1/families?limit=200')).json().items as { id: string }[]).map((f) => f.id)
  const expected = await fromCohort(ctx, ids)
  const actual = await viaApi(ctx, ids)
  let bands = 0
  for (const id of ids) {
    t.same(actual.get(id), expected.get(id), `family ${id}: the same payload, bands and flags included`)
    const members = (actual.get(id) as { members: { series: { expected: unknown }[] }[] }).members
    bands += members.flatMap((m) => m.series).filter((s) => s.expected !== null).length
  }
  const own = Number(
    (
      await inMunicipality(ctx.db, ctx.municipality.municipalityId, (trx) =>
        sql<{ n: number }>`SELECT count(*)::int AS n FROM reference_series WHERE NOT synthetic AND own_cohort_size IS NOT NULL`.execute(trx),
      )
    ).rows[0].n,
  )
  t.ok(bands >= 5, `bands are shown (${bands} series)`)
  t.ok(own >= 5, `demo series are reference series of their own, each with its model without itself (${own})`)

  // A database from before stored models: reference series without models, and stored state
  // without them either (as sql/010 leaves it). The start fits the models, then rebuilds the state.
  await inMunicipality(ctx.db, ctx.municipality.municipalityId, async (trx) => {
    await trx.deleteFrom('band_models').execute()
    await trx.updateTable('reference_series').set({ own_a25: null, own_a50: null, own_a75: null, own_cohort_size: null }).execute()
    await trx.updateTable('series_state').set({ band_model: null }).execute()
  })
  const without = await viaApi(ctx, ids)
  t.notOk(
    [...without.values()].some((p) => (p as { members: { series: { expected: unknown }[] }[] }).members.some((m) => m.series.some((s) => s.expected !== null))),
    'without stored models no band is shown (no request fits one)',
  )
  const messages: string[] = []
  t.equal(await refitMissingBandModels(ctx.db, (m) => messages.push(m)), 1, 'one municipality refitted')
  t.match(messages[0], /fitting the expected-band models/)
  t.equal(await refitMissingBandModels(ctx.db, () => {}), 0, 'and nothing left to do on the next start')
  t.equal(await rebuildStaleState(ctx.db, () => {}), 1, "the refitted municipality's stored state is rebuilt")
  const refitted = await viaApi(ctx, ids)
  for (const id of ids) t.same(refitted.get(id), expected.get(id), `family ${id}: the same again after the refit`)
})

t.test('recompute stores one model per instrument and intake in reach, and changing the minimum needs no refit', async (t) => {
  const ctx = await testApp(t)
  await seedDemo(ctx.db, ctx.municipality.municipalityId)
  const r = await ctx.call('POST', '/v1/expected-bands/recompute')
  t.equal(r.statusCode, 200, r.body)
  const counts = r.json()
  const stored = await inMunicipality(ctx.db, ctx.municipality.municipalityId, (trx) =>
    trx.selectFrom('band_models').select(['instrument_code', 'intake', 'cohort_size']).execute(),
  )
  t.equal(counts.models, stored.length, 'the count is what is stored')
  t.same([...new Set(stored.map((m) => m.instrument_code))].sort(), ['CORS', 'ORS'], 'outcome instruments only')
  const ids = ((await ctx.call('GET', '/v1/families?limit=200')).json().items as { id: string }[]).map((f) => f.id)
  t.equal((await ctx.call('PATCH', '/v1/settings', { body: { expectedBandMinSeries: 100000 } })).statusCode, 200)
  const none = await viaApi(ctx, ids)
  t.notOk(
    [...none.values()].some((p) => (p as { members: { series: { expected: unknown }[] }[] }).members.some((m) => m.series.some((s) => s.expected !== null))),
    'no cohort is that large: no band anywhere',
  )
  const expected = await fromCohort(ctx, ids)
  for (const id of ids) t.same(none.get(id), expected.get(id), `family ${id}: as the cohort gives it under the new minimum`)
})
