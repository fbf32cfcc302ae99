import type { LightMyRequestResponse } from 'fastify'
import t from 'tap'
import { createMunicipality } from '../../service/cli/municipalities.js'
import { buildWorld, expectStatus, uniqueRef } from './fixtures/world.js'

/** CORS for /v1 as docs/api.md ("Cross-origin use") says: per municipality, never `*`. */

const OWN = 'https://fagsystem.kommune-en.no'
const THEIRS = 'https://fagsystem.kommune-to.no'
const NOBODY = 'https://evil.example'

const vary = (res: LightMyRequestResponse) =>
  String(res.headers.vary ?? '')
    .split(/\s*,\s*/)
    .map((v) => v.toLowerCase())

t.test('CORS on /v1', async (t) => {
  const w = await buildWorld(t)
  const { app } = w
  expectStatus(t, await app.call('PATCH', '/v1/settings', { body: { allowedOrigins: [OWN] } }), 200, 'M1 registers its origin')
  expectStatus(t, await app.call('PATCH', '/v1/settings', { key: w.keyOther, body: { allowedOrigins: [THEIRS] } }), 200, 'M2 registers another')

  const seen: LightMyRequestResponse[] = []
  const preflight = async (origin: string, url = '/v1/families') => {
    const res = await app.app.inject({
      method: 'OPTIONS',
      url,
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type, idempotency-key' },
    })
    seen.push(res)
    return res
  }
  const real = async (method: string, url: string, origin: string, key: string | null = w.keyA, body?: unknown) => {
    const res = await app.call(method, url, { key, body, headers: { origin } })
    seen.push(res)
    return res
  }

  await t.test('a preflight from a registered origin', async (t) => {
    const res = await preflight(OWN)
    t.equal(res.statusCode, 204, '204')
    t.equal(res.headers['access-control-allow-origin'], OWN, 'Access-Control-Allow-Origin is that origin')
    t.equal(res.headers['access-control-allow-headers'], 'Authorization, Content-Type, Idempotency-Key', 'Allow-Headers')
    t.ok(Number(res.headers['access-control-max-age']) > 0, `a Max-Age (${res.headers['access-control-max-age']})`)
    for (const m of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']) t.match(String(res.headers['access-control-allow-methods']), m, `allows ${m}`)
    t.notOk('access-control-allow-credentials' in res.headers, 'no Allow-Credentials (no cookies)')
    t.ok(vary(res).includes('origin'), 'Vary: Origin')
    const deep = await preflight(OWN, `/v1/sessions/${w.s1}/ratings`)
    t.equal(deep.headers['access-control-allow-origin'], OWN, 'on any /v1 path')
  })

  await t.test('a preflight from an origin only another municipality registered is answered too (it carries no credential)', async (t) => {
    const res = await preflight(THEIRS)
    t.equal(res.headers['access-control-allow-origin'], THEIRS)
  })

  await t.test('a preflight from an unregistered origin gets no ACAO', async (t) => {
    const res = await preflight(NOBODY)
    t.notOk('access-control-allow-origin' in res.headers, 'no Access-Control-Allow-Origin')
    t.notOk('access-control-allow-headers' in res.headers, 'no Allow-Headers either')
    t.ok(vary(res).includes('origin'), 'Vary: Origin')
  })

  await t.test('a real request carries ACAO only for the caller’s own municipality’s origins', async (t) => {
    const own = await real('GET', '/v1/settings', OWN)
    t.equal(own.statusCode, 200)
    t.equal(own.headers['access-control-allow-origin'], OWN, 'its own origin → ACAO')
    const theirs = await real('GET', '/v1/settings', THEIRS)
    t.equal(theirs.statusCode, 200)
    t.notOk('access-control-allow-origin' in theirs.headers, 'an origin registered only by another municipality → no ACAO')
    const nobody = await real('GET', '/v1/settings', NOBODY)
    t.notOk('access-control-allow-origin' in nobody.headers, 'an unregistered origin → no ACAO')
    const other = await real('GET', '/v1/settings', THEIRS, w.keyOther)
    t.equal(other.headers['access-control-allow-origin'], THEIRS, 'the other municipality’s own origin works for it')
  })

  await t.test('embed tokens: the token’s municipality decides', async (t) => {
    const own = await real('GET', '/v1/caseload', OWN, w.tokens.coordinatorC1)
    t.equal(own.statusCode, 200)
    t.equal(own.headers['access-control-allow-origin'], OWN, 'coordinator token from its municipality’s origin')
    const theirs = await real('GET', `/v1/families/${w.f1.id}/progress`, THEIRS, w.tokens.familyF1)
    t.equal(theirs.statusCode, 200)
    t.notOk('access-control-allow-origin' in theirs.headers, 'family token from another municipality’s origin → no ACAO')
    const forbidden = await real('GET', '/v1/settings', OWN, w.tokens.familyF1)
    t.equal(forbidden.statusCode, 403)
    t.equal(forbidden.headers['access-control-allow-origin'], OWN, 'a 403 from its own origin is readable')
  })

  await t.test('errors before authentication are readable from any registered origin', async (t) => {
    for (const [what, key] of [
      ['no credential', null],
      ['an expired token', w.tokens.expired],
      ['a revoked key', w.revokedKey],
    ] as const) {
      const res = await real('GET', '/v1/settings', OWN, key)
      t.equal(res.statusCode, 401, `${what}: 401`)
      t.equal(res.headers['access-control-allow-origin'], OWN, `${what}: ACAO so the widget can read the error`)
      const other = await real('GET', '/v1/settings', THEIRS, key)
      t.equal(other.headers['access-control-allow-origin'], THEIRS, `${what}: from any municipality’s origin`)
      const nobody = await real('GET', '/v1/settings', NOBODY, key)
      t.notOk('access-control-allow-origin' in nobody.headers, `${what}: but not from an unregistered origin`)
    }
    const unknownRoute = await real('GET', '/v1/no-such-thing', OWN, null)
    t.equal(unknownRoute.statusCode, 404, 'an unknown /v1 route')
    t.equal(unknownRoute.headers['access-control-allow-origin'], OWN, 'is readable too')
  })

  await t.test('a created resource’s Location can be read cross-origin', async (t) => {
    const res = await real('POST', '/v1/coordinators', OWN, w.keyA, { externalRef: uniqueRef('C'), displayName: 'Kari' })
    t.equal(res.statusCode, 201)
    t.equal(res.headers['access-control-allow-origin'], OWN)
    t.type(res.headers.location, 'string', 'Location is sent')
    const bad = await real('POST', '/v1/coordinators', OWN, w.keyA, { externalRef: '' })
    t.equal(bad.statusCode, 400)
    const deleted = await real('DELETE', `/v1/sessions/${await w.disposableSession()}`, OWN)
    t.equal(deleted.statusCode, 204)
    const missing = await real('GET', `/v1/families/${crypto.randomUUID()}`, OWN)
    t.equal(missing.statusCode, 404)
  })

  await t.test('changing allowedOrigins takes effect at once', async (t) => {
    const extra = 'https://ny.kommune-en.no'
    t.notOk('access-control-allow-origin' in (await preflight(extra)).headers, 'not yet registered')
    expectStatus(t, await app.call('PATCH', '/v1/settings', { body: { allowedOrigins: [OWN, extra] } }), 200, 'register it')
    t.equal((await preflight(extra)).headers['access-control-allow-origin'], extra, 'the preflight allows it')
    t.equal((await real('GET', '/v1/settings', extra)).headers['access-control-allow-origin'], extra, 'the real request too')
    expectStatus(t, await app.call('PATCH', '/v1/settings', { body: { allowedOrigins: [OWN] } }), 200, 'remove it again')
    t.notOk('access-control-allow-origin' in (await preflight(extra)).headers, 'the preflight no longer allows it')
    t.notOk('access-control-allow-origin' in (await real('GET', '/v1/settings', extra)).headers, 'nor the real request')
  })

  await t.test('creating a municipality with origins leaves every other municipality’s origins alone', async (t) => {
    await createMunicipality(app.db, { name: 'Tredje kommune', origins: ['https://kommune-tre.no'] })
    const mine = expectStatus(t, await app.call('GET', '/v1/settings'), 200, 'M1’s settings')
    t.same(mine.allowedOrigins, [OWN], 'M1 still has its origin')
    const theirs = expectStatus(t, await app.call('GET', '/v1/settings', { key: w.keyOther }), 200, 'M2’s settings')
    t.same(theirs.allowedOrigins, [THEIRS], 'M2 still has its origin')
  })

  await t.test('every /v1 response: Vary: Origin, Location and Retry-After exposed, never *', async (t) => {
    t.ok(seen.length > 20, `${seen.length} responses looked at`)
    for (const res of seen) {
      const what = `${res.statusCode} ${res.raw.req.method} ${res.raw.req.url}`
      t.not(res.headers['access-control-allow-origin'], '*', `${what}: never *`)
      t.ok(vary(res).includes('origin'), `${what}: Vary: Origin`)
      if (res.raw.req.method !== 'OPTIONS') {
        const exposed = String(res.headers['access-control-expose-headers'] ?? '').toLowerCase()
        t.ok(exposed.includes('location') && exposed.includes('retry-after'), `${what}: exposes Location and Retry-After`)
      }
    }
  })
})
