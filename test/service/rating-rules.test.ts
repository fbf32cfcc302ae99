import t from 'tap'
import { daysAgo, testApp, type TestApp } from '../helpers/app.js'
import { addDays, assertProblem, BIRTH, countRows, createFamily, createSession, minusYears, ors, safeDaysAgo } from '../helpers/fixtures.js'
import type { Test } from 'tap'

/** POSTs one session with the given ratings to the family. */
function postSession(app: TestApp, familyId: string, ratings: unknown[], heldOn = daysAgo(3)) {
  return app.call('POST', `/v1/families/${familyId}/sessions`, { body: { heldOn, kind: 'office', ratings } })
}

async function rowCounts(app: TestApp) {
  const m = app.municipality.municipalityId
  return {
    sessions: await countRows(app.db, m, 'sessions'),
    ratings: await countRows(app.db, m, 'ratings'),
    audit: await countRows(app.db, m, 'audit_events'),
    idempotency: await countRows(app.db, m, 'idempotency_keys'),
  }
}

t.test('items are 0.0–10.0 with at most one decimal', async (t) => {
  const app = await testApp(t)
  const f = await createFamily(t, app)
  const mor = f.m.Mor.id
  for (const [items, path] of [
    [[5, 5, 10.05, 5], '/ratings/0/items/2'],
    [[-0.1, 5, 5, 5], '/ratings/0/items/0'],
    [[5, 10.1, 5, 5], '/ratings/0/items/1'],
    [[5, 5, 5, 11], '/ratings/0/items/3'],
    [[5, 5, 5, 1.25], '/ratings/0/items/3'],
    [[5, 5, '5', 5], '/ratings/0/items/2'],
    [[5, 5, null, 5], '/ratings/0/items/2'],
  ] as const) {
    assertProblem(t, await postSession(app, f.id, [ors(mor, items as unknown as number[])]), { status: 400, type: 'validation', path })
  }
  const ok = await postSession(app, f.id, [ors(mor, [9.9, 0, 10, 0.1])])
  t.equal(ok.statusCode, 201, ok.body)
  t.same(ok.json().ratings[0].items, [9.9, 0, 10, 0.1])
  t.equal(ok.json().ratings[0].total, 20)
  assertProblem(t, await postSession(app, f.id, [ors(mor, [])]), { status: 400, type: 'validation', path: '/ratings/0/items' })
})

t.test('a total alone is 0.0–40.0 (10.0 for the one-item forms) with one decimal', async (t) => {
  const app = await testApp(t)
  const f = await createFamily(t, app)
  const total = (memberId: string, instrument: string, value: unknown) => ({ memberId, instrument, rater: 'self', total: value })
  assertProblem(t, await postSession(app, f.id, [total(f.m.Mor.id, 'ORS', 40.1)]), { status: 400, type: 'validation', path: '/ratings/0/total' })
  assertProblem(t, await postSession(app, f.id, [total(f.m.Mor.id, 'ORS', -1)]), { status: 400, type: 'validation', path: '/ratings/0/total' })
  assertProblem(t, await postSession(app, f.id, [total(f.m.Mor.id, 'ORS', 25.55)]), { status: 400, type: 'validation', path: '/ratings/0/total' })
  assertProblem(t, await postSession(app, f.id, [total(f.m.Liten.id, 'YCORS', 10.1)]), { status: 400, type: 'validation', path: '/ratings/0/total' })
  const ok = await postSession(app, f.id, [total(f.m.Mor.id, 'ORS', 40), total(f.m.Barn.id, 'CORS', 0), total(f.m.Liten.id, 'YCORS', 10)])
  t.equal(ok.statusCode, 201, ok.body)
  t.same(
    ok.json().ratings.map((r: { items: unknown; total: number }) => [r.items, r.total]),
    [
      [null, 40],
      [null, 0],
      [null, 10],
    ],
  )
})

