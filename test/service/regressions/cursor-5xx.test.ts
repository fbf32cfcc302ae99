import t from 'tap'
import { testApp } from '../../helpers/app.js'
import { createFamily } from '../../helpers/fixtures.js'

// docs/api.md: malformed input is a 4xx, never a 5xx. A forged cursor whose JSON shape is right
// (an array of strings/numbers of the right length) passes decodeCursor and reaches PostgreSQL casts.
const cur = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url')

t.test('forged cursors answer 400, not 500', async (t) => {
  const app = await testApp(t)
  const f = await createFamily(t, app)
  const cases: [string, string][] = [
    ['coordinators', `/v1/coordinators?cursor=${cur(['not-a-uuid'])}`],
    ['families', `/v1/families?cursor=${cur(['x', 'y'])}`],
    ['sessions', `/v1/families/${f.id}/sessions?cursor=${cur(['not-a-date', 1, 'x'])}`],
    ['access-log', `/v1/families/${f.id}/access-log?cursor=${cur(['abc'])}`],
    ['caseload', `/v1/caseload?cursor=${cur([0, -1, null, 'x'])}`],
  ]
  for (const [name, url] of cases) {
    const res = await app.call('GET', url)
    t.ok(res.statusCode >= 400 && res.statusCode < 500, `${name}: ${res.statusCode} ${res.body.slice(0, 200)}`)
  }
})
