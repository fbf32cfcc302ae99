import t from 'tap'
import { buildApp } from '../../service/app.js'
import { createMunicipality } from '../../service/cli/municipalities.js'
import { loadConfig } from '../../service/config.js'
import { createDb } from '../../service/db/kysely.js'
import { pg } from '../../service/db/pg-types.js'
import { daysAgo, NO_LOAD_SHEDDING } from '../helpers/app.js'
import { freshDatabase } from '../helpers/database.js'
import { captureLogs } from '../helpers/logs.js'
import { buildWorld, expectStatus, inMunicipality, orsSelf, SIGNING_KEY, uniqueRef } from './fixtures/world.js'

/**
 * Accountability: every read of a family's data and every write leaves an audit event (actor,
 * role, action, family, request id, UTC time) that the access log shows; application logs carry
 * no names, birth dates or scores.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

t.test('audit events and the access log', async (t) => {
  const w = await buildWorld(t)
  const { app } = w
  const f = w.f1.id

  let last = 0
  const newEvents = async () => {
    const rows = await inMunicipality(app.db, w.m1, (trx) =>
      trx.selectFrom('audit_events').selectAll().where('audit_event_id', '>', String(last)).orderBy('audit_event_id').execute(),
    )
    if (rows.length) last = Number(rows[rows.length - 1].audit_event_id)
    return rows
  }
  await newEvents()

  const who = {
    api: { actor_type: 'api-client', actor_id: w.app.municipality.apiClientId, role: 'api-client' },
    coordinator: { actor_type: 'coordinator', actor_id: w.c1, role: 'coordinator' },
    family: { actor_type: 'family', actor_id: f, role: 'family' },
    selfReport: { actor_type: 'family', actor_id: f, role: 'family-self-report' },
  }
  const requestIds = new Set<string>()

  /** One request, and the one audit event it must leave. */
  const audited = async (name: string, as: keyof typeof who, key: string, method: string, url: string, body: unknown, status: number, action: string) => {
    await t.test(`${name} → ${action}`, async (t) => {
      const started = Date.now()
      expectStatus(t, await app.call(method, url, { key, body }), status, name)
      const events = (await newEvents()).filter((e) => e.family_id === f)
      t.equal(events.length, 1, 'exactly one audit event for the family')
      const e = events[0]
      if (!e) return
      t.match(e, { ...who[as], action, family_id: f }, 'actor, role, action and family')
      t.match(e.request_id, UUID, 'a request id')
      t.notOk(requestIds.has(e.request_id!), 'one request id per request')
      requestIds.add(e.request_id!)
      const at = new Date(e.occurred_at).getTime()
      t.ok(at >= started - 2000 && at <= Date.now() + 2000, 'at the time of the request')
    })
  }

  const k = { api: w.keyA, coordinator: w.tokens.coordinatorC1, family: w.tokens.familyF1, selfReport: w.tokens.selfReportF1 }
  // Reads of the family's data.
  await audited('GET family', 'api', k.api, 'GET', `/v1/families/${f}`, undefined, 200, 'family.read')
  await audited('GET family as coordinator', 'coordinator', k.coordinator, 'GET', `/v1/families/${f}`, undefined, 200, 'family.read')
  await audited('GET family as family', 'family', k.family, 'GET', `/v1/families/${f}`, undefined, 200, 'family.read')
  await audited('GET sessions', 'coordinator', k.coordinator, 'GET', `/v1/families/${f}/sessions`, undefined, 200, 'session.list')
  await audited('GET session', 'api', k.api, 'GET', `/v1/sessions/${w.s1}`, undefined, 200, 'session.read')
  await audited('GET progress', 'api', k.api, 'GET', `/v1/families/${f}/progress`, undefined, 200, 'progress.read')
  await audited('GET progress as family', 'family', k.family, 'GET', `/v1/families/${f}/progress`, undefined, 200, 'progress.read')
  await audited('GET caseload as coordinator', 'coordinator', k.coordinator, 'GET', '/v1/caseload', undefined, 200, 'caseload.read')
  await audited('GET caseload', 'api', k.api, 'GET', `/v1/caseload?coordinatorId=${w.c1}`, undefined, 200, 'caseload.read')
  await audited('GET export', 'api', k.api, 'GET', `/v1/families/${f}/export`, undefined, 200, 'family.export')
  await audited('GET export (FHIR)', 'api', k.api, 'GET', `/v1/families/${f}/export?format=fhir`, undefined, 200, 'family.export')
  await audited('GET access-log', 'api', k.api, 'GET', `/v1/families/${f}/access-log`, undefined, 200, 'access-log.read')
  await audited('GET access-log as family', 'family', k.family, 'GET', `/v1/families/${f}/access-log`, undefined, 200, 'access-log.read')
  // Writes.
  await audited('PATCH family', 'api', k.api, 'PATCH', `/v1/families/${f}`, { externalRef: uniqueRef('F') }, 200, 'family.update')
  const member = (
    await app.call('POST', `/v1/families/${f}/members`, { key: k.coordinator, body: { alias: 'Bestefar', role: 'adult', birthDate: '1950-02-02' } })
  ).json()
  const memberEvents = (await newEvents()).filter((e) => e.family_id === f)
  t.match(memberEvents, [{ ...who.coordinator, action: 'member.create', resource: `member/${member.id}` }], 'POST member → member.create')
  await audited('PATCH member', 'coordinator', k.coordinator, 'PATCH', `/v1/families/${f}/members/${member.id}`, { alias: 'Morfar' }, 200, 'member.update')
  const session = (
    await app.call('POST', `/v1/families/${f}/sessions`, { key: k.coordinator, body: { heldOn: daysAgo(5), kind: 'video', ratings: [orsSelf(w.f1.m.Mor)] } })
  ).json()
  t.match(
    (await newEvents()).filter((e) => e.family_id === f),
    [{ ...who.coordinator, action: 'session.create', resource: `session/${session.id}` }],
    'POST session → session.create',
  )
  await audited('PATCH session', 'api', k.api, 'PATCH', `/v1/sessions/${session.id}`, { kind: 'phone' }, 200, 'session.update')
  await audited(
    'PUT rating',
    'coordinator',
    k.coordinator,
    'PUT',
    `/v1/sessions/${session.id}/ratings/${session.ratings[0].id}`,
    orsSelf(w.f1.m.Mor, [1, 2, 3, 4]),
    200,
    'rating.correct',
  )
  await audited('POST self-report rating', 'selfReport', k.selfReport, 'POST', `/v1/sessions/${w.sSelf}/ratings`, orsSelf(w.f1.m.Mor), 201, 'rating.create')
  await audited('DELETE rating', 'api', k.api, 'DELETE', `/v1/sessions/${session.id}/ratings/${session.ratings[0].id}`, undefined, 204, 'rating.delete')
  await audited('DELETE session', 'coordinator', k.coordinator, 'DELETE', `/v1/sessions/${session.id}`, undefined, 204, 'session.delete')
  await audited('mint a family token', 'api', k.api, 'POST', '/v1/embed-tokens', { role: 'family', familyId: f }, 201, 'embed-token.issue')

  await t.test('a correction keeps the old value in the audit trail', async (t) => {
    const corrected = await inMunicipality(app.db, w.m1, (trx) =>
      trx.selectFrom('audit_events').select('detail').where('action', '=', 'rating.correct').executeTakeFirstOrThrow(),
    )
    t.match(corrected.detail, { previous: { items: [5, 6, 7, 8], total: 26 } }, 'the previous items and total')
  })

  await t.test('reads that fail leave no trace of a family they could not see', async (t) => {
    await app.call('GET', `/v1/families/${f}`, { key: w.tokens.coordinatorC2 })
    await app.call('GET', `/v1/families/${f}/progress`, { key: w.keyOther })
    // The progress read writes its event in the statement that reads the family: the 404 rolls it back.
    t.equal(
      (await app.call('GET', `/v1/families/${f}/progress`, { key: w.tokens.coordinatorC2 })).statusCode,
      404,
      "another coordinator's progress read is a 404",
    )
    t.same(
      (await newEvents()).filter((e) => e.family_id === f),
      [],
      'no event for F1',
    )
  })

  await t.test('the access log shows the trail, newest first, to the API client and to the family', async (t) => {
    for (const [as, key] of [
      ['API client', w.keyA],
      ['family token', w.tokens.familyF1],
    ] as const) {
      const log = expectStatus(t, await app.call('GET', `/v1/families/${f}/access-log?limit=200`, { key }), 200, `access log as ${as}`)
      t.equal(log.familyId, f)
      const actions = log.items.map((i: { action: string }) => i.action)
      for (const action of [
        'family.create',
        'family.read',
        'session.list',
        'session.read',
        'progress.read',
        'family.export',
        'access-log.read',
        'family.update',
        'member.create',
        'member.update',
        'session.create',
        'session.update',
        'rating.correct',
        'rating.create',
        'rating.delete',
        'session.delete',
        'embed-token.issue',
      ]) {
        t.ok(actions.includes(action), `${as} sees ${action}`)
      }
      t.equal(actions[0], 'access-log.read', 'newest first: this very read')
      const ids = log.items.map((i: { id: string }) => Number(i.id))
      t.same(
        ids,
        [...ids].sort((a, b) => b - a),
        'ordered newest first',
      )
      const coordinatorRead = log.items.find((i: { actorType: string; action: string }) => i.actorType === 'coordinator' && i.action === 'family.read')
      t.match(
        coordinatorRead,
        { actorId: w.c1, actorName: 'Kari Koordinator', role: 'coordinator', requestId: UUID },
        'a coordinator’s read names the coordinator',
      )
      for (const item of log.items) t.match(item.occurredAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/, 'occurredAt in UTC')
    }
    const page1 = expectStatus(t, await app.call('GET', `/v1/families/${f}/access-log?limit=3`), 200, 'a page of 3')
    t.equal(page1.items.length, 3)
    t.type(page1.nextCursor, 'string', 'with a cursor')
    const page2 = expectStatus(
      t,
      await app.call('GET', `/v1/families/${f}/access-log?limit=3&cursor=${encodeURIComponent(page1.nextCursor)}`),
      200,
      'the next page',
    )
    t.ok(Number(page2.items[0].id) < Number(page1.items[2].id), 'continues where the first page ended')
    const other = expectStatus(t, await app.call('GET', `/v1/families/${w.f2.id}/access-log?limit=200`), 200, 'F2’s log')
    t.notOk(
      other.items.some((i: { resource: string | null }) => i.resource?.includes(f)),
      'holds nothing about F1',
    )
  })
})

