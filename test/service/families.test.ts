import t from 'tap'
import { daysAgo, testApp } from '../helpers/app.js'
import { assertProblem, BIRTH, createCoordinator, createFamily, uniqueRef } from '../helpers/fixtures.js'

t.test('POST /v1/families creates a family with its members', async (t) => {
  const app = await testApp(t)
  const coordinatorId = await createCoordinator(t, app)
  const body = {
    externalRef: 'SAK-2026-001',
    coordinatorId,
    startedOn: daysAgo(30),
    members: [
      { alias: 'Mor', role: 'adult', birthDate: BIRTH.adult() },
      { alias: 'Ola', role: 'child', birthDate: BIRTH.child() },
    ],
  }
  const res = await app.call('POST', '/v1/families', { body })
  t.equal(res.statusCode, 201, res.body)
  t.match(String(res.headers['content-type']), /^application\/json/)
  const family = res.json()
  t.equal(res.headers.location, `/v1/families/${family.id}`)
  t.match(family, { externalRef: 'SAK-2026-001', coordinatorId, startedOn: body.startedOn, endedOn: null, ending: null, status: 'active' })
  t.same(
    family.members.map((m: any) => ({ alias: m.alias, role: m.role, birthDate: m.birthDate })),
    body.members,
    'members come back in the order given, dates exactly as sent',
  )
  for (const m of family.members) t.match(m.id, /^[0-9a-f-]{36}$/, 'each member has an id')
  t.match(family.createdAt, /Z$/, 'createdAt is UTC')

  const back = await app.call('GET', res.headers.location as string)
  t.equal(back.statusCode, 200)
  t.same(back.json(), family, 'GET returns the family exactly as created')

  const noMembers = await app.call('POST', '/v1/families', { body: { externalRef: uniqueRef(), coordinatorId, startedOn: daysAgo(3) } })
  t.equal(noMembers.statusCode, 201, 'members may be omitted')
  t.same(noMembers.json().members, [])
})

t.test('POST /v1/families rejects bad input with the failing field', async (t) => {
  const app = await testApp(t)
  const coordinatorId = await createCoordinator(t, app)
  const valid = { externalRef: uniqueRef(), coordinatorId, startedOn: daysAgo(30), members: [{ alias: 'Mor', role: 'adult', birthDate: BIRTH.adult() }] }
  const post = (body: unknown) => app.call('POST', '/v1/families', { body })

  assertProblem(t, await post({ ...valid, coordinatorId: undefined }), { status: 400, type: 'validation', path: '/coordinatorId' })
  assertProblem(t, await post({ ...valid, coordinatorId: 'not-a-uuid' }), { status: 400, type: 'validation', path: '/coordinatorId' })
  assertProblem(t, await post({ ...valid, startedOn: '2026-02-30' }), { status: 400, type: 'validation', path: '/startedOn' })
  assertProblem(t, await post({ ...valid, startedOn: '14.03.2026' }), { status: 400, type: 'validation', path: '/startedOn' })
  assertProblem(t, await post({ ...valid, externalRef: '' }), { status: 400, type: 'validation', path: '/externalRef' })
  assertProblem(t, await post({ ...valid, members: [{ alias: 'Mor', role: 'parent', birthDate: BIRTH.adult() }] }), {
    status: 400,
    type: 'validation',
    path: '/members/0/role',
  })
  assertProblem(t, await post({ ...valid, members: [valid.members[0], { alias: 'Ola', role: 'child', birthDate: BIRTH.child(), fnr: '01010112345' }] }), {
    status: 400,
    type: 'validation',
    path: '/members/1/fnr',
    mentions: 'fnr',
  })
  assertProblem(t, await post({ ...valid, colour: 'blue' }), { status: 400, type: 'validation', path: '/colour' })

  assertProblem(t, await post({ ...valid, startedOn: daysAgo(-3) }), { status: 422, type: 'rule', path: '/startedOn' })
  assertProblem(t, await post({ ...valid, members: [valid.members[0], { alias: 'Ufødt', role: 'child', birthDate: daysAgo(-30) }] }), {
    status: 422,
    type: 'rule',
    path: '/members/1/birthDate',
  })
  assertProblem(t, await post({ ...valid, coordinatorId: '00000000-0000-4000-8000-000000000000' }), { status: 422, type: 'rule', path: '/coordinatorId' })

  t.equal((await post(valid)).statusCode, 201)
  assertProblem(t, await post({ ...valid, members: [] }), { status: 409, type: 'conflict', mentions: 'externalRef' })

  const list = await app.call('GET', '/v1/families')
  t.equal(list.json().items.length, 1, 'only the one valid family was created')
})