t.test('a rating has exactly one of items and total, and its instrument’s item count', async (t) => {
  const app = await testApp(t)
  const f = await createFamily(t, app)
  const before = await rowCounts(app)
  const mor = f.m.Mor.id
  const both = await postSession(app, f.id, [{ ...ors(mor), total: 26 }])
  assertProblem(t, both, { status: 400, type: 'validation', mentions: /exactly one of items or total/ })
  t.ok(
    both.json().errors.some((e: { path: string }) => e.path.startsWith('/ratings/0')),
    'the error points into the first rating',
  )
  const neither = await postSession(app, f.id, [{ memberId: mor, instrument: 'ORS', rater: 'self' }])
  assertProblem(t, neither, { status: 400, type: 'validation', mentions: /exactly one of items or total/ })
  t.ok(neither.json().errors.some((e: { path: string }) => e.path.startsWith('/ratings/0')))
  assertProblem(t, await postSession(app, f.id, [ors(f.m.Tenåring.id, [5, 5, 5, 5]), ors(mor, [5, 5, 5])]), {
    status: 400,
    type: 'validation',
    path: '/ratings/1/items',
    mentions: '4 items',
  })
  assertProblem(t, await postSession(app, f.id, [{ memberId: f.m.Liten.id, instrument: 'YCORS', rater: 'self', items: [5, 5] }]), {
    status: 400,
    type: 'validation',
    path: '/ratings/0/items',
  })
  assertProblem(t, await postSession(app, f.id, [{ ...ors(mor), rater: 'neighbour' }]), { status: 400, type: 'validation', path: '/ratings/0/rater' })
  assertProblem(t, await postSession(app, f.id, [{ ...ors(mor), comment: 'fint' }]), { status: 400, type: 'validation', path: '/ratings/0/comment' })
  assertProblem(t, await postSession(app, f.id, [{ ...ors(mor), instrument: 'PHQ9' }]), { status: 422, type: 'rule', path: '/ratings/0/instrument' })
  t.same(await rowCounts(app), before, 'nothing stored')
})

t.test('the instrument must fit the age on the session date; the message names the right one', async (t) => {
  const app = await testApp(t)
  const f = await createFamily(t, app)
  const rate = (memberId: string, instrument: string) => ({ memberId, instrument, rater: 'self', items: instrument.startsWith('YC') ? [5] : [5, 5, 5, 5] })
  const cases: [string, string, string][] = [
    ['Barn', 'ORS', 'CORS'],
    ['Barn', 'YCORS', 'CORS'],
    ['Mor', 'CORS', 'ORS'],
    ['Tenåring', 'CORS', 'ORS'],
    ['Liten', 'CORS', 'YCORS'],
    ['Barn', 'SRS', 'CSRS'],
    ['Mor', 'CSRS', 'SRS'],
    ['Liten', 'SRS', 'YCSRS'],
  ]
  for (const [who, given, right] of cases) {
    assertProblem(t, await postSession(app, f.id, [rate(f.m[who].id, given)]), {
      status: 422,
      type: 'rule',
      path: '/ratings/0/instrument',
      mentions: new RegExp(`use ${right}\\b`),
    })
  }
  const ok = await postSession(app, f.id, [
    rate(f.m.Mor.id, 'ORS'),
    rate(f.m.Tenåring.id, 'ORS'),
    rate(f.m.Barn.id, 'CORS'),
    rate(f.m.Liten.id, 'YCORS'),
    rate(f.m.Mor.id, 'SRS'),
    rate(f.m.Barn.id, 'CSRS'),
    rate(f.m.Liten.id, 'YCSRS'),
  ])
  t.equal(ok.statusCode, 201, ok.body)
})

t.test('the 13th birthday: CORS the day before, ORS on the day', async (t) => {
  const app = await testApp(t)
  const birthday = safeDaysAgo(20)
  const f = await createFamily(t, app, { startedOn: daysAgo(100), members: [{ alias: 'Ida', role: 'child', birthDate: minusYears(birthday, 13) }] })
  const ida = f.m.Ida.id
  const dayBefore = addDays(birthday, -1)
  const rate = (instrument: string) => [{ memberId: ida, instrument, rater: 'self', items: [5, 5, 5, 5] }]
  assertProblem(t, await postSession(app, f.id, rate('ORS'), dayBefore), { status: 422, type: 'rule', path: '/ratings/0/instrument', mentions: 'CORS' })
  t.equal((await postSession(app, f.id, rate('CORS'), dayBefore)).statusCode, 201, 'CORS the day before turning 13')
  assertProblem(t, await postSession(app, f.id, rate('CORS'), birthday), { status: 422, type: 'rule', path: '/ratings/0/instrument', mentions: /use ORS\b/ })
  t.equal((await postSession(app, f.id, rate('ORS'), birthday)).statusCode, 201, 'ORS on the 13th birthday')
  // The alliance forms follow the same boundary.
  t.equal((await postSession(app, f.id, [{ memberId: ida, instrument: 'CSRS', rater: 'self', items: [9, 9, 9, 9] }], addDays(birthday, -2))).statusCode, 201)
  assertProblem(t, await postSession(app, f.id, [{ memberId: ida, instrument: 'CSRS', rater: 'self', items: [9, 9, 9, 9] }], addDays(birthday, 1)), {
    status: 422,
    type: 'rule',
    mentions: /use SRS\b/,
  })
})

