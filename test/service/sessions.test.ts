import t from 'tap'
import { daysAgo, testApp } from '../helpers/app.js'
import { addDays, assertProblem, countRows, createFamily, createSession, minusYears, ors, safeDaysAgo } from '../helpers/fixtures.js'

t.test('POST /v1/families/{id}/sessions logs a conversation with its ratings', async (t) => {
  const app = await testApp(t)
  const f = await createFamily(t, app)
  const body = {
    heldOn: daysAgo(7),
    kind: 'home-visit',
    note: 'Første samtale',
    ratings: [
      ors(f.m.Mor.id, [5.5, 6.1, 7, 4.9]),
      { memberId: f.m.Barn.id, instrument: 'CORS', rater: 'self', total: 31.4 },
      { memberId: f.m.Barn.id, instrument: 'CORS', rater: 'parent', raterMemberId: f.m.Mor.id, items: [3, 4, 5, 6] },
      { memberId: f.m.Liten.id, instrument: 'YCORS', rater: 'self', items: [7.5] },
      { memberId: f.m.Mor.id, instrument: 'SRS', rater: 'self', items: [9, 9.5, 10, 9.8] },
    ],
  }
  const res = await app.call('POST', `/v1/families/${f.id}/sessions`, { body })
  t.equal(res.statusCode, 201, res.body)
  const s = res.json()
  t.equal(res.headers.location, `/v1/sessions/${s.id}`)
  t.match(s, { familyId: f.id, heldOn: body.heldOn, kind: 'home-visit', note: 'Første samtale' })
  t.same(
    s.ratings.map((r: any) => ({
      memberId: r.memberId,
      instrument: r.instrument,
      rater: r.rater,
      raterMemberId: r.raterMemberId,
      items: r.items,
      total: r.total,
      instrumentOverride: r.instrumentOverride,
    })),
    [
      { memberId: f.m.Mor.id, instrument: 'ORS', rater: 'self', raterMemberId: null, items: [5.5, 6.1, 7, 4.9], total: 23.5, instrumentOverride: null },
      { memberId: f.m.Barn.id, instrument: 'CORS', rater: 'self', raterMemberId: null, items: null, total: 31.4, instrumentOverride: null },
      { memberId: f.m.Barn.id, instrument: 'CORS', rater: 'parent', raterMemberId: f.m.Mor.id, items: [3, 4, 5, 6], total: 18, instrumentOverride: null },
      { memberId: f.m.Liten.id, instrument: 'YCORS', rater: 'self', raterMemberId: null, items: [7.5], total: 7.5, instrumentOverride: null },
      { memberId: f.m.Mor.id, instrument: 'SRS', rater: 'self', raterMemberId: null, items: [9, 9.5, 10, 9.8], total: 38.3, instrumentOverride: null },
    ],
    'every rating comes back in the order given, with ids and exact scores',
  )
  for (const r of s.ratings) {
    t.match(r.id, /^[0-9a-f-]{36}$/)
    t.equal(r.sessionId, s.id)
  }
  const back = await app.call('GET', `/v1/sessions/${s.id}`)
  t.equal(back.statusCode, 200)
  t.same(back.json(), s, 'GET returns the session exactly as created')

  const empty = await createSession(t, app, f.id, { heldOn: daysAgo(2), kind: 'phone' })
  t.same(empty.ratings, [], 'a session may be opened without ratings')
  t.equal(empty.note, null)
})

