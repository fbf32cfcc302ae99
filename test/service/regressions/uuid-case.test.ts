import t from 'tap'
import { testApp } from '../../helpers/app.js'
import { createFamily } from '../../helpers/fixtures.js'

// Ids are UUIDs; z.uuid() accepts upper-case hex and PostgreSQL compares uuids case-insensitively,
// so an embed token minted with an upper-case id (a .NET host system's Guid.ToString("D").ToUpper(),
// say) is accepted. Its claims are then compared as strings with the lower-case ids the database
// returns (routes/access.ts familyFor, sessions assertSelfReport, families POST), so the
// principal is refused its own data.
t.test('an embed token minted with an upper-case id reaches its own data', async (t) => {
  const app = await testApp(t)
  const f = await createFamily(t, app)

  const coord = await app.call('POST', '/v1/embed-tokens', { body: { role: 'coordinator', coordinatorId: f.coordinatorId.toUpperCase() } })
  t.equal(coord.statusCode, 201, `token minted: ${coord.body.slice(0, 120)}`)
  const cKey = coord.json().token
  const caseload = await app.call('GET', '/v1/caseload', { key: cKey })
  t.equal(caseload.statusCode, 200)
  t.equal(caseload.json().items.length, 1, 'the caseload lists the family (SQL compares uuids)')
  const read = await app.call('GET', `/v1/families/${f.id}`, { key: cKey })
  t.equal(read.statusCode, 200, `the coordinator reads the family in their caseload: ${read.statusCode}`)

  const fam = await app.call('POST', '/v1/embed-tokens', { body: { role: 'family', familyId: f.id.toUpperCase() } })
  t.equal(fam.statusCode, 201)
  const progress = await app.call('GET', `/v1/families/${f.id}/progress`, { key: fam.json().token })
  t.equal(progress.statusCode, 200, `the family reads its own progress: ${progress.statusCode}`)
})
