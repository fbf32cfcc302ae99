import t from 'tap'
import { inMunicipality } from '../../../service/db/kysely.js'
import { computedStateRows } from '../../../service/state/stored-state.js'
import { daysAgo, testApp } from '../../helpers/app.js'
import { createFamily, createSession, ors } from '../../helpers/fixtures.js'

// A settings change and recompute-bands rebuild the municipality's stored state while writes
// refresh one family's state each. Run side by side, they used to wait on each other's rows (a
// deadlock, answered 500). Now the rebuild takes the families' locks first; both succeed, and
// the stored state is what the rules give afterwards.
t.test('a rebuild and a write to a family at the same time both succeed', async (t) => {
  const app = await testApp(t)
  const f = await createFamily(t, app)
  await createSession(t, app, f.id, { heldOn: daysAgo(40), ratings: [ors(f.m.Mor.id)] })
  const statuses: number[] = []
  for (let i = 0; i < 12; i++) {
    const rebuild =
      i % 2 === 0
        ? app.call('PATCH', '/v1/settings', { body: { thresholds: { ORS: { reliableChange: 3 + (i % 4) } } } })
        : app.call('POST', '/v1/expected-bands/recompute')
    const write = app.call('POST', `/v1/families/${f.id}/sessions`, {
      body: { heldOn: daysAgo(30 - i), kind: 'office', ratings: [ors(f.m.Mor.id, [i % 10, 5, 6, 7])] },
    })
    for (const res of await Promise.all([rebuild, write])) statuses.push(res.statusCode)
  }
  t.same(
    statuses.filter((s) => s >= 500),
    [],
    'no request failed',
  )
  t.equal(statuses.filter((s) => s === 201).length, 12, 'every session stored')
  const m = app.municipality.municipalityId
  const [stored, computed] = await inMunicipality(app.db, m, async (trx) => [
    {
      families: await trx.selectFrom('family_state').selectAll().where('municipality_id', '=', m).orderBy('family_id').execute(),
      series: await trx.selectFrom('series_state').selectAll().where('municipality_id', '=', m).orderBy('family_id').orderBy('position').execute(),
    },
    await computedStateRows(trx, [f.id]),
  ])
  t.same(JSON.parse(JSON.stringify(stored)), JSON.parse(JSON.stringify(computed)), 'the stored state is the state the rules give')
})
