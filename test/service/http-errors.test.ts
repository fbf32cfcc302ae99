import t from 'tap'
import { daysAgo, testApp } from '../helpers/app.js'
import { assertProblem, createCoordinator } from '../helpers/fixtures.js'

t.test('unknown routes, malformed and oversized bodies answer problem+json', async (t) => {
  const app = await testApp(t)
  const auth = { authorization: `Bearer ${app.municipality.apiKey}`, 'idempotency-key': 'k-1' }

  const unknown = assertProblem(t, await app.call('GET', '/v1/nothing-here'), { status: 404, type: 'not-found' })
  t.equal(unknown.instance, '/v1/nothing-here')
  assertProblem(t, await app.app.inject({ method: 'GET', url: '/no/such/page?x=1' }), { status: 404, type: 'not-found' })
  assertProblem(t, await app.app.inject({ method: 'DELETE', url: '/v1/settings', headers: auth }), { status: 404, type: 'not-found' })

  const malformed = await app.app.inject({
    method: 'POST',
    url: '/v1/coordinators',
    headers: { ...auth, 'content-type': 'application/json' },
    payload: '{"externalRef": "a",',
  })
  assertProblem(t, malformed, { status: 400, type: 'validation', mentions: /JSON/ })
  const malformedPatch = await app.app.inject({
    method: 'PATCH',
    url: '/v1/settings',
    headers: { ...auth, 'content-type': 'application/json' },
    payload: "{'timeZone': 'UTC'}",
  })
  assertProblem(t, malformedPatch, { status: 400, type: 'validation' })

  const huge = JSON.stringify({ externalRef: 'x', displayName: 'y'.repeat(1024 * 1024) })
  const tooLarge = await app.app.inject({ method: 'POST', url: '/v1/coordinators', headers: { ...auth, 'content-type': 'application/json' }, payload: huge })
  t.ok(tooLarge.statusCode >= 400 && tooLarge.statusCode < 500, `too large is a 4xx (${tooLarge.statusCode})`)
  t.match(String(tooLarge.headers['content-type']), /^application\/problem\+json/)
  t.equal(tooLarge.json().status, tooLarge.statusCode)
  t.match(tooLarge.json().type, /^\/problems\//)

  const text = await app.app.inject({ method: 'POST', url: '/v1/coordinators', headers: { ...auth, 'content-type': 'text/plain' }, payload: 'hello' })
  t.ok(text.statusCode === 415 || text.statusCode === 400, `a non-JSON body is refused (${text.statusCode})`)
  t.match(String(text.headers['content-type']), /^application\/problem\+json/)

  const empty = await app.app.inject({ method: 'POST', url: '/v1/coordinators', headers: { ...auth, 'content-type': 'application/json' }, payload: '' })
  assertProblem(t, empty, { status: 400, type: 'validation' })
  const notObject = await app.app.inject({
    method: 'POST',
    url: '/v1/coordinators',
    headers: { ...auth, 'content-type': 'application/json' },
    payload: '[1,2]',
  })
  assertProblem(t, notObject, { status: 400, type: 'validation' })
  t.equal((await app.call('GET', '/v1/coordinators')).json().items.length, 0, 'nothing was created')
})

t.test('unknown fields are refused, naming the field, at any depth', async (t) => {
  const app = await testApp(t)
  const coordinatorId = await createCoordinator(t, app)
  const res = await app.call('POST', '/v1/families', {
    body: {
      externalRef: 'F',
      coordinatorId,
      startedOn: daysAgo(3),
      members: [{ alias: 'A', role: 'adult', birthDate: '1990-01-01', 'we~ird/key': 1 }],
      notes: 'x',
    },
  })
  const problem = assertProblem(t, res, { status: 400, type: 'validation', path: '/notes', mentions: 'notes' })
  t.ok(
    problem.errors.some((e: { path: string }) => e.path === '/members/0/we~0ird~1key'),
    'a key with ~ and / is escaped as RFC 6901 asks',
  )
})

t.test('missing Idempotency-Key is a 400 on every creating POST', async (t) => {
  const app = await testApp(t)
  const headers = { authorization: `Bearer ${app.municipality.apiKey}` }
  for (const [url, payload] of [
    ['/v1/coordinators', { externalRef: 'a', displayName: 'A' }],
    ['/v1/families', { externalRef: 'F', coordinatorId: '00000000-0000-4000-8000-000000000000', startedOn: '2026-01-01' }],
    ['/v1/api-clients', { name: 'x' }],
  ] as const) {
    const res = await app.app.inject({ method: 'POST', url, headers, payload })
    assertProblem(t, res, { status: 400, type: 'validation', mentions: /idempotency-key/i })
  }
  const tooLong = await app.app.inject({
    method: 'POST',
    url: '/v1/coordinators',
    headers: { ...headers, 'idempotency-key': 'k'.repeat(256) },
    payload: { externalRef: 'a', displayName: 'A' },
  })
  assertProblem(t, tooLong, { status: 400, type: 'validation', mentions: /idempotency-key/i })
})

t.test('health: live always, ready when the database is migrated', async (t) => {
  const app = await testApp(t)
  const live = await app.app.inject({ method: 'GET', url: '/health/live' })
  t.equal(live.statusCode, 200)
  t.same(live.json(), { status: 'ok' })
  const ready = await app.app.inject({ method: 'GET', url: '/health/ready' })
  t.equal(ready.statusCode, 200)
  t.same(ready.json(), { status: 'ok' })
  await app.pool.query(`UPDATE schema_migrations SET checksum = 'tampered' WHERE id = '001_foundation'`)
  assertProblem(t, await app.app.inject({ method: 'GET', url: '/health/ready' }), { status: 503, type: 'unavailable' })
  t.equal((await app.app.inject({ method: 'GET', url: '/health/live' })).statusCode, 200, 'live does not depend on the database')
})

t.test('/docs/json is OpenAPI 3.1 listing the routes', async (t) => {
  const app = await testApp(t)
  const res = await app.app.inject({ method: 'GET', url: '/docs/json' })
  t.equal(res.statusCode, 200)
  const doc = res.json()
  t.equal(doc.openapi, '3.1.0')
  t.type(doc.info.title, 'string')
  const expected: [string, string][] = [
    ['/v1/coordinators', 'post'],
    ['/v1/coordinators', 'get'],
    ['/v1/coordinators/{id}', 'patch'],
    ['/v1/families', 'post'],
    ['/v1/families', 'get'],
    ['/v1/families/{familyId}', 'get'],
    ['/v1/families/{familyId}', 'patch'],
    ['/v1/families/{familyId}/members', 'post'],
    ['/v1/families/{familyId}/members/{memberId}', 'patch'],
    ['/v1/families/{familyId}/sessions', 'post'],
    ['/v1/families/{familyId}/sessions', 'get'],
    ['/v1/sessions/{sessionId}', 'get'],
    ['/v1/sessions/{sessionId}', 'patch'],
    ['/v1/sessions/{sessionId}', 'delete'],
    ['/v1/sessions/{sessionId}/ratings', 'post'],
    ['/v1/sessions/{sessionId}/ratings/{ratingId}', 'put'],
    ['/v1/sessions/{sessionId}/ratings/{ratingId}', 'delete'],
    ['/v1/instruments', 'get'],
    ['/v1/settings', 'get'],
    ['/v1/settings', 'patch'],
    ['/v1/api-clients', 'get'],
    ['/v1/api-clients', 'post'],
    ['/v1/api-clients/{id}', 'delete'],
    ['/health/live', 'get'],
    ['/health/ready', 'get'],
  ]
  for (const [path, method] of expected) t.ok(doc.paths?.[path]?.[method], `${method.toUpperCase()} ${path} is documented`)
  const create = doc.paths['/v1/families/{familyId}/sessions'].post
  t.ok(create.requestBody?.content?.['application/json']?.schema, 'request bodies are described')
  t.ok(create.responses['201'], 'the 201 is described')
  t.ok(create.responses['422'], 'the 422 is described')
  t.ok(
    create.parameters.some((p: { in: string; name: string }) => p.in === 'header' && p.name === 'idempotency-key'),
    'the Idempotency-Key header is described',
  )
  t.ok(doc.components?.securitySchemes?.bearer, 'bearer auth is described')
  const ui = await app.app.inject({ method: 'GET', url: '/docs' })
  t.ok(ui.statusCode === 200 || ui.statusCode === 302, `/docs answers (${ui.statusCode})`)
})
