import fc from 'fast-check'
import t from 'tap'
import { daysAgo, testApp } from '../helpers/app.js'
import { createFamily, createSession, ors, writableCounts as snapshot } from '../helpers/fixtures.js'

/**
 * Hostile requests against every route the OpenAPI document publishes: odd and overlong path
 * parameters, queries and bodies with deep nesting, huge and over-precise numbers, invalid
 * Unicode, impossible dates and prototype keys, odd headers. Whatever arrives, the service
 * answers below 500, every 4xx is problem+json with its status in the body, and a write it
 * refuses leaves the database as it was.
 */

const hostileString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constantFrom(
    '\ud800',
    'a\udfffb',
    '\u0000',
    '__proto__',
    'constructor',
    'prototype',
    '0000-01-01',
    '0000-02-29',
    '2026-02-30',
    '-000001-01-01',
    '9'.repeat(400),
    'x'.repeat(5000),
    '../../etc/passwd',
    '%00',
    '<script>',
    "'; DROP TABLE families; --",
  ),
)
const hostileNumber = fc.oneof(fc.double(), fc.integer(), fc.constantFrom(1e308, -1e308, 4.00000000001, 0.1 + 0.2, Number.MAX_SAFE_INTEGER + 2, -0, 1e-320))
const hostileKey = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'memberId', 'items', 'total', 'heldOn', 'kind', 'ratings', 'note', 'birthDate', '\ud800'),
)
const { value: hostileValue } = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, hostileString, hostileNumber, fc.boolean(), fc.constant(null), tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 4 }),
  object: fc.dictionary(hostileKey, tie('value'), { maxKeys: 5 }),
}))
/** Bodies sent as written: JSON built by hand (deep nesting, long number literals) or not JSON at all. */
const rawBody = fc.oneof(
  fc.integer({ min: 1, max: 5000 }).map((n) => '['.repeat(n) + ']'.repeat(n)),
  fc.integer({ min: 1, max: 3000 }).map((n) => '{"a":'.repeat(n) + '1' + '}'.repeat(n)),
  fc.constantFrom(
    '{"total": 4.00000000001}',
    '{"heldOn":"0000-01-01","kind":"office"}',
    '{"__proto__":{"admin":true}}',
    '{"constructor":{"prototype":{"x":1}}}',
    '{"a":1e999}',
    '{"a":"\\ud800"}',
    '{',
    '',
    'null',
    '[]',
    '"x"',
    '\u0000',
    '{"a":1,"a":2}',
  ),
  fc.string({ maxLength: 60 }),
)

/** A lone surrogate cannot be percent-encoded as UTF-8: send the bytes a broken client would (invalid UTF-8). */
function encodePathValue(value: string): string {
  try {
    return encodeURIComponent(value)
  } catch {
    return '%ED%A0%80%FF'
  }
}

interface Route {
  method: string
  path: string
}

