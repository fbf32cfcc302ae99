import t from 'tap'
import { daysAgo, testApp } from '../../helpers/app.js'
import { createFamily, createSession } from '../../helpers/fixtures.js'

// domain.md: the instrument follows from the rated person's age on the conversation date (a
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