t.test('POST /v1/families/{id}/sessions rejects bad sessions', async (t) => {
  const app = await testApp(t)
  const f = await createFamily(t, app, { startedOn: daysAgo(100) })
  const url = `/v1/families/${f.id}/sessions`
  const post = (body: unknown) => app.call('POST', url, { body })
  assertProblem(t, await post({ kind: 'office' }), { status: 400, type: 'validation', path: '/heldOn' })
  assertProblem(t, await post({ heldOn: daysAgo(1), kind: 'coffee' }), { status: 400, type: 'validation', path: '/kind' })
  assertProblem(t, await post({ heldOn: daysAgo(1), kind: 'office', note: 'x'.repeat(2001) }), { status: 400, type: 'validation', path: '/note' })
  assertProblem(t, await post({ heldOn: daysAgo(1), kind: 'office', location: 'home' }), { status: 400, type: 'validation', path: '/location' })
  assertProblem(t, await post({ heldOn: daysAgo(1), kind: 'office', ratings: {} }), { status: 400, type: 'validation', path: '/ratings' })
  assertProblem(t, await post({ heldOn: daysAgo(-2), kind: 'office' }), { status: 422, type: 'rule', path: '/heldOn', mentions: 'future' })
  assertProblem(t, await post({ heldOn: daysAgo(101), kind: 'office' }), { status: 422, type: 'rule', path: '/heldOn', mentions: 'started' })
  assertProblem(t, await app.call('POST', '/v1/families/00000000-0000-4000-8000-000000000000/sessions', { body: { heldOn: daysAgo(1), kind: 'office' } }), {
    status: 404,
    type: 'not-found',
  })
  const ended = await app.call('PATCH', `/v1/families/${f.id}`, { body: { endedOn: daysAgo(10), ending: 'planned' } })
  t.equal(ended.statusCode, 200)
  assertProblem(t, await post({ heldOn: daysAgo(5), kind: 'office' }), { status: 422, type: 'rule', path: '/heldOn', mentions: 'ended' })
  t.equal(await countRows(app.db, app.municipality.municipalityId, 'sessions'), 0, 'no session was stored')
})

