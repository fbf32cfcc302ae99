import t from 'tap'
import { daysAgo, testApp } from '../../helpers/app.js'
import { createFamily } from '../../helpers/fixtures.js'

// docs/api.md/handlers: no session after the family ended, and a family cannot end before its last
// session. Each rule is checked by reading the other table without a lock, so a PATCH that ends
// the family and a POST of a later session, run at the same time, both pass and both commit.
t.test('ending a family and logging a later session concurrently cannot both succeed', async (t) => {
  const app = await testApp(t)
  let broken = 0
  for (let i = 0; i < 10; i++) {
    const f = await createFamily(t, app)
    const [end, post] = await Promise.all([
      app.call('PATCH', `/v1/families/${f.id}`, { body: { endedOn: daysAgo(20), ending: 'planned' } }),
      app.call('POST', `/v1/families/${f.id}/sessions`, { body: { heldOn: daysAgo(5), kind: 'office' } }),
    ])
    if (end.statusCode === 200 && post.statusCode === 201) broken++
  }
  t.equal(broken, 0, `families ended on day -20 with a session on day -5: ${broken} of 10`)
})