t.test('application logs carry no names, birth dates, scores or credentials', async (t) => {
  const { stream, lines } = captureLogs()
  const database = await freshDatabase()
  const app = await buildApp({
    config: loadConfig({ DATA_DIR: `/tmp/framgang-test-${process.pid}`, TOKEN_PRIVATE_KEY: SIGNING_KEY, ...NO_LOAD_SHEDDING }),
    connectionString: database.connectionString,
    logger: { level: 'trace', stream },
  })
  const pool = new pg.Pool({ connectionString: database.connectionString, max: 2 })
  // Dropping the test database ends connections that are still closing: not an error (as in testApp).
  pool.on('error', () => {})
  t.teardown(async () => {
    await app.close()
    await pool.end()
    await database.close()
  })
  await app.ready()
  const { apiKey } = await createMunicipality(createDb(pool), { name: 'Loggkommune' })
  let n = 0
  const call = (method: string, url: string, body?: unknown, extra: Record<string, string> = {}) =>
    app.inject({
      method: method as 'GET',
      url,
      headers: { authorization: `Bearer ${apiKey}`, 'idempotency-key': `log-${++n}`, ...extra },
      ...(body !== undefined && { payload: typeof body === 'string' ? body : JSON.stringify(body) }),
    })

  const alias = 'Kari-Unik'
  const birthDate = '1987-04-17'
  const items = [7.3, 1.9, 8.6, 4.2]
  const coordinator = (
    await call('POST', '/v1/coordinators', { externalRef: 'C-LOG', displayName: 'Kari Koordinator' }, { 'content-type': 'application/json' })
  ).json()
  const created = await call(
    'POST',
    '/v1/families',
    { externalRef: 'F-LOG', coordinatorId: coordinator.id, startedOn: daysAgo(50), members: [{ alias, role: 'adult', birthDate }] },
    { 'content-type': 'application/json' },
  )
  t.equal(created.statusCode, 201, 'family created')
  const family = created.json()
  const json = { 'content-type': 'application/json' }
  const session = await call(
    'POST',
    `/v1/families/${family.id}/sessions`,
    { heldOn: daysAgo(3), kind: 'office', ratings: [{ memberId: family.members[0].id, instrument: 'ORS', rater: 'self', items }] },
    json,
  )
  t.equal(session.statusCode, 201, 'session with scores')
  t.equal((await call('GET', `/v1/families/${family.id}/progress`)).statusCode, 200, 'progress read')
  t.equal((await call('GET', `/v1/families/${family.id}/export?format=fhir`)).statusCode, 200, 'FHIR export read')
  const token = (await call('POST', '/v1/embed-tokens', { role: 'family', familyId: family.id }, json)).json().token
  t.equal(
    (await app.inject({ method: 'GET', url: `/v1/families/${family.id}/progress`, headers: { authorization: `Bearer ${token}` } })).statusCode,
    200,
    'family view read',
  )

  // Error paths, with the personal data in the rejected body.
  const errors: [string, Promise<{ statusCode: number }>, number][] = [
    ['400: a wrong role', call('POST', `/v1/families/${family.id}/members`, { alias, role: 'bestemor', birthDate }, json), 400],
    ['400: an unknown field', call('POST', `/v1/families/${family.id}/members`, { alias, role: 'adult', birthDate, name: alias }, json), 400],
    [
      '400: malformed JSON',
      call('POST', `/v1/families/${family.id}/members`, `{"alias": "${alias}", "birthDate": "${birthDate}", "items": [${items.join(',')}]`, json),
      400,
    ],
    ['422: a birth date in the future', call('POST', `/v1/families/${family.id}/members`, { alias, role: 'adult', birthDate: '2999-04-17' }, json), 422],
    [
      '400: an item out of range',
      call(
        'POST',
        `/v1/families/${family.id}/sessions`,
        { heldOn: daysAgo(2), kind: 'office', ratings: [{ memberId: family.members[0].id, instrument: 'ORS', rater: 'self', items: [7.3, 1.9, 8.6, 14.2] }] },
        json,
      ),
      400,
    ],
    [
      '422: the wrong instrument',
      call(
        'POST',
        `/v1/families/${family.id}/sessions`,
        { heldOn: daysAgo(2), kind: 'office', ratings: [{ memberId: family.members[0].id, instrument: 'CORS', rater: 'self', items }] },
        json,
      ),
      422,
    ],
    [
      '422: a duplicate rating',
      call('POST', `/v1/sessions/${session.json().id}/ratings`, { memberId: family.members[0].id, instrument: 'ORS', rater: 'self', items }, json),
      422,
    ],
    ['400: a bad query', call('GET', '/v1/families?limit=500'), 400],
    ['401: a bad token', app.inject({ method: 'GET', url: '/v1/settings', headers: { authorization: `Bearer ${token}x` } }), 401],
  ]
  for (const [what, res, status] of errors) {
    const r = (await res) as { statusCode: number; body: string }
    t.equal(r.statusCode, status, `${what}${r.statusCode === status ? '' : `: ${r.body}`}`)
  }

  const text = lines.join('')
  if (process.env.SHOW_ERRORS) console.error(lines.filter((l) => l.includes('"level":50')).join(''))
  t.ok(lines.length > 20, `${lines.length} log lines captured at level trace`)
  t.match(text, /incoming request/, 'request logs are there')
  t.notOk(text.includes(alias), `no alias (name) in the logs${text.includes(alias) ? `: ${lines.filter((l) => l.includes(alias)).join('')}` : ''}`)
  t.notOk(text.includes(birthDate), 'no birth date in the logs')
  t.notOk(text.includes('2999-04-17'), 'not even a rejected one')
  for (const v of items) t.notOk(new RegExp(`[\\[:,]\\s*${String(v).replace('.', '\\.')}\\s*[,\\]}]`).test(text), `no score ${v} in the logs`)
  t.notOk(/73\s*,\s*19\s*,\s*86\s*,\s*42/.test(text), 'no scores in tenths either')
  t.notOk(text.includes(apiKey), 'no API key in the logs')
  t.notOk(text.includes(token.split('.')[1]), 'no embed token in the logs')
})