t.test('GET /v1/families pages through every family once, stable under inserts', async (t) => {
  const app = await testApp(t)
  const coordinatorId = await createCoordinator(t, app)
  const created: string[] = []
  for (let i = 0; i < 7; i++) {
    const res = await app.call('POST', '/v1/families', { body: { externalRef: `P-${i}`, coordinatorId, startedOn: daysAgo(10) } })
    t.equal(res.statusCode, 201)
    created.push(res.json().id)
  }
  const seen: string[] = []
  let cursor: string | null = null
  let pages = 0
  do {
    const url: string = `/v1/families?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`
    const res = await app.call('GET', url)
    t.equal(res.statusCode, 200, res.body)
    const page = res.json()
    t.ok(page.items.length <= 3, 'a page holds at most limit items')
    seen.push(...page.items.map((f: { id: string }) => f.id))
    cursor = page.nextCursor
    pages++
    if (pages === 1) {
      // A family created while paging must not shift the pages (no duplicates, no gaps).
      const late = await app.call('POST', '/v1/families', { body: { externalRef: 'P-late', coordinatorId, startedOn: daysAgo(1) } })
      t.equal(late.statusCode, 201)
      created.push(late.json().id)
    }
  } while (cursor !== null && pages < 10)
  t.equal(pages, 3, '8 families in pages of 3')
  t.equal(new Set(seen).size, seen.length, 'no family is listed twice')
  t.same([...seen].sort(), [...created].sort(), 'every family is listed')

  const all = await app.call('GET', '/v1/families')
  t.equal(all.json().items.length, 8, 'default limit covers them all')
  t.equal(all.json().nextCursor, null)

  assertProblem(t, await app.call('GET', '/v1/families?cursor=garbage'), { status: 400, type: 'validation', path: '/cursor' })
  assertProblem(t, await app.call('GET', '/v1/families?limit=0'), { status: 400, type: 'validation', path: '/limit' })
  assertProblem(t, await app.call('GET', '/v1/families?limit=201'), { status: 400, type: 'validation', path: '/limit' })
  assertProblem(t, await app.call('GET', '/v1/families?status=closed'), { status: 400, type: 'validation', path: '/status' })
  assertProblem(t, await app.call('GET', '/v1/families?sort=name'), { status: 400, type: 'validation', path: '/sort' })
})