t.test('instrumentOverride accepts a mismatch and is stored', async (t) => {
  const app = await testApp(t)
  const f = await createFamily(t, app)
  const res = await postSession(app, f.id, [{ ...ors(f.m.Barn.id), instrumentOverride: { reason: 'Moden for alderen; bruker ORS som søsken' } }])
  t.equal(res.statusCode, 201, res.body)
  t.same(res.json().ratings[0].instrumentOverride, { reason: 'Moden for alderen; bruker ORS som søsken' })
  const back = await app.call('GET', `/v1/sessions/${res.json().id}`)
  t.same(back.json().ratings[0].instrumentOverride, { reason: 'Moden for alderen; bruker ORS som søsken' })
  t.equal(res.json().ratings[0].instrument, 'ORS')
  assertProblem(t, await postSession(app, f.id, [{ ...ors(f.m.Barn.id), instrumentOverride: { reason: '' } }]), {
    status: 400,
    type: 'validation',
    path: '/ratings/0/instrumentOverride/reason',
  })
  assertProblem(t, await postSession(app, f.id, [{ ...ors(f.m.Barn.id), instrumentOverride: {} }]), {
    status: 400,
    type: 'validation',
    path: '/ratings/0/instrumentOverride/reason',
  })
  assertProblem(t, await postSession(app, f.id, [{ ...ors(f.m.Barn.id), instrumentOverride: { reason: 'x', by: 'me' } }]), {
    status: 400,
    type: 'validation',
    path: '/ratings/0/instrumentOverride/by',
  })
})

t.test('nobody under 3 is rated, not even with an override', async (t) => {
  const app = await testApp(t)
  const f = await createFamily(t, app, { members: [{ alias: 'Baby', role: 'child', birthDate: BIRTH.toddler() }] })
  const baby = f.m.Baby.id
  assertProblem(t, await postSession(app, f.id, [{ memberId: baby, instrument: 'YCORS', rater: 'parent', items: [5] }]), {
    status: 422,
    type: 'rule',
    path: '/ratings/0/memberId',
    mentions: 'under 3',
  })
  assertProblem(
    t,
    await postSession(app, f.id, [{ memberId: baby, instrument: 'YCORS', rater: 'parent', items: [5], instrumentOverride: { reason: 'prøver' } }]),
    {
      status: 422,
      type: 'rule',
      path: '/ratings/0/memberId',
    },
  )
})

t.test('members and raters must belong to the family', async (t) => {
  const app = await testApp(t)
  const f = await createFamily(t, app)
  const g = await createFamily(t, app)
  assertProblem(t, await postSession(app, f.id, [ors(f.m.Mor.id), ors(g.m.Mor.id)]), { status: 422, type: 'rule', path: '/ratings/1/memberId' })
  assertProblem(t, await postSession(app, f.id, [ors('00000000-0000-4000-8000-000000000000')]), { status: 422, type: 'rule', path: '/ratings/0/memberId' })
  assertProblem(
    t,
    await postSession(app, f.id, [{ memberId: f.m.Barn.id, instrument: 'CORS', rater: 'parent', raterMemberId: g.m.Mor.id, items: [5, 5, 5, 5] }]),
    {
      status: 422,
      type: 'rule',
      path: '/ratings/0/raterMemberId',
    },
  )
  assertProblem(
    t,
    await postSession(app, f.id, [{ memberId: f.m.Barn.id, instrument: 'CORS', rater: 'self', raterMemberId: f.m.Mor.id, items: [5, 5, 5, 5] }]),
    {
      status: 422,
      type: 'rule',
      path: '/ratings/0/raterMemberId',
    },
  )
})

