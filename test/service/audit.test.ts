import t from 'tap'
import { sql } from 'kysely'
import { daysAgo, testApp } from '../helpers/app.js'
import { BIRTH, createFamily, ors } from '../helpers/fixtures.js'

t.test('every write leaves exactly one audit event, in its transaction', async (t) => {
  const app = await testApp(t)
  const mun = app.municipality.municipalityId
  let last = 0
  const newEvents = async () => {
    const rows = await app.db.transaction().execute(async (trx) => {
      await sql`SELECT set_config('framgang.municipality_id', ${mun}, true)`.execute(trx)
      return trx
        .selectFrom('audit_events')
        .selectAll()
        .where('municipality_id', '=', mun)
        .where(sql<boolean>`audit_event_id > ${last}`)
        .orderBy('audit_event_id')
        .execute()
    })
    if (rows.length) last = Number(rows[rows.length - 1].audit_event_id)
    return rows
  }
  const requestIds = new Set<string>()

  /** Makes one write and checks the one event it left. */
  const write = async (
    method: string,
    url: string,
    body: unknown,
    expected: { status: number; action: string; familyId: string | null; resource?: RegExp },
  ) => {
    const startedAt = Date.now()
    const res = await app.call(method, url, { body })
    t.equal(res.statusCode, expected.status, `${method} ${url}: ${res.body.slice(0, 200)}`)
    const events = await newEvents()
    t.equal(events.length, 1, `${method} ${url} left exactly one audit event (${events.map((e) => e.action)})`)
    const e = events[0]
    if (!e) return res
    t.equal(e.action, expected.action, 'action')
    t.equal(e.actor_type, 'api-client', 'actor type')
    t.equal(e.actor_id, app.municipality.apiClientId, 'actor: the API client')
    t.equal(e.role, 'api-client')
    t.equal(e.family_id, expected.familyId, 'the family it concerns')
    if (expected.resource) t.match(e.resource, expected.resource, 'the resource, by id')
    t.match(e.request_id, /^[0-9a-f-]{36}$/, 'the request id')
    t.notOk(requestIds.has(String(e.request_id)), 'a request id of its own')
    requestIds.add(String(e.request_id))
    const at = new Date(e.occurred_at).getTime()
    t.ok(at >= startedAt - 5000 && at <= Date.now() + 5000, 'when, as a UTC instant')
    return res
  }

  const c = (
    await write(
      'POST',
      '/v1/coordinators',
      { externalRef: 'k1', displayName: 'Kari' },
      { status: 201, action: 'coordinator.create', familyId: null, resource: /^coordinator\// },
    )
  ).json()
  await write('PATCH', `/v1/coordinators/${c.id}`, { displayName: 'Kari N.' }, { status: 200, action: 'coordinator.update', familyId: null })
  const fRes = await app.call('POST', '/v1/families', {
    body: { externalRef: 'F1', coordinatorId: c.id, startedOn: daysAgo(90), members: [{ alias: 'Mor', role: 'adult', birthDate: BIRTH.adult() }] },
  })
  t.equal(fRes.statusCode, 201)
  const f = fRes.json()
  const created = await newEvents()
  t.same(
    created.map((e) => [e.action, e.family_id]),
    [['family.create', f.id]],
    'creating a family: one event',
  )
  const member = (
    await write(
      'POST',
      `/v1/families/${f.id}/members`,
      { alias: 'Ola', role: 'child', birthDate: BIRTH.child() },
      { status: 201, action: 'member.create', familyId: f.id, resource: /^member\// },
    )
  ).json()
  await write('PATCH', `/v1/families/${f.id}/members/${member.id}`, { alias: 'Ola N.' }, { status: 200, action: 'member.update', familyId: f.id })
  await write('PATCH', `/v1/families/${f.id}`, { externalRef: 'F1-b' }, { status: 200, action: 'family.update', familyId: f.id })
  const c2 = (await app.call('POST', '/v1/coordinators', { body: { externalRef: 'k2', displayName: 'Per' } })).json()
  await newEvents()
  await write('PATCH', `/v1/families/${f.id}`, { coordinatorId: c2.id }, { status: 200, action: 'family.reassign', familyId: f.id })
  const s = (
    await write(
      'POST',
      `/v1/families/${f.id}/sessions`,
      { heldOn: daysAgo(5), kind: 'office', ratings: [ors(f.members[0].id)] },
      { status: 201, action: 'session.create', familyId: f.id, resource: /^session\// },
    )
  ).json()
  await write('PATCH', `/v1/sessions/${s.id}`, { kind: 'phone' }, { status: 200, action: 'session.update', familyId: f.id })
  const r = (
    await write(
      'POST',
      `/v1/sessions/${s.id}/ratings`,
      { memberId: f.members[0].id, instrument: 'SRS', rater: 'self', items: [9, 9, 9, 9] },
      { status: 201, action: 'rating.create', familyId: f.id },
    )
  ).json()
  await write(
    'PUT',
    `/v1/sessions/${s.id}/ratings/${r.id}`,
    { memberId: f.members[0].id, instrument: 'SRS', rater: 'self', items: [8, 9, 9, 9] },
    { status: 200, action: 'rating.correct', familyId: f.id },
  )
  await write('DELETE', `/v1/sessions/${s.id}/ratings/${r.id}`, undefined, { status: 204, action: 'rating.delete', familyId: f.id })
  await write('DELETE', `/v1/sessions/${s.id}`, undefined, { status: 204, action: 'session.delete', familyId: f.id })
  await write('PATCH', `/v1/families/${f.id}`, { endedOn: daysAgo(1), ending: 'planned' }, { status: 200, action: 'family.end', familyId: f.id })
  await write('PATCH', '/v1/settings', { overdueDays: 30 }, { status: 200, action: 'settings.update', familyId: null })
  const client = (await write('POST', '/v1/api-clients', { name: 'Portal' }, { status: 201, action: 'api-client.create', familyId: null })).json()
  await write('DELETE', `/v1/api-clients/${client.id}`, undefined, { status: 204, action: 'api-client.revoke', familyId: null })
})

t.test('a refused write leaves no audit event', async (t) => {
  const app = await testApp(t)
  const f = await createFamily(t, app)
  const count = async () =>
    Number((await app.pool.query(`SELECT count(*) AS n FROM audit_events WHERE municipality_id = $1`, [app.municipality.municipalityId])).rows[0].n)
  const before = await count()
  const refused = [
    await app.call('POST', `/v1/families/${f.id}/sessions`, { body: { heldOn: daysAgo(-2), kind: 'office' } }),
    await app.call('POST', `/v1/families/${f.id}/sessions`, { body: { heldOn: daysAgo(1), kind: 'office', ratings: [ors(f.m.Barn.id)] } }),
    await app.call('POST', '/v1/coordinators', { body: { externalRef: 'x' } }),
    await app.call('PATCH', `/v1/families/${f.id}`, { body: { endedOn: daysAgo(-2), ending: 'moved' } }),
    await app.call('PATCH', '/v1/settings', { body: { timeZone: 'Nowhere/Nothing' } }),
    await app.call('DELETE', '/v1/sessions/00000000-0000-4000-8000-000000000000'),
    await app.call('POST', '/v1/families', { body: { externalRef: f.body.externalRef, coordinatorId: f.coordinatorId, startedOn: daysAgo(1) } }),
  ]
  t.same(
    refused.map((r) => r.statusCode),
    [422, 422, 400, 422, 422, 404, 409],
  )
  t.equal(await count(), before, 'no event for any of them')
})