t.test('fuzz: hostile requests on every route get a 4xx problem+json or a success, never a 5xx, and refused writes change nothing', async (t) => {
  const app = await testApp(t, { RATE_LIMIT_MAX: '1000000' })
  const family = await createFamily(t, app)
  const session = await createSession(t, app, family.id, { heldOn: daysAgo(3), ratings: [ors(family.m.Mor.id)] })
  const ids = { familyId: family.id, memberId: family.m.Mor.id, sessionId: session.id, ratingId: session.ratings[0].id, id: family.coordinatorId }

  const spec = (app.app as unknown as { swagger(): { paths: Record<string, Record<string, unknown>> } }).swagger()
  const routes: Route[] = Object.entries(spec.paths).flatMap(([path, ops]) =>
    Object.keys(ops)
      .filter((m) => ['get', 'post', 'put', 'patch', 'delete'].includes(m))
      .map((method) => ({ method: method.toUpperCase(), path })),
  )
  t.ok(routes.length >= 30, `the document publishes the routes (${routes.length})`)

  const pathValue = (name: string) =>
    fc.oneof(
      // Existing ids, so requests reach the handlers; never for deletions, which would remove the fixtures.
      { arbitrary: fc.constant(ids[name as keyof typeof ids] ?? '00000000-0000-4000-8000-000000000000'), weight: 3 },
      { arbitrary: fc.uuid(), weight: 1 },
      { arbitrary: hostileString, weight: 2 },
    )
  const request = fc.record({
    route: fc.constantFrom(...routes),
    params: fc.record({
      familyId: pathValue('familyId'),
      memberId: pathValue('memberId'),
      sessionId: pathValue('sessionId'),
      ratingId: pathValue('ratingId'),
      id: pathValue('id'),
    }),
    query: fc.dictionary(hostileKey, fc.oneof(hostileString, hostileNumber.map(String)), { maxKeys: 4 }),
    body: fc.oneof({ arbitrary: hostileValue.map((v) => ({ json: v })), weight: 3 }, { arbitrary: rawBody.map((raw) => ({ raw })), weight: 2 }),
    contentType: fc.constantFrom(
      'application/json',
      'application/json',
      'application/json; charset=utf-8',
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/json; charset=latin1',
    ),
    // Header values a client can send at all: visible ASCII and spaces.
    idempotencyKey: fc.option(
      fc.oneof(fc.string({ maxLength: 300 }), fc.constantFrom('', ' ', 'x'.repeat(256))).filter((s) => /^[\x20-\x7e]*$/.test(s)),
      { nil: undefined },
    ),
    auth: fc.constantFrom('key', 'key', 'key', 'none', 'garbage'),
  })

  const byStatus = new Map<number, number>()
  let before = await snapshot(app)
  await fc.assert(
    fc.asyncProperty(request, async (r) => {
      const isWrite = r.route.method !== 'GET'
      const params =
        r.route.method === 'DELETE'
          ? Object.fromEntries(
              Object.keys(r.params).map((k) => [
                k,
                (r.params as Record<string, string>)[k] === ids[k as keyof typeof ids]
                  ? '00000000-0000-4000-8000-000000000000'
                  : (r.params as Record<string, string>)[k],
              ]),
            )
          : r.params
      const path = r.route.path.replace(/\{(\w+)\}/g, (_, name: string) => encodePathValue((params as Record<string, string>)[name] ?? ''))
      const search = new URLSearchParams(Object.entries(r.query)).toString()
      const headers: Record<string, string> = { 'content-type': r.contentType }
      if (r.auth === 'key') headers.authorization = `Bearer ${app.municipality.apiKey}`
      if (r.auth === 'garbage') headers.authorization = 'Bearer fgk_not-a-key'
      if (r.idempotencyKey !== undefined) headers['idempotency-key'] = r.idempotencyKey
      const payload = !isWrite ? undefined : 'raw' in r.body ? r.body.raw : JSON.stringify(r.body.json)
      const res = await app.app.inject({
        method: r.route.method as 'GET',
        url: search ? `${path}?${search}` : path,
        headers,
        ...(payload !== undefined && { payload }),
      })
      byStatus.set(res.statusCode, (byStatus.get(res.statusCode) ?? 0) + 1)
      const what = `${r.route.method} ${path.slice(0, 120)} → ${res.statusCode} ${res.body.slice(0, 200)}`
      if (res.statusCode >= 500) throw new Error(`a 5xx: ${what}`)
      if (res.statusCode >= 400) {
        if (!/^application\/problem\+json/.test(String(res.headers['content-type']))) throw new Error(`not problem+json: ${what}`)
        const body = res.json()
        if (body.status !== res.statusCode || typeof body.type !== 'string' || typeof body.title !== 'string') throw new Error(`not a problem: ${what}`)
      }
      const after = await snapshot(app)
      if (isWrite && res.statusCode >= 400 && JSON.stringify(after) !== JSON.stringify(before)) {
        throw new Error(`a refused write changed the database: ${what}\nbefore ${JSON.stringify(before)}\nafter ${JSON.stringify(after)}`)
      }
      before = after
    }),
    { numRuns: Number(process.env.FUZZ_RUNS ?? 400) },
  )
  t.comment(`answers by status: ${JSON.stringify(Object.fromEntries([...byStatus].sort((a, b) => a[0] - b[0])))}`)
  t.ok(
    [...byStatus.keys()].some((s) => s < 300),
    'some requests succeeded (the fuzz reaches the handlers)',
  )
  t.ok(
    [...byStatus.keys()].some((s) => s === 400),
    'and many were refused',
  )
})