t.test('alliance is rated by the person themself', async (t) => {
  const app = await testApp(t)
  const f = await createFamily(t, app)
  for (const rater of ['parent', 'coordinator', 'teacher']) {
    assertProblem(
      t,
      await postSession(app, f.id, [
        { memberId: f.m.Tenåring.id, instrument: 'SRS', rater, raterMemberId: rater === 'parent' ? f.m.Mor.id : undefined, items: [9, 9, 9, 9] },
      ]),
      {
        status: 422,
        type: 'rule',
        path: '/ratings/0/rater',
        mentions: 'alliance',
      },
    )
  }
  assertProblem(t, await postSession(app, f.id, [{ memberId: f.m.Barn.id, instrument: 'CSRS', rater: 'parent', items: [9, 9, 9, 9] }]), {
    status: 422,
    type: 'rule',
    path: '/ratings/0/rater',
  })
  const ok = await postSession(app, f.id, [{ memberId: f.m.Barn.id, instrument: 'CORS', rater: 'parent', raterMemberId: f.m.Mor.id, items: [4, 4, 4, 4] }])
  t.equal(ok.statusCode, 201, 'outcome may be rated by a parent')
})

t.test('the session date: not in the municipality’s future, not before the family started', async (t) => {
  const app = await testApp(t)
  const f = await createFamily(t, app, { startedOn: daysAgo(30) })
  assertProblem(t, await postSession(app, f.id, [ors(f.m.Mor.id)], daysAgo(-2)), { status: 422, type: 'rule', path: '/heldOn', mentions: 'future' })
  assertProblem(t, await postSession(app, f.id, [ors(f.m.Mor.id)], daysAgo(31)), { status: 422, type: 'rule', path: '/heldOn', mentions: 'started' })
  t.equal((await postSession(app, f.id, [ors(f.m.Mor.id)], daysAgo(30))).statusCode, 201, 'the start date itself is fine')
  // "Today" is the municipality's: Pacific/Kiritimati (UTC+14) is already at tomorrow when UTC is past 10:00.
  const tz = await app.call('PATCH', '/v1/settings', { body: { timeZone: 'Pacific/Kiritimati' } })
  t.equal(tz.statusCode, 200)
  const kiritimatiToday = new Intl.DateTimeFormat('en-CA', { timeZone: 'Pacific/Kiritimati' }).format(new Date())
  t.equal((await postSession(app, f.id, [ors(f.m.Tenåring.id)], kiritimatiToday)).statusCode, 201, "the municipality's today is allowed")
  assertProblem(t, await postSession(app, f.id, [ors(f.m.Mor.id)], addDays(kiritimatiToday, 1)), { status: 422, type: 'rule', path: '/heldOn' })
})

t.test('one rating per member, instrument, rater and rater member in a session', async (t) => {
  const app = await testApp(t)
  const f = await createFamily(t, app, {
    members: [
      { alias: 'Mor', role: 'adult', birthDate: BIRTH.adult() },
      { alias: 'Far', role: 'adult', birthDate: BIRTH.adult() },
      { alias: 'Barn', role: 'child', birthDate: BIRTH.child() },
    ],
  })
  const { Mor, Far, Barn } = f.m
  const byParent = (raterMemberId?: string) => ({
    memberId: Barn.id,
    instrument: 'CORS',
    rater: 'parent',
    ...(raterMemberId && { raterMemberId }),
    items: [5, 5, 5, 5],
  })
  assertProblem(t, await postSession(app, f.id, [ors(Mor.id), ors(Far.id), ors(Mor.id, [1, 1, 1, 1])]), {
    status: 422,
    type: 'rule',
    path: '/ratings/2',
    mentions: 'already',
  })
  assertProblem(t, await postSession(app, f.id, [byParent(Mor.id), byParent(Mor.id)]), { status: 422, type: 'rule', path: '/ratings/1' })
  assertProblem(t, await postSession(app, f.id, [byParent(), byParent()]), { status: 422, type: 'rule', path: '/ratings/1' })
  const two = await postSession(app, f.id, [
    byParent(Mor.id),
    byParent(Far.id),
    byParent(),
    ors(Mor.id),
    { memberId: Barn.id, instrument: 'CORS', rater: 'self', items: [6, 6, 6, 6] },
  ])
  t.equal(two.statusCode, 201, 'two parents are two series; self and parent differ')

  const s = await createSession(t, app, f.id, { heldOn: daysAgo(2), ratings: [ors(Mor.id)] })
  const addUrl = `/v1/sessions/${s.id}/ratings`
  assertProblem(t, await app.call('POST', addUrl, { body: ors(Mor.id, [2, 2, 2, 2]) }), { status: 422, type: 'rule', path: '', mentions: 'already' })
  const srs = await app.call('POST', addUrl, { body: { memberId: Mor.id, instrument: 'SRS', rater: 'self', items: [9, 9, 9, 9] } })
  t.equal(srs.statusCode, 201, 'the alliance added at the end')
  assertProblem(t, await app.call('POST', addUrl, { body: { memberId: Mor.id, instrument: 'SRS', rater: 'self', items: [8, 8, 8, 8] } }), {
    status: 422,
    type: 'rule',
    mentions: 'already',
  })
  t.equal((await app.call('GET', `/v1/sessions/${s.id}`)).json().ratings.length, 2)
})

