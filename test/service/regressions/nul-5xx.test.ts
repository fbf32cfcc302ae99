import t from 'tap'
import { daysAgo, testApp } from '../../helpers/app.js'
import { createFamily } from '../../helpers/fixtures.js'

// docs/api.md: bad input is a 4xx. JSON allows "\u0000" in strings and zod accepts it, but PostgreSQL
// text (and jsonb) cannot hold NUL, so the write fails inside the database.
t.test('a NUL character in a string field answers 4xx, not 500', async (t) => {
  const app = await testApp(t)
  const f = await createFamily(t, app)
  const coord = await app.call('POST', '/v1/coordinators', { body: { externalRef: 'C-nul', displayName: 'Kari\u0000Nordmann' } })
  t.ok(coord.statusCode < 500, `POST /v1/coordinators: ${coord.statusCode} ${coord.body.slice(0, 160)}`)
  const session = await app.call('POST', `/v1/families/${f.id}/sessions`, { body: { heldOn: daysAgo(3), kind: 'office', note: 'a\u0000b' } })
  t.ok(session.statusCode < 500, `POST sessions with note: ${session.statusCode} ${session.body.slice(0, 160)}`)
  const list = await app.call('GET', '/v1/families?externalRef=%00')
  t.ok(list.statusCode < 500, `GET /v1/families?externalRef=%00: ${list.statusCode} ${list.body.slice(0, 160)}`)
})
