import t from 'tap'
import { testApp, yearsAgo, daysAgo } from '../helpers/app.js'

t.test('create a family, log a session, read it back', async (t) => {
  const { call } = await testApp(t)
  const c = await call('POST', '/v1/coordinators', { body: { externalRef: 'c1', displayName: 'Kari Koordinator' } })
  t.equal(c.statusCode, 201, c.body)
  const f = await call('POST', '/v1/families', {
    body: {
      externalRef: 'F1',
      coordinatorId: c.json().id,
      startedOn: daysAgo(100),
      members: [
        { alias: 'Mor', role: 'adult', birthDate: yearsAgo(35) },
        { alias: 'Barn', role: 'child', birthDate: yearsAgo(9) },
      ],
    },
  })
  t.equal(f.statusCode, 201, f.body)
  const family = f.json()
  const s = await call('POST', `/v1/families/${family.id}/sessions`, {
    body: {
      heldOn: daysAgo(3),
      kind: 'home-visit',
      ratings: [
        { memberId: family.members[0].id, instrument: 'ORS', rater: 'self', items: [5.5, 6.1, 7, 4.9] },
        { memberId: family.members[1].id, instrument: 'CORS', rater: 'self', total: 31.4 },
      ],
    },
  })
  t.equal(s.statusCode, 201, s.body)
  t.same(
    s.json().ratings.map((r: { total: number }) => r.total),
    [23.5, 31.4],
  )
  const back = await call('GET', s.headers.location as string)
  t.equal(back.statusCode, 200)
  t.same(back.json().ratings[0].items, [5.5, 6.1, 7, 4.9])
})