t.test('a failed session leaves nothing behind', async (t) => {
  const app = await testApp(t)
  const f = await createFamily(t, app)
  const before = await rowCounts(app)
  assertProblem(t, await postSession(app, f.id, [ors(f.m.Mor.id), ors(f.m.Barn.id)]), { status: 422, type: 'rule', path: '/ratings/1/instrument' })
  t.same(await rowCounts(app), before, 'no session, rating, audit event or idempotency record after a 422')

  // A failure inside the database after the session row is written: the whole request rolls back.
  await app.pool.query(`CREATE FUNCTION test_refuse_rating() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$`)
  await app.pool.query(`CREATE TRIGGER test_refuse_rating BEFORE INSERT ON ratings FOR EACH ROW EXECUTE FUNCTION test_refuse_rating()`)
  const res = await postSession(app, f.id, [ors(f.m.Mor.id)])
  const problem = assertProblem(t, res, { status: 500, type: 'internal' })
  t.notMatch(JSON.stringify(problem), /refused by the test|ratings|stack|at /, 'a 5xx carries no internals')
  t.same(await rowCounts(app), before, 'no session, rating, audit event or idempotency record after a 500')
  await app.pool.query('DROP TRIGGER test_refuse_rating ON ratings')
  t.equal((await postSession(app, f.id, [ors(f.m.Mor.id)])).statusCode, 201)
  t.equal((await rowCounts(app)).sessions, before.sessions + 1)
})

t.test('rules checked when a rating is added later or corrected', async (t: Test) => {
  const app = await testApp(t)
  const f = await createFamily(t, app)
  const s = await createSession(t, app, f.id, { heldOn: daysAgo(2) })
  const url = `/v1/sessions/${s.id}/ratings`
  assertProblem(t, await app.call('POST', url, { body: ors(f.m.Barn.id) }), { status: 422, type: 'rule', path: '/instrument', mentions: 'CORS' })
  assertProblem(t, await app.call('POST', url, { body: ors(f.m.Mor.id, [1, 2, 3]) }), { status: 400, type: 'validation', path: '/items' })
  assertProblem(t, await app.call('POST', url, { body: ors(f.m.Mor.id, [1, 2, 3, 10.01]) }), { status: 400, type: 'validation', path: '/items/3' })
  const r = await app.call('POST', url, { body: ors(f.m.Mor.id) })
  t.equal(r.statusCode, 201)
  const put = `/v1/sessions/${s.id}/ratings/${r.json().id}`
  assertProblem(t, await app.call('PUT', put, { body: { ...ors(f.m.Mor.id), instrument: 'CORS' } }), {
    status: 422,
    type: 'rule',
    path: '/instrument',
    mentions: 'ORS',
  })
  assertProblem(t, await app.call('PUT', put, { body: { memberId: f.m.Mor.id, instrument: 'ORS', rater: 'self', total: 40.5 } }), {
    status: 400,
    type: 'validation',
    path: '/total',
  })
  assertProblem(t, await app.call('PUT', put, { body: { memberId: f.m.Mor.id, instrument: 'SRS', rater: 'parent', items: [9, 9, 9, 9] } }), {
    status: 422,
    type: 'rule',
    path: '/rater',
  })
})
