import t from 'tap'
import { daysAgo, testApp } from '../helpers/app.js'
import { assertProblem, auditEvents, countRows, createFamily, createSession, ors } from '../helpers/fixtures.js'

t.test('POST /v1/sessions/{id}/ratings adds one rating', async (t) => {
  const app = await testApp(t)
  const f = await createFamily(t, app)
  const s = await createSession(t, app, f.id, { heldOn: daysAgo(1), ratings: [ors(f.m.Mor.id)] })
  const res = await app.call('POST', `/v1/sessions/${s.id}/ratings`, {
    body: { memberId: f.m.Mor.id, instrument: 'SRS', rater: 'self', items: [9.1, 8.7, 9.9, 10] },
  })
  t.equal(res.statusCode, 201, res.body)
  const rating = res.json()
  t.match(rating, {
    sessionId: s.id,
    memberId: f.m.Mor.id,
    instrument: 'SRS',
    rater: 'self',
    raterMemberId: null,
    items: [9.1, 8.7, 9.9, 10],
    total: 37.7,
    instrumentOverride: null,
  })
  t.equal(res.headers.location, `/v1/sessions/${s.id}/ratings/${rating.id}`)
  const back = (await app.call('GET', `/v1/sessions/${s.id}`)).json()
  t.equal(back.ratings.length, 2)
  t.same(back.ratings[1], rating, 'the session shows the added rating after the first')

  assertProblem(t, await app.call('POST', '/v1/sessions/00000000-0000-4000-8000-000000000000/ratings', { body: ors(f.m.Mor.id) }), {
    status: 404,
    type: 'not-found',
  })
  assertProblem(t, await app.call('POST', `/v1/sessions/${s.id}/ratings`, { body: [ors(f.m.Tenåring.id)] }), { status: 400, type: 'validation' })
  assertProblem(t, await app.call('POST', `/v1/sessions/${s.id}/ratings`, { body: { ...ors(f.m.Tenåring.id), memberId: undefined } }), {
    status: 400,
    type: 'validation',
    path: '/memberId',
  })
})

t.test('PUT /v1/sessions/{id}/ratings/{ratingId} corrects a rating; the old value is in the audit trail', async (t) => {
  const app = await testApp(t)
  const f = await createFamily(t, app)
  const s = await createSession(t, app, f.id, { heldOn: daysAgo(1), ratings: [ors(f.m.Mor.id, [1, 2, 3, 4]), ors(f.m.Tenåring.id)] })
  const old = s.ratings[0]
  const url = `/v1/sessions/${s.id}/ratings/${old.id}`
  const res = await app.call('PUT', url, { body: ors(f.m.Mor.id, [4.4, 3.3, 2.2, 1.1]) })
  t.equal(res.statusCode, 200, res.body)
  t.match(res.json(), { id: old.id, sessionId: s.id, items: [4.4, 3.3, 2.2, 1.1], total: 11 })
  t.same((await app.call('GET', `/v1/sessions/${s.id}`)).json().ratings[0], res.json(), 'the correction is stored')

  const events = (await auditEvents(app.db, app.municipality.municipalityId)).filter((e) => e.action === 'rating.correct')
  t.equal(events.length, 1, 'one audit event for the correction')
  t.equal(events[0].resource, `rating/${old.id}`)
  t.equal(events[0].family_id, f.id)
  t.same(events[0].detail.previous.items, [1, 2, 3, 4], 'the old items are kept in audit_events.detail')
  t.equal(events[0].detail.previous.total, 10, 'and the old total')

  const toTotal = await app.call('PUT', url, { body: { memberId: f.m.Mor.id, instrument: 'ORS', rater: 'self', total: 12.3 } })
  t.equal(toTotal.statusCode, 200)
  t.match(toTotal.json(), { items: null, total: 12.3 })

  assertProblem(t, await app.call('PUT', url, { body: ors(f.m.Tenåring.id) }), { status: 422, type: 'rule', mentions: 'already' })
  assertProblem(t, await app.call('PUT', url, { body: { ...ors(f.m.Mor.id), extra: 1 } }), { status: 400, type: 'validation', path: '/extra' })
  assertProblem(t, await app.call('PUT', `/v1/sessions/${s.id}/ratings/00000000-0000-4000-8000-000000000000`, { body: ors(f.m.Mor.id) }), {
    status: 404,
    type: 'not-found',
  })
  const s2 = await createSession(t, app, f.id, { heldOn: daysAgo(2) })
  assertProblem(t, await app.call('PUT', `/v1/sessions/${s2.id}/ratings/${old.id}`, { body: ors(f.m.Mor.id) }), {
    status: 404,
    type: 'not-found',
    mentions: 'rating',
  })
})

t.test('DELETE /v1/sessions/{id}/ratings/{ratingId} removes one rating', async (t) => {
  const app = await testApp(t)
  const f = await createFamily(t, app)
  const s = await createSession(t, app, f.id, { heldOn: daysAgo(1), ratings: [ors(f.m.Mor.id, [1, 2, 3, 4]), ors(f.m.Tenåring.id)] })
  const other = await createSession(t, app, f.id, { heldOn: daysAgo(2) })
  const [gone, kept] = s.ratings
  assertProblem(t, await app.call('DELETE', `/v1/sessions/${other.id}/ratings/${gone.id}`), { status: 404, type: 'not-found' })
  const res = await app.call('DELETE', `/v1/sessions/${s.id}/ratings/${gone.id}`)
  t.equal(res.statusCode, 204)
  t.equal(res.body, '')
  t.same(
    (await app.call('GET', `/v1/sessions/${s.id}`)).json().ratings.map((r: { id: string }) => r.id),
    [kept.id],
  )
  assertProblem(t, await app.call('DELETE', `/v1/sessions/${s.id}/ratings/${gone.id}`), { status: 404, type: 'not-found' })
  assertProblem(t, await app.call('PUT', `/v1/sessions/${s.id}/ratings/${gone.id}`, { body: ors(f.m.Mor.id) }), { status: 404, type: 'not-found' })
  const events = (await auditEvents(app.db, app.municipality.municipalityId)).filter((e) => e.action === 'rating.delete')
  t.equal(events.length, 1)
  t.same(events[0].detail.previous.items, [1, 2, 3, 4], 'the removed value stays in the audit trail')
  t.equal(await countRows(app.db, app.municipality.municipalityId, 'ratings'), 1)
  const re = await app.call('POST', `/v1/sessions/${s.id}/ratings`, { body: ors(f.m.Mor.id) })
  t.equal(re.statusCode, 201, 'after removal the rating may be given again')
})

t.test('two concurrent identical ratings: one 201, one 422', async (t) => {
  const app = await testApp(t)
  const f = await createFamily(t, app)
  for (let round = 0; round < 3; round++) {
    const s = await createSession(t, app, f.id, { heldOn: daysAgo(round + 1) })
    const body = ors(f.m.Mor.id)
    const answers = await Promise.all([app.call('POST', `/v1/sessions/${s.id}/ratings`, { body }), app.call('POST', `/v1/sessions/${s.id}/ratings`, { body })])
    t.same(answers.map((a) => a.statusCode).sort(), [201, 422], `round ${round}`)
    assertProblem(
      t,
      answers.find((a) => a.statusCode === 422)!,
      { status: 422, type: 'rule', mentions: 'already' },
    )
    t.equal(await countRows(app.db, app.municipality.municipalityId, 'ratings', { column: 'session_id', value: s.id }), 1)
  }
})
