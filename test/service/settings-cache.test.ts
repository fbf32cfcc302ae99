import t from 'tap'
import { inMunicipality } from '../../service/db/kysely.js'
import { loadInstruments } from '../../service/repositories/instruments.js'
import { testApp } from '../helpers/app.js'

/** ORS reliable change in force, in points, as GET /v1/instruments reports it. */
async function orsReliableChange(ctx: Awaited<ReturnType<typeof testApp>>): Promise<number | null> {
  const r = await ctx.call('GET', '/v1/instruments')
  if (r.statusCode !== 200) throw new Error(r.body)
  return (r.json().items as { code: string; thresholds: { reliableChange: number | null } }[]).find((i) => i.code === 'ORS')!.thresholds.reliableChange
}

t.test('cached instruments follow every settings change at once, from this instance or another', async (t) => {
  const ctx = await testApp(t)
  const m = ctx.municipality.municipalityId
  t.equal(await orsReliableChange(ctx), 5, 'the published default')

  const patched = await ctx.call('PATCH', '/v1/settings', { body: { thresholds: { ORS: { reliableChange: 6 } } } })
  t.equal(patched.statusCode, 200, patched.body)
  t.equal(await orsReliableChange(ctx), 6, 'a change through the API')

  // Another instance writes the same database: only the version it bumps tells this one.
  await inMunicipality(ctx.db, m, (trx) =>
    trx
      .updateTable('instrument_settings')
      .set({ thresholds: JSON.stringify({ reliableChange: 70 }) })
      .where('instrument_code', '=', 'ORS')
      .execute(),
  )
  t.equal(await orsReliableChange(ctx), 7, 'a change by another instance')

  // A transaction that sees its own change and then rolls back must not leave it in the cache.
  await t.rejects(
    inMunicipality(ctx.db, m, async (trx) => {
      await trx
        .updateTable('instrument_settings')
        .set({ thresholds: JSON.stringify({ reliableChange: 90 }) })
        .where('instrument_code', '=', 'ORS')
        .execute()
      const seen = (await loadInstruments(trx)).find((i) => i.def.code === 'ORS')!.def.thresholds.reliableChange
      t.equal(seen, 90, 'inside the transaction its own change is in force')
      throw new Error('roll back')
    }),
  )
  t.equal(await orsReliableChange(ctx), 7, 'after the rollback the committed value again')

  await inMunicipality(ctx.db, m, (trx) => trx.deleteFrom('instrument_settings').execute())
  t.equal(await orsReliableChange(ctx), 5, 'an override removed: the default again')

  // Each municipality has its own entry.
  const other = await ctx.newMunicipality()
  await inMunicipality(ctx.db, other.municipalityId, (trx) =>
    trx
      .insertInto('instrument_settings')
      .values({ municipality_id: other.municipalityId, instrument_code: 'ORS', thresholds: JSON.stringify({ reliableChange: 80 }) })
      .execute(),
  )
  const theirs = await ctx.call('GET', '/v1/instruments', { key: other.apiKey })
  t.equal(theirs.json().items.find((i: { code: string }) => i.code === 'ORS').thresholds.reliableChange, 8, 'the other municipality sees its own')
  t.equal(await orsReliableChange(ctx), 5, 'and this one still its own')
})
