import fc from 'fast-check'
import t from 'tap'
import { daysAgo, testApp } from '../helpers/app.js'
import { createFamily } from '../helpers/fixtures.js'

/** A score as a person marks it: whole tenths, so 0.0–10.0 per item. */
const item = fc.integer({ min: 0, max: 100 }).map((tenths) => tenths / 10)
const rating = fc.oneof(
  fc.record({ items: fc.array(item, { minLength: 4, maxLength: 4 }) }),
  fc.record({ total: fc.integer({ min: 0, max: 400 }).map((tenths) => tenths / 10) }),
)

t.test('scores come back exactly as entered; the total is the exact sum of the items', async (t) => {
  const app = await testApp(t)
  const f = await createFamily(t, app)
  let run = 0
  await fc.assert(
    fc.asyncProperty(rating, rating, async (adult, child) => {
      run++
      const body = {
        heldOn: daysAgo(1 + (run % 200)),
        kind: 'office',
        ratings: [
          { memberId: f.m.Mor.id, instrument: 'ORS', rater: 'self', ...adult },
          { memberId: f.m.Barn.id, instrument: 'CORS', rater: 'parent', raterMemberId: f.m.Mor.id, ...child },
        ],
      }
      const created = await app.call('POST', `/v1/families/${f.id}/sessions`, { body })
      if (created.statusCode !== 201) throw new Error(`${created.statusCode}: ${created.body}`)
      const back = (await app.call('GET', `/v1/sessions/${created.json().id}`)).json()
      for (const [given, answered, stored] of [
        [adult, created.json().ratings[0], back.ratings[0]],
        [child, created.json().ratings[1], back.ratings[1]],
      ] as const) {
        // What the API answers equals, with Object.is per number, what went in.
        const expectedItems = 'items' in given ? given.items : null
        const tenths = 'items' in given ? given.items.reduce((sum, v) => sum + Math.round(v * 10), 0) : Math.round(given.total * 10)
        const expectedTotal = tenths / 10
        for (const r of [answered, stored]) {
          if (!Object.is(r.total, expectedTotal)) throw new Error(`total ${r.total} for ${JSON.stringify(given)}; expected ${expectedTotal}`)
          if (expectedItems === null ? r.items !== null : r.items.length !== 4 || r.items.some((v: number, i: number) => !Object.is(v, expectedItems[i]))) {
            throw new Error(`items ${JSON.stringify(r.items)} for ${JSON.stringify(given)}`)
          }
        }
      }
    }),
    {
      numRuns: 40,
      examples: [
        // Float sums drift here (0.1 + 0.2 = 0.30000000000000004); tenths do not.
        [{ items: [0.1, 0.2, 0, 0] }, { items: [0.1, 0.2, 0.3, 0.4] }],
        [{ items: [2.4, 9.9, 0.7, 0.3] }, { total: 24.9 }],
        [{ items: [10, 10, 10, 10] }, { items: [0, 0, 0, 0] }],
        [{ total: 40 }, { total: 0 }],
        [{ items: [1.1, 2.2, 3.3, 4.4] }, { total: 0.3 }],
      ],
    },
  )
  t.ok(run >= 40, `the property ran over ${run} sessions`)
  const listed = (await app.call('GET', `/v1/families/${f.id}/sessions?limit=200`)).json().items
  t.equal(listed.length, run, 'every session is listed')
  const exact = listed.find((s: any) => s.ratings[0].items?.join() === '0.1,0.2,0,0')
  t.ok(exact, 'the 0.1 + 0.2 case is listed')
  t.equal(exact?.ratings[0].total, 0.3, 'and its total is exactly 0.3')
})
