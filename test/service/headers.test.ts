import { randomUUID } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { LightMyRequestResponse } from 'fastify'
import t from 'tap'
import { buildApp } from '../../service/app.js'
import { daysAgo, testApp, yearsAgo } from '../helpers/app.js'

/**
 * Caching and content security policy: every /v1 answer, errors included, is `no-store` (it may
 * carry personal data); the API's CSP is exactly the strict one; the pages that need more (the
 * docs UI, the demo) get their own, and the widget script keeps its own caching.
 */

const API_CSP = { 'default-src': ["'none'"], 'base-uri': ["'none'"], 'form-action': ["'none'"], 'frame-ancestors': ["'none'"] }

function directives(res: LightMyRequestResponse): Record<string, string[]> {
  const header = String(res.headers['content-security-policy'] ?? '')
  return Object.fromEntries(
    header
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((parts) => parts[0])
      .map(([name, ...values]) => [name, values]),
  )
}

t.test('every /v1 answer is no-store and carries the strict API CSP', async (t) => {
  const ctx = await testApp(t)
  const limited = await testApp(t, { RATE_LIMIT_MAX: '1' })
  const call = ctx.call
  const json = async (res: Promise<LightMyRequestResponse>, status: number) => {
    const r = await res
    t.equal(r.statusCode, status, `set-up → ${status}${r.statusCode === status ? '' : `: ${r.body.slice(0, 300)}`}`)
    return r.body ? r.json() : null
  }

  const coordinator = await json(call('POST', '/v1/coordinators', { body: { externalRef: 'h-c', displayName: 'Kari' } }), 201)
  const family = await json(
    call('POST', '/v1/families', {
      body: { externalRef: 'h-f', coordinatorId: coordinator.id, startedOn: daysAgo(60), members: [{ alias: 'Mor', role: 'adult', birthDate: yearsAgo(40) }] },
    }),
    201,
  )
  const mor = family.members[0].id
  const session = await json(
    call('POST', `/v1/families/${family.id}/sessions`, {
      body: { heldOn: daysAgo(10), kind: 'office', ratings: [{ memberId: mor, instrument: 'ORS', rater: 'self', items: [5, 5, 5, 5] }] },
    }),
    201,
  )
  const rating = session.ratings[0].id
  const token = (await json(call('POST', '/v1/embed-tokens', { body: { role: 'coordinator', coordinatorId: coordinator.id } }), 201)).token
  const familyToken = (await json(call('POST', '/v1/embed-tokens', { body: { role: 'family', familyId: family.id } }), 201)).token
  const disposable = await json(
    call('POST', '/v1/families', { body: { externalRef: 'h-gone', coordinatorId: coordinator.id, startedOn: daysAgo(60), members: [] } }),
    201,
  )
  const client = await json(call('POST', '/v1/api-clients', { body: { name: 'to revoke' } }), 201)

  const ors = { memberId: mor, instrument: 'ORS', rater: 'self', items: [6, 6, 6, 6] }
  const samples: [string, () => Promise<LightMyRequestResponse>, number][] = [
    ['POST /v1/coordinators', () => call('POST', '/v1/coordinators', { body: { externalRef: 'h-c2', displayName: 'Per' } }), 201],
    ['GET /v1/coordinators', () => call('GET', '/v1/coordinators'), 200],
    ['PATCH /v1/coordinators/{id}', () => call('PATCH', `/v1/coordinators/${coordinator.id}`, { body: { displayName: 'Kari K' } }), 200],
    ['GET /v1/families', () => call('GET', '/v1/families'), 200],
    ['GET /v1/families/{id}', () => call('GET', `/v1/families/${family.id}`), 200],
    ['PATCH /v1/families/{id}', () => call('PATCH', `/v1/families/${family.id}`, { body: { externalRef: 'h-f2' } }), 200],
    [
      'POST /v1/families/{id}/members',
      () => call('POST', `/v1/families/${family.id}/members`, { body: { alias: 'Far', role: 'adult', birthDate: yearsAgo(42) } }),
      201,
    ],
    ['GET /v1/families/{id}/members/{id}', () => call('GET', `/v1/families/${family.id}/members/${mor}`), 200],
    ['GET /v1/families/{id}/sessions', () => call('GET', `/v1/families/${family.id}/sessions`), 200],
    ['GET /v1/sessions/{id}', () => call('GET', `/v1/sessions/${session.id}`), 200],
    ['PATCH /v1/sessions/{id}', () => call('PATCH', `/v1/sessions/${session.id}`, { body: { kind: 'phone' } }), 200],
    ['GET /v1/sessions/{id}/ratings/{id}', () => call('GET', `/v1/sessions/${session.id}/ratings/${rating}`), 200],
    ['PUT /v1/sessions/{id}/ratings/{id}', () => call('PUT', `/v1/sessions/${session.id}/ratings/${rating}`, { body: ors }), 200],
    ['GET /v1/families/{id}/progress', () => call('GET', `/v1/families/${family.id}/progress`), 200],
    ['GET /v1/families/{id}/progress (family token)', () => call('GET', `/v1/families/${family.id}/progress`, { key: familyToken }), 200],
    ['GET /v1/caseload (coordinator token)', () => call('GET', '/v1/caseload', { key: token }), 200],
    ['GET /v1/reports/outcomes', () => call('GET', '/v1/reports/outcomes'), 200],
    ['POST /v1/expected-bands/recompute', () => call('POST', '/v1/expected-bands/recompute'), 200],
    ['GET /v1/instruments', () => call('GET', '/v1/instruments?lang=nb'), 200],
    ['GET /v1/settings', () => call('GET', '/v1/settings'), 200],
    ['PATCH /v1/settings', () => call('PATCH', '/v1/settings', { body: { overdueDays: 42 } }), 200],
    ['GET /v1/api-clients', () => call('GET', '/v1/api-clients'), 200],
    ['POST /v1/api-clients', () => call('POST', '/v1/api-clients', { body: { name: 'h' } }), 201],
    ['DELETE /v1/api-clients/{id}', () => call('DELETE', `/v1/api-clients/${client.id}`), 204],
    ['POST /v1/embed-tokens', () => call('POST', '/v1/embed-tokens', { body: { role: 'family', familyId: family.id } }), 201],
    ['GET /v1/families/{id}/export', () => call('GET', `/v1/families/${family.id}/export`), 200],
    ['GET /v1/families/{id}/export?format=fhir', () => call('GET', `/v1/families/${family.id}/export?format=fhir`), 200],
    ['GET /v1/families/{id}/access-log', () => call('GET', `/v1/families/${family.id}/access-log`), 200],
    ['GET /v1/families/{id}/access-log (family token)', () => call('GET', `/v1/families/${family.id}/access-log`, { key: familyToken }), 200],
    ['DELETE /v1/sessions/{id}/ratings/{id}', () => call('DELETE', `/v1/sessions/${session.id}/ratings/${rating}`), 204],
    ['DELETE /v1/families/{id}', () => call('DELETE', `/v1/families/${disposable.id}`), 204],
    ['400 malformed body', () => call('POST', '/v1/families', { body: { externalRef: 1 } }), 400],
    [
      '400 malformed JSON',
      () =>
        ctx.app.inject({
          method: 'PATCH',
          url: '/v1/settings',
          headers: { authorization: `Bearer ${ctx.municipality.apiKey}`, 'content-type': 'application/json' },
          payload: '{"overdue',
        }),
      400,
    ],
    ['401 no credential', () => call('GET', `/v1/families/${family.id}/export`, { key: null }), 401],
    ['401 unknown key', () => call('GET', '/v1/families', { key: 'fgk_nobody' }), 401],
    ['401 not a token', () => call('GET', '/v1/families', { key: 'eyJ.nope.nope' }), 401],
    ['403 a coordinator on the export', () => call('GET', `/v1/families/${family.id}/export`, { key: token }), 403],
    ['404 another family', () => call('GET', `/v1/families/${randomUUID()}/export`), 404],
    ['404 no such /v1 route', () => call('GET', '/v1/nothing-here'), 404],
    ['409 an externalRef in use', () => call('POST', '/v1/coordinators', { body: { externalRef: 'h-c', displayName: 'Kari' } }), 409],
    [
      '422 a session in the future',
      () => call('POST', `/v1/families/${family.id}/sessions`, { body: { heldOn: daysAgo(-30), kind: 'office', ratings: [] } }),
      422,
    ],
    [
      'OPTIONS preflight',
      () => ctx.app.inject({ method: 'OPTIONS', url: '/v1/families', headers: { origin: 'https://host.example', 'access-control-request-method': 'POST' } }),
      204,
    ],
  ]
  for (const [what, request, status] of samples) {
    const res = await request()
    t.equal(res.statusCode, status, `${what} → ${status}${res.statusCode === status ? '' : `: ${res.body.slice(0, 200)}`}`)
    t.equal(res.headers['cache-control'], 'no-store', `${what}: Cache-Control: no-store`)
    t.same(directives(res), API_CSP, `${what}: the API's CSP, exactly`)
  }

  await limited.call('GET', '/v1/instruments')
  const tooMany = await limited.call('GET', '/v1/instruments')
  t.equal(tooMany.statusCode, 429, '429 from the rate limit')
  t.equal(tooMany.headers['cache-control'], 'no-store', '429: Cache-Control: no-store')
  t.notMatch(String(tooMany.headers['content-security-policy']), /unsafe-inline|style-src/, '429: no inline styles allowed')
})

