import t from 'tap'
import { daysAgo, testApp } from '../../helpers/app.js'
import { countRows, createFamily } from '../../helpers/fixtures.js'
import { sql } from 'kysely'

// DELETE /v1/families/{id} removes the stored idempotent responses that hold the family's data
// (exports/routes.ts) in one statement, then the family. A session POST that commits between the
// two leaves its stored response (familyId, heldOn, note, scores) behind after the 204.
t.test('no stored response of the family survives an erasure that raced a write', async (t) => {
  const app = await testApp(t)
  const mun = app.municipality.municipalityId
  let leftovers = 0
  for (let i = 0; i < 10; i++) {
    const f = await createFamily(t, app)
    const [del] = await Promise.all([
      app.call('DELETE', `/v1/families/${f.id}`),
      app.call('POST', `/v1/families/${f.id}/sessions`, { body: { heldOn: daysAgo(5), kind: 'office', note: 'Mor fortalte om ...' } }),
    ])
    t.equal(del.statusCode, 204)
    t.equal(await countRows(app.db, mun, 'families', { column: 'family_id', value: f.id }), 0)
    const r = await sql<{ n: number }>`SELECT count(*)::int AS n FROM idempotency_keys WHERE body->>'familyId' = ${f.id}`.execute(app.db)
    leftovers += r.rows[0].n
  }
  t.equal(leftovers, 0, `stored session responses of erased families left behind: ${leftovers}`)
})
