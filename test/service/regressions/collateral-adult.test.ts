import t from 'tap'
import { daysAgo, testApp } from '../../helpers/app.js'
import { createFamily } from '../../helpers/fixtures.js'

// docs/rules.md "Who rated": the person themself, or a collateral rater (parent, caretaker, teacher,
// coordinator, other) rating *about* a child or adolescent. rules.ts never checks the rated
// person's age for collateral raters, so an adult can be rated by "parent" (a child of the family).
t.test('a collateral rating about an adult is refused', async (t) => {
  const app = await testApp(t)
  const f = await createFamily(t, app)
  const res = await app.call('POST', `/v1/families/${f.id}/sessions`, {
    body: {
      heldOn: daysAgo(3),
      kind: 'office',
      ratings: [{ memberId: f.m.Mor.id, instrument: 'ORS', rater: 'parent', raterMemberId: f.m['Tenåring'].id, items: [5, 5, 5, 5] }],
    },
  })
  t.equal(res.statusCode, 422, `ORS about Mor (35) rated by 'parent' Tenåring: ${res.statusCode}`)
})