t.test('GET /v1/families orders by creation to the microsecond, then id, across pages', async (t) => {
  const app = await testApp(t)
  const coordinatorId = await createCoordinator(t, app)
  const ids: string[] = []
  for (let i = 0; i < 5; i++) ids.push((await createFamily(t, app, { coordinatorId, externalRef: `US-${i}` })).id)
  // Within one millisecond (all a JS Date could tell apart) the order is the microseconds, and
  // two families created in the same microsecond are ordered by id.
  const micros = [3, 1, 2, 2, 0]
  for (const [i, id] of ids.entries()) {
    await app.pool.query(`UPDATE families SET created_at = timestamptz '2025-03-04 05:06:07.123000+00' + $2 * interval '1 microsecond' WHERE family_id = $1`, [
      id,
      micros[i],
    ])
  }
  const expected = ids
    .map((id, i) => ({ id, us: micros[i] }))
    .sort((a, b) => a.us - b.us || (a.id < b.id ? -1 : 1))
    .map((f) => f.id)
  const seen: string[] = []
  let cursor: string | null = null
  for (let pages = 0; pages < 10; pages++) {
    const res = await app.call('GET', `/v1/families?limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)
    t.equal(res.statusCode, 200, res.body)
    seen.push(...res.json().items.map((f: { id: string }) => f.id))
    cursor = res.json().nextCursor
    if (cursor === null) break
  }
  t.same(seen, expected, 'each family once, in creation order to the microsecond and then by id')
  const wrongType = Buffer.from(JSON.stringify(['2025-03-04T05:06:07.123Z', ids[0]])).toString('base64url')
  assertProblem(t, await app.call('GET', `/v1/families?cursor=${wrongType}`), { status: 400, type: 'validation', path: '/cursor' })
})

t.test('GET /v1/families filters by coordinator, status and externalRef', async (t) => {
  const app = await testApp(t)
  const kari = await createCoordinator(t, app)
  const per = await createCoordinator(t, app)
  const a = await createFamily(t, app, { coordinatorId: kari, externalRef: 'A' })
  const b = await createFamily(t, app, { coordinatorId: kari, externalRef: 'B' })
  const c = await createFamily(t, app, { coordinatorId: per, externalRef: 'C' })
  const end = await app.call('PATCH', `/v1/families/${b.id}`, { body: { endedOn: daysAgo(1), ending: 'planned' } })
  t.equal(end.statusCode, 200, end.body)

  const ids = async (query: string) => {
    const res = await app.call('GET', `/v1/families${query}`)
    t.equal(res.statusCode, 200, res.body)
    return res
      .json()
      .items.map((f: { id: string }) => f.id)
      .sort()
  }
  t.same(await ids(`?coordinatorId=${kari}`), [a.id, b.id].sort())
  t.same(await ids(`?coordinatorId=${per}`), [c.id])
  t.same(await ids('?status=active'), [a.id, c.id].sort())
  t.same(await ids('?status=ended'), [b.id])
  t.same(await ids(`?status=active&coordinatorId=${kari}`), [a.id])
  t.same(await ids('?externalRef=C'), [c.id])
  t.same(await ids('?externalRef=nope'), [])
})

t.test('GET /v1/families/{id}: the family with its members, or 404', async (t) => {
  const app = await testApp(t)
  const f = await createFamily(t, app)
  const res = await app.call('GET', `/v1/families/${f.id}`)
  t.equal(res.statusCode, 200)
  t.same(res.json(), f.body)
  assertProblem(t, await app.call('GET', '/v1/families/00000000-0000-4000-8000-000000000000'), { status: 404, type: 'not-found' })
  assertProblem(t, await app.call('GET', '/v1/families/123'), { status: 400, type: 'validation', path: '/familyId' })
})

t.test('PATCH /v1/families/{id} ends, reopens, renames and reassigns', async (t) => {
  const app = await testApp(t)
  const f = await createFamily(t, app, { startedOn: daysAgo(200) })
  const other = await createFamily(t, app)
  const patch = (body: unknown, id = f.id) => app.call('PATCH', `/v1/families/${id}`, { body })

  const ended = await patch({ endedOn: daysAgo(5), ending: 'unilateral' })
  t.equal(ended.statusCode, 200, ended.body)
  t.match(ended.json(), { endedOn: daysAgo(5), ending: 'unilateral', status: 'ended' })

  const reopened = await patch({ endedOn: null, ending: null })
  t.equal(reopened.statusCode, 200, reopened.body)
  t.match(reopened.json(), { endedOn: null, ending: null, status: 'active' })

  assertProblem(t, await patch({ endedOn: daysAgo(5) }), { status: 400, type: 'validation', path: '/ending' })
  assertProblem(t, await patch({ ending: 'moved' }), { status: 400, type: 'validation', path: '/endedOn' })
  assertProblem(t, await patch({ endedOn: daysAgo(5), ending: 'finished' }), { status: 400, type: 'validation', path: '/ending' })
  assertProblem(t, await patch({}), { status: 400, type: 'validation' })
  assertProblem(t, await patch({ startedOn: daysAgo(3) }), { status: 400, type: 'validation', path: '/startedOn' })
  assertProblem(t, await patch({ endedOn: daysAgo(300), ending: 'moved' }), { status: 422, type: 'rule', path: '/endedOn', mentions: 'started' })
  assertProblem(t, await patch({ endedOn: daysAgo(-2), ending: 'moved' }), { status: 422, type: 'rule', path: '/endedOn', mentions: 'future' })

  const session = await app.call('POST', `/v1/families/${f.id}/sessions`, { body: { heldOn: daysAgo(20), kind: 'office' } })
  t.equal(session.statusCode, 201)
  assertProblem(t, await patch({ endedOn: daysAgo(21), ending: 'planned' }), { status: 422, type: 'rule', path: '/endedOn', mentions: 'last session' })
  t.equal((await patch({ endedOn: daysAgo(20), ending: 'planned' })).statusCode, 200, 'ending on the day of the last session is fine')
  t.equal((await patch({ endedOn: null, ending: null })).statusCode, 200)

  const renamed = await patch({ externalRef: 'NY-REF' })
  t.equal(renamed.statusCode, 200)
  t.equal(renamed.json().externalRef, 'NY-REF')
  t.equal((await patch({ externalRef: 'NY-REF' })).statusCode, 200, 'keeping its own externalRef is no conflict')
  assertProblem(t, await patch({ externalRef: other.body.externalRef }), { status: 409, type: 'conflict', mentions: 'externalRef' })

  const newCoordinator = await createCoordinator(t, app)
  const moved = await patch({ coordinatorId: newCoordinator })
  t.equal(moved.statusCode, 200, moved.body)
  t.equal(moved.json().coordinatorId, newCoordinator)
  const list = await app.call('GET', `/v1/families?coordinatorId=${newCoordinator}`)
  t.same(
    list.json().items.map((x: { id: string }) => x.id),
    [f.id],
    'the new coordinator has the family',
  )
  const oldList = await app.call('GET', `/v1/families?coordinatorId=${f.coordinatorId}`)
  t.same(oldList.json().items, [], 'the old coordinator no longer has it')
  assertProblem(t, await patch({ coordinatorId: '00000000-0000-4000-8000-000000000000' }), { status: 422, type: 'rule', path: '/coordinatorId' })

  assertProblem(t, await patch({ externalRef: 'X' }, '00000000-0000-4000-8000-000000000000'), { status: 404, type: 'not-found' })
})
