import t from 'tap'
import { daysAgo, testApp } from '../../helpers/app.js'
import { createFamily } from '../../helpers/fixtures.js'

// A write that read the family just before a concurrent erasure committed then inserts against a
// deleted parent: the foreign-key violation (23503) is not mapped and leaves as a 500.
t.test('a write racing an erasure answers 404, not 500', async (t) => {
  const app = await testApp(t)
  const statuses: number[] = []
  for (let i = 0; i < 10; i++) {
    const f = await createFamily(t, app)
    const [, post] = await Promise.all([
      app.call('DELETE', `/v1/families/${f.id}`),
      app.call('POST', `/v1/families/${f.id}/sessions`, { body: { heldOn: daysAgo(5), kind: 'office' } }),
    ])
    statuses.push(post.statusCode)
  }
  t.notOk(statuses.includes(500), `POST session statuses while erasing: ${statuses.join(',')}`)
})
