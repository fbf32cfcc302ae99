import t from 'tap'
import { daysAgo, testApp } from '../../helpers/app.js'
import { createFamily, createSession } from '../../helpers/fixtures.js'

// docs/rules.md: the instrument follows from the rated person's age on the conversation date (a
// mismatch is a 422 unless overridden) and nobody under 3 is rated. PATCH /v1/sessions/{id}
// re-checks every rating when heldOn moves, and a member's birthDate correction does the same, so
// a correction cannot leave ratings that the API would have refused.
t.test('correcting a birth date cannot leave ratings that break the age rules', async (t) => {
  const app = await testApp(t)
  const f = await createFamily(t, app)
  const heldOn = daysAgo(30)
  await createSession(t, app, f.id, { heldOn, ratings: [{ memberId: f.m.Barn.id, instrument: 'CORS', rater: 'self', items: [5, 5, 5, 5] }] })

  // Barn (9) was rated on CORS 30 days ago; now say Barn was born 10 days ago.
  const res = await app.call('PATCH', `/v1/families/${f.id}/members/${f.m.Barn.id}`, { body: { birthDate: daysAgo(10) } })
  t.equal(res.statusCode, 422, `PATCH birthDate after a rated session: ${res.statusCode} ${res.body.slice(0, 200)}`)

  t.match(res.json().errors[0], { path: '/birthDate', message: /under 3/ }, 'it says which rating would break the rule')
  const member = await app.call('GET', `/v1/families/${f.id}/members/${f.m.Barn.id}`)
  t.not(member.json().birthDate, daysAgo(10), 'the birth date is unchanged')

  // A correction that keeps every rating fitting (still a child on CORS) goes through.
  const fine = await app.call('PATCH', `/v1/families/${f.id}/members/${f.m.Barn.id}`, { body: { birthDate: daysAgo(Math.round(10.5 * 365.25)) } })
  t.equal(fine.statusCode, 200, fine.body)

  const progress = await app.call('GET', `/v1/families/${f.id}/progress`)
  t.equal(progress.statusCode, 200, 'progress still answers')
})

// Other raters rate children and adolescents only. A parent's ORS about a 17-year-old stays
// valid only while the corrected dates keep him under 18 on that conversation.
t.test('a correction cannot turn a parent rating into a rating about an adult', async (t) => {
  const app = await testApp(t)
  const eighteenIn = 60 // days from today until Jonas turns 18
  const birth = new Date(Date.now() + eighteenIn * 86400000)
  birth.setUTCFullYear(birth.getUTCFullYear() - 18)
  const f = await createFamily(t, app, {
    startedOn: daysAgo(300),
    members: [
      { alias: 'Mor', role: 'adult', birthDate: daysAgo(40 * 365) },
      { alias: 'Jonas', role: 'child', birthDate: birth.toISOString().slice(0, 10) },
    ],
  })
  const session = await createSession(t, app, f.id, {
    heldOn: daysAgo(100),
    ratings: [{ memberId: f.m.Jonas.id, instrument: 'ORS', rater: 'parent', raterMemberId: f.m.Mor.id, items: [5, 5, 5, 5] }],
  })

  // Born 200 days earlier, Jonas was 18 at that conversation.
  const older = new Date(birth.getTime() - 200 * 86400000).toISOString().slice(0, 10)
  const res = await app.call('PATCH', `/v1/families/${f.id}/members/${f.m.Jonas.id}`, { body: { birthDate: older } })
  t.equal(res.statusCode, 422, `birth date correction: ${res.body.slice(0, 200)}`)
  t.match(res.json().errors[0], { path: '/birthDate', message: /parent .* about an adult/ })

  // Born 120 days earlier he turned 18 sixty days ago: still 17 at the conversation, so the
  // correction goes through; but moving the conversation to ten days ago would make him 18.
  const earlier = new Date(birth.getTime() - 120 * 86400000).toISOString().slice(0, 10)
  t.equal(
    (await app.call('PATCH', `/v1/families/${f.id}/members/${f.m.Jonas.id}`, { body: { birthDate: earlier } })).statusCode,
    200,
    'a correction that keeps him 17 then goes through',
  )
  const moved = await app.call('PATCH', `/v1/sessions/${session.id}`, { body: { heldOn: daysAgo(10) } })
  t.equal(moved.statusCode, 422, `session date correction: ${moved.body.slice(0, 200)}`)
  t.match(moved.json().errors[0], { path: '/heldOn', message: /parent .* about an adult/ })
})