t.test('GET /v1/families/{id}/sessions lists newest first, paginated', async (t) => {
  const app = await testApp(t)
  const f = await createFamily(t, app)
  const other = await createFamily(t, app)
  const dates = [20, 5, 40, 5, 1, 30]
  const created: { id: string; heldOn: string }[] = []
  for (const d of dates) {
    const s = await createSession(t, app, f.id, { heldOn: daysAgo(d), ratings: [ors(f.m.Mor.id)] })
    created.push({ id: s.id, heldOn: s.heldOn })
  }
  await createSession(t, app, other.id, { heldOn: daysAgo(2) })
  // By date, newest first; of the two on the same day the one logged later comes first.
  const expected = [created[4], created[3], created[1], created[0], created[5], created[2]].map((s) => s.id)
  const seen: any[] = []
  let cursor: string | null = null
  let pages = 0
  do {
    const res = await app.call('GET', `/v1/families/${f.id}/sessions?limit=4${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)
    t.equal(res.statusCode, 200, res.body)
    seen.push(...res.json().items)
    cursor = res.json().nextCursor
    pages++
  } while (cursor !== null && pages < 5)
  t.equal(pages, 2)
  t.same(
    seen.map((s) => s.id),
    expected,
    'newest first across pages, no duplicates or gaps',
  )
  t.equal(seen[0].ratings.length, 1, 'each session carries its ratings')
  t.equal(seen[0].ratings[0].total, 26)

  assertProblem(t, await app.call('GET', `/v1/families/${f.id}/sessions?limit=500`), { status: 400, type: 'validation', path: '/limit' })
  assertProblem(t, await app.call('GET', `/v1/families/${f.id}/sessions?cursor=${Buffer.from('[1]').toString('base64url')}`), {
    status: 400,
    type: 'validation',
    path: '/cursor',
  })
  assertProblem(t, await app.call('GET', '/v1/families/00000000-0000-4000-8000-000000000000/sessions'), { status: 404, type: 'not-found' })
})

t.test('PATCH /v1/sessions/{id} corrects heldOn and kind', async (t) => {
  const app = await testApp(t)
  const f = await createFamily(t, app, { startedOn: daysAgo(60) })
  const s = await createSession(t, app, f.id, { heldOn: daysAgo(10), kind: 'office', ratings: [ors(f.m.Mor.id)] })
  const res = await app.call('PATCH', `/v1/sessions/${s.id}`, { body: { heldOn: daysAgo(12), kind: 'video' } })
  t.equal(res.statusCode, 200, res.body)
  t.match(res.json(), { id: s.id, heldOn: daysAgo(12), kind: 'video' })
  t.same(res.json().ratings, s.ratings, 'the ratings are kept')
  t.same((await app.call('GET', `/v1/sessions/${s.id}`)).json(), res.json())

  assertProblem(t, await app.call('PATCH', `/v1/sessions/${s.id}`, { body: {} }), { status: 400, type: 'validation' })
  assertProblem(t, await app.call('PATCH', `/v1/sessions/${s.id}`, { body: { kind: 'walk' } }), { status: 400, type: 'validation', path: '/kind' })
  assertProblem(t, await app.call('PATCH', `/v1/sessions/${s.id}`, { body: { familyId: f.id } }), { status: 400, type: 'validation', path: '/familyId' })
  assertProblem(t, await app.call('PATCH', `/v1/sessions/${s.id}`, { body: { heldOn: daysAgo(-3) } }), { status: 422, type: 'rule', path: '/heldOn' })
  assertProblem(t, await app.call('PATCH', `/v1/sessions/${s.id}`, { body: { heldOn: daysAgo(61) } }), { status: 422, type: 'rule', path: '/heldOn' })
  assertProblem(t, await app.call('PATCH', '/v1/sessions/00000000-0000-4000-8000-000000000000', { body: { kind: 'phone' } }), {
    status: 404,
    type: 'not-found',
  })
  t.equal((await app.call('GET', `/v1/sessions/${s.id}`)).json().heldOn, daysAgo(12), 'rejected changes left the session alone')
})

t.test('PATCH /v1/sessions/{id} refuses a date on which a rating no longer fits the age', async (t) => {
  const app = await testApp(t)
  // Turned 13 thirty days ago: CORS fitted forty days ago, not now.
  const thirteenth = safeDaysAgo(30)
  const f = await createFamily(t, app, { startedOn: daysAgo(100), members: [{ alias: 'Ida', role: 'child', birthDate: minusYears(thirteenth, 13) }] })
  const s = await createSession(t, app, f.id, {
    heldOn: daysAgo(40),
    ratings: [{ memberId: f.m.Ida.id, instrument: 'CORS', rater: 'self', items: [5, 5, 5, 5] }],
  })
  assertProblem(t, await app.call('PATCH', `/v1/sessions/${s.id}`, { body: { heldOn: daysAgo(10) } }), {
    status: 422,
    type: 'rule',
    path: '/heldOn',
    mentions: 'ORS',
  })
  t.equal(
    (await app.call('PATCH', `/v1/sessions/${s.id}`, { body: { heldOn: addDays(thirteenth, -1) } })).statusCode,
    200,
    'the day before the birthday still fits',
  )
})

t.test('DELETE /v1/sessions/{id} removes the session and its ratings', async (t) => {
  const app = await testApp(t)
  const f = await createFamily(t, app)
  const s = await createSession(t, app, f.id, { heldOn: daysAgo(3), ratings: [ors(f.m.Mor.id)] })
  const keep = await createSession(t, app, f.id, { heldOn: daysAgo(2), ratings: [ors(f.m.Mor.id)] })
  const del = await app.call('DELETE', `/v1/sessions/${s.id}`)
  t.equal(del.statusCode, 204)
  t.equal(del.body, '')
  assertProblem(t, await app.call('GET', `/v1/sessions/${s.id}`), { status: 404, type: 'not-found' })
  assertProblem(t, await app.call('DELETE', `/v1/sessions/${s.id}`), { status: 404, type: 'not-found' })
  const mun = app.municipality.municipalityId
  t.equal(await countRows(app.db, mun, 'ratings', { column: 'session_id', value: s.id }), 0, 'its ratings are gone')
  t.equal(await countRows(app.db, mun, 'ratings', { column: 'session_id', value: keep.id }), 1, 'other sessions keep theirs')
  t.same(
    (await app.call('GET', `/v1/families/${f.id}/sessions`)).json().items.map((x: { id: string }) => x.id),
    [keep.id],
  )
  assertProblem(t, await app.call('DELETE', '/v1/sessions/not-a-uuid'), { status: 400, type: 'validation', path: '/sessionId' })
})