t.test('the pages get their own CSP; the widget script keeps its caching', async (t) => {
  const ctx = await testApp(t)
  const widgetDir = await mkdtemp(path.join(tmpdir(), 'framgang-widget-'))
  await writeFile(path.join(widgetDir, 'framgang.js'), 'export {}\n')
  const app = await buildApp({ config: ctx.config, connectionString: ctx.connectionString, logger: false, widgetDir })
  t.teardown(async () => {
    await app.close()
    await rm(widgetDir, { recursive: true, force: true })
  })

  const health = await app.inject({ url: '/health/live' })
  t.same(directives(health), API_CSP, '/health: the API’s CSP')

  const docs = await app.inject({ url: '/docs' })
  t.equal(docs.statusCode, 200, 'the docs UI')
  const d = directives(docs)
  t.same(d['style-src'], ["'self'", "'unsafe-inline'"], 'the docs UI may set inline styles (Swagger UI does)')
  t.same(d['script-src'], ["'self'"], 'but runs script files of its own only')
  t.same(d['default-src'], ["'self'"])
  t.same(d['object-src'], ["'none'"])
  t.notOk('font-src' in d, 'no fonts from anywhere on https: (helmet’s default)')
  t.same(directives(await app.inject({ url: '/docs/json' }))['script-src'], ["'self'"], '/docs/json: the docs policy')

  const demo = await app.inject({ url: '/demo/index.html' })
  t.equal(demo.statusCode, 200, 'the demo page')
  const p = directives(demo)
  t.same(p['style-src'], ["'self'"], 'the demo: style files only')
  t.same(p['script-src'], ["'self'"], 'script files only')
  t.same(p['connect-src'], ["'self'"], 'talks to this service only')
  t.notMatch(String(demo.headers['content-security-policy']), /unsafe-inline|unsafe-eval/, 'no unsafe-anything')

  const script = await app.inject({ url: '/widget/framgang.js' })
  t.equal(script.statusCode, 200, 'the widget script')
  t.match(String(script.headers['cache-control']), /^public, max-age=\d+/, 'keeps its own caching')
  t.notMatch(String(script.headers['cache-control']), /no-store/, 'not no-store')
})
