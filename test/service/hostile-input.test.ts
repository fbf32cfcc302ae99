import fc from 'fast-check'
import net from 'node:net'
import type { AddressInfo } from 'node:net'
import t from 'tap'
import type { Test } from 'tap'
import { buildApp } from '../../service/app.js'
import { createMunicipality } from '../../service/cli/municipalities.js'
import { loadConfig } from '../../service/config.js'
import { createDb } from '../../service/db/kysely.js'
import { pg } from '../../service/db/pg-types.js'
import { daysAgo, NO_LOAD_SHEDDING, testApp, type TestApp } from '../helpers/app.js'
import { freshDatabase } from '../helpers/database.js'
import { MAX_JSON_DEPTH, scanJson } from '../../service/plugins/json-body.js'
import { assertProblem, createCoordinator, createFamily, createSession, ors, writableCounts as snapshot } from '../helpers/fixtures.js'
import { captureLogs } from '../helpers/logs.js'

/**
 * Input meant to break the service: every answer is a 4xx problem+json, never a 5xx, nothing is
 * stored altered, and a refused write leaves the database as it was.
 */

/** A request with a body sent exactly as written (numbers and escapes untouched by JSON.stringify). */
function rawJson(app: TestApp, method: string, url: string, payload: string | Buffer) {
  return app.app.inject({
    method: method as 'POST',
    url,
    payload,
    headers: { authorization: `Bearer ${app.municipality.apiKey}`, 'content-type': 'application/json', 'idempotency-key': `raw-${Math.random()}` },
  })
}

/** How many arrays and objects nest in a (small) value; a scalar is 0. */
function depthOf(value: unknown): number {
  if (Array.isArray(value)) return 1 + Math.max(0, ...value.map(depthOf))
  if (value !== null && typeof value === 'object') return 1 + Math.max(0, ...Object.values(value).map(depthOf))
  return 0
}

t.test('the body scan measures nesting as JSON.parse reads it, whatever the strings hold', async () => {
  // Strings full of brackets, quotes and backslashes, as values and as names.
  const tricky = fc.stringMatching(/^[[\]{}"\\,:a]{0,12}$/)
  const value = fc.letrec((tie) => ({
    node: fc.oneof(
      { depthSize: 'small' },
      tricky,
      fc.integer(),
      fc.constant(null),
      fc.array(tie('node'), { maxLength: 3 }),
      fc.dictionary(tricky, tie('node'), { maxKeys: 3 }),
    ),
  })).node
  fc.assert(
    fc.property(value, fc.integer({ min: 0, max: 40 }), (inner, wrap) => {
      const text = '['.repeat(wrap) + JSON.stringify(inner) + ']'.repeat(wrap)
      const depth = depthOf(JSON.parse(text))
      const scan = scanJson(text)
      return (scan.tooDeep !== null) === depth > MAX_JSON_DEPTH && scan.numbers.length === 0
    }),
    { numRuns: 500 },
  )
})

t.test('nesting deeper than 32 levels is a 400 naming the rule, without exhausting the stack', async (t) => {
  const app = await testApp(t)
  const before = await snapshot(app)
  const arrays = rawJson(app, 'POST', '/v1/coordinators', '['.repeat(3200) + ']'.repeat(3200))
  assertProblem(t, await arrays, { status: 400, type: 'validation', path: '/0'.repeat(32), mentions: /32 levels/ })

  let objects = '1'
  for (let i = 0; i < 10_000; i++) objects = `{"a":${objects}}`
  assertProblem(t, await rawJson(app, 'POST', '/v1/coordinators', objects), { status: 400, type: 'validation', path: '/a'.repeat(32), mentions: /32 levels/ })

  // Fastify's prototype-poisoning check walks a parsed body recursively: deep bodies never reach it.
  const poisoned = `{"constructor":{"prototype":${'['.repeat(100_000)}${']'.repeat(100_000)}}}`
  assertProblem(t, await rawJson(app, 'POST', '/v1/coordinators', poisoned), { status: 400, type: 'validation', mentions: /32 levels/ })

  // Inside a field of a real request, on every kind of write.
  const f = await createFamily(t, app)
  const afterFamily = await snapshot(app)
  const deepNote = `{"heldOn":"${daysAgo(2)}","kind":"office","note":${'['.repeat(40)}${']'.repeat(40)}}`
  assertProblem(t, await rawJson(app, 'POST', `/v1/families/${f.id}/sessions`, deepNote), { status: 400, type: 'validation', path: `/note${'/0'.repeat(31)}` })
  assertProblem(t, await rawJson(app, 'PATCH', '/v1/settings', `{"thresholds":${'{"x":'.repeat(50)}1${'}'.repeat(50)}}`), {
    status: 400,
    type: 'validation',
    mentions: /32 levels/,
  })
  t.same(await snapshot(app), afterFamily, 'nothing was written')

  // The limit itself: 32 levels are parsed (and then judged by the contract), 33 are not.
  const nest = (levels: number) => `{"externalRef":"C-deep","displayName":"D","x":${'['.repeat(levels - 1)}${']'.repeat(levels - 1)}}`
  const at32 = assertProblem(t, await rawJson(app, 'POST', '/v1/coordinators', nest(32)), {
    status: 400,
    type: 'validation',
    path: '/x',
    mentions: /unknown field 'x'/,
  })
  t.notMatch(at32.detail, /levels/, 'exactly 32 levels are not refused for nesting')
  assertProblem(t, await rawJson(app, 'POST', '/v1/coordinators', nest(33)), {
    status: 400,
    type: 'validation',
    path: `/x${'/0'.repeat(31)}`,
    mentions: /32 levels/,
  })

  // Brackets and escaped quotes inside strings are text, not nesting.
  const text = '[[[[{{{{\\"' + '['.repeat(100)
  const created = await rawJson(app, 'POST', '/v1/coordinators', `{"externalRef":"C-brackets","displayName":"${text}"}`)
  t.equal(created.statusCode, 201, created.body.slice(0, 300))
  t.equal(created.json().displayName, JSON.parse(`"${text}"`), 'stored exactly as sent')
  t.same((await snapshot(app)).coordinators, before.coordinators + 2, 'only the well-formed coordinator was added (and the family’s)')
})

t.test('year 0000 and other impossible dates are a 400 wherever a date is accepted', async (t) => {
  const app = await testApp(t)
  const f = await createFamily(t, app)
  const s = await createSession(t, app, f.id, { heldOn: daysAgo(5), ratings: [ors(f.m.Mor.id)] })
  const before = await snapshot(app)
  for (const bad of ['0000-01-01', '0000-02-29', '0000-12-31']) {
    const mentions = /year 0000/
    assertProblem(t, await app.call('GET', `/v1/reports/outcomes?to=${bad}`), { status: 400, type: 'validation', path: '/to', mentions })
    assertProblem(t, await app.call('GET', `/v1/reports/outcomes?from=${bad}&to=2026-01-01`), { status: 400, type: 'validation', path: '/from', mentions })
    const family = {
      externalRef: `F-${bad}`,
      coordinatorId: f.coordinatorId,
      startedOn: daysAgo(10),
      members: [{ alias: 'A', role: 'adult', birthDate: '1990-01-01' }],
    }
    assertProblem(t, await app.call('POST', '/v1/families', { body: { ...family, startedOn: bad } }), {
      status: 400,
      type: 'validation',
      path: '/startedOn',
      mentions,
    })
    assertProblem(t, await app.call('POST', '/v1/families', { body: { ...family, members: [{ alias: 'A', role: 'adult', birthDate: bad }] } }), {
      status: 400,
      type: 'validation',
      path: '/members/0/birthDate',
      mentions,
    })
    assertProblem(t, await app.call('POST', `/v1/families/${f.id}/members`, { body: { alias: 'B', role: 'adult', birthDate: bad } }), {
      status: 400,
      type: 'validation',
      path: '/birthDate',
      mentions,
    })
    assertProblem(t, await app.call('PATCH', `/v1/families/${f.id}/members/${f.m.Mor.id}`, { body: { birthDate: bad } }), {
      status: 400,
      type: 'validation',
      path: '/birthDate',
      mentions,
    })
    assertProblem(t, await app.call('PATCH', `/v1/families/${f.id}`, { body: { endedOn: bad, ending: 'planned' } }), {
      status: 400,
      type: 'validation',
      path: '/endedOn',
      mentions,
    })
    assertProblem(t, await app.call('POST', `/v1/families/${f.id}/sessions`, { body: { heldOn: bad, kind: 'office' } }), {
      status: 400,
      type: 'validation',
      path: '/heldOn',
      mentions,
    })
    assertProblem(t, await app.call('PATCH', `/v1/sessions/${s.id}`, { body: { heldOn: bad } }), { status: 400, type: 'validation', path: '/heldOn', mentions })
  }
  for (const impossible of ['2026-02-29', '2026-04-31', '2026-13-01', '10000-01-01', '+002026-01-01']) {
    assertProblem(t, await app.call('GET', `/v1/reports/outcomes?to=${impossible}`), { status: 400, type: 'validation', path: '/to' })
    assertProblem(t, await app.call('POST', `/v1/families/${f.id}/sessions`, { body: { heldOn: impossible, kind: 'office' } }), {
      status: 400,
      type: 'validation',
      path: '/heldOn',
    })
  }
  t.same(await snapshot(app), before, 'nothing was written')
  t.equal((await app.call('GET', `/v1/sessions/${s.id}`)).json().heldOn, s.heldOn, 'the session kept its date')
  t.equal(
    (await app.call('GET', `/v1/families/${f.id}`)).json().members.find((m: { id: string }) => m.id === f.m.Mor.id).birthDate,
    f.m.Mor.birthDate,
    'the member kept hers',
  )
})

t.test('the outcome report takes the whole range of dates, and its default period stays in it', async (t) => {
  const app = await testApp(t)
  // Periods are whole calendar months (the default: the twelve that end with to's month).
  for (const [query, from, to] of [
    ['to=0001-01-01', '0001-01-01', '0001-01-31'],
    ['to=0001-06-15', '0001-01-01', '0001-06-30'],
    ['to=0002-02-28', '0001-03-01', '0002-02-28'],
    ['to=2024-02-29', '2023-03-01', '2024-02-29'],
    ['to=2025-02-28', '2024-03-01', '2025-02-28'],
    ['to=2025-12-31', '2025-01-01', '2025-12-31'],
    ['to=9999-12-31', '9999-01-01', '9999-12-31'],
    ['from=0001-01-01&to=9999-12-31', '0001-01-01', '9999-12-31'],
  ]) {
    const res = await app.call('GET', `/v1/reports/outcomes?${query}`)
    t.equal(res.statusCode, 200, `${query}: ${res.body.slice(0, 300)}`)
    t.match(res.json(), { from, to }, `${query} covers ${from} to ${to}`)
  }
})

t.test('numbers more precise than the contract takes are a 400 naming the field, never stored rounded', async (t) => {
  const app = await testApp(t)
  const f = await createFamily(t, app)
  const s = await createSession(t, app, f.id, { heldOn: daysAgo(5), ratings: [ors(f.m.Mor.id)] })
  const ratingId = s.ratings[0].id
  const before = await snapshot(app)
  const sessions = `/v1/families/${f.id}/sessions`
  const session = (rating: string) => `{"heldOn":"${daysAgo(3)}","kind":"office","ratings":[${rating}]}`
  const total = (value: string, memberId = f.m.Mor.id) => `{"memberId":"${memberId}","instrument":"ORS","rater":"self","total":${value}}`
  const items = (values: string) => `{"memberId":"${f.m.Mor.id}","instrument":"ORS","rater":"self","items":[${values}]}`

  // Not a multiple of 0.1: refused by the score rule.
  for (const value of ['4.00000000001', '4.05', '0.25', '39.99']) {
    assertProblem(t, await rawJson(app, 'POST', sessions, session(total(value))), {
      status: 400,
      type: 'validation',
      path: '/ratings/0/total',
      mentions: /one decimal/,
    })
    assertProblem(t, await rawJson(app, 'POST', `/v1/sessions/${s.id}/ratings`, total(value, f.m.Tenåring.id)), {
      status: 400,
      type: 'validation',
      path: '/total',
      mentions: /one decimal/,
    })
    assertProblem(t, await rawJson(app, 'PUT', `/v1/sessions/${s.id}/ratings/${ratingId}`, total(value)), {
      status: 400,
      type: 'validation',
      path: '/total',
      mentions: /one decimal/,
    })
  }
  assertProblem(t, await rawJson(app, 'POST', sessions, session(items('5,5,4.00000000001,5'))), {
    status: 400,
    type: 'validation',
    path: '/ratings/0/items/2',
    mentions: /one decimal/,
  })
  // Literals a double cannot carry as written: they would read as 4, 0 or infinity.
  for (const [value, mentions] of [
    ['4.0000000000000001', /significant digits/],
    ['4.10000000000000001', /significant digits/],
    ['0.30000000000000004', /significant digits/],
    ['1e-400', /read as 0/],
    ['1e400', /too large/],
  ] as const) {
    assertProblem(t, await rawJson(app, 'POST', sessions, session(total(value))), { status: 400, type: 'validation', path: '/ratings/0/total', mentions })
    assertProblem(t, await rawJson(app, 'PUT', `/v1/sessions/${s.id}/ratings/${ratingId}`, total(value)), {
      status: 400,
      type: 'validation',
      path: '/total',
      mentions,
    })
  }
  // Whole numbers too: 600.00000000000001 reads as 600.
  const token = await rawJson(app, 'POST', '/v1/embed-tokens', `{"role":"coordinator","coordinatorId":"${f.coordinatorId}","ttlSeconds":600.00000000000001}`)
  assertProblem(t, token, { status: 400, type: 'validation', path: '/ttlSeconds', mentions: /significant digits/ })
  assertProblem(t, await rawJson(app, 'PATCH', '/v1/settings', '{"overdueDays":30.000000000000001}'), { status: 400, type: 'validation', path: '/overdueDays' })
  assertProblem(t, await rawJson(app, 'PATCH', '/v1/settings', '{"thresholds":{"ORS":{"reliableChange":5.00000000001}}}'), {
    status: 400,
    type: 'validation',
    path: '/thresholds/ORS/reliableChange',
  })
  t.same(await snapshot(app), before, 'nothing was written')
  t.same((await app.call('GET', `/v1/sessions/${s.id}`)).json().ratings[0].items, s.ratings[0].items, 'the rating kept its scores')

  // What a double carries exactly is taken, however it is written.
  const ok = await rawJson(app, 'POST', sessions, session(items('4.1,0.3,1e1,4.10')))
  t.equal(ok.statusCode, 201, ok.body.slice(0, 300))
  t.same(ok.json().ratings[0].items, [4.1, 0.3, 10, 4.1])
  t.equal(ok.json().ratings[0].total, 18.5)
})

t.test('strings with unpaired surrogates or invalid UTF-8 are a 400 naming the field, never stored as U+FFFD', async (t) => {
  const app = await testApp(t)
  const coordinatorId = await createCoordinator(t, app)
  const f = await createFamily(t, app, { coordinatorId })
  const s = await createSession(t, app, f.id, { heldOn: daysAgo(5), note: 'Før', ratings: [ors(f.m.Mor.id)] })
  const before = await snapshot(app)
  const mentions = /unpaired surrogate/
  for (const lone of ['\ud800', '\udfff', 'a\udc00b', 'x\ud83d']) {
    const family = { externalRef: `F${lone}`, coordinatorId, startedOn: daysAgo(10), members: [{ alias: 'A', role: 'adult', birthDate: '1990-01-01' }] }
    assertProblem(t, await app.call('POST', '/v1/families', { body: family }), { status: 400, type: 'validation', path: '/externalRef', mentions })
    assertProblem(
      t,
      await app.call('POST', '/v1/families', {
        body: { ...family, externalRef: 'F-ok', members: [{ alias: `Mor${lone}`, role: 'adult', birthDate: '1990-01-01' }] },
      }),
      {
        status: 400,
        type: 'validation',
        path: '/members/0/alias',
        mentions,
      },
    )
    assertProblem(t, await app.call('PATCH', `/v1/families/${f.id}/members/${f.m.Mor.id}`, { body: { alias: lone } }), {
      status: 400,
      type: 'validation',
      path: '/alias',
      mentions,
    })
    assertProblem(t, await app.call('PATCH', `/v1/families/${f.id}`, { body: { externalRef: lone } }), {
      status: 400,
      type: 'validation',
      path: '/externalRef',
      mentions,
    })
    assertProblem(t, await app.call('POST', `/v1/families/${f.id}/sessions`, { body: { heldOn: daysAgo(2), kind: 'office', note: `Notat ${lone}` } }), {
      status: 400,
      type: 'validation',
      path: '/note',
      mentions,
    })
    assertProblem(t, await app.call('PATCH', `/v1/sessions/${s.id}`, { body: { note: lone } }), { status: 400, type: 'validation', path: '/note', mentions })
    assertProblem(t, await app.call('POST', '/v1/coordinators', { body: { externalRef: `C${lone}`, displayName: 'Kari' } }), {
      status: 400,
      type: 'validation',
      path: '/externalRef',
      mentions,
    })
    assertProblem(t, await app.call('PATCH', `/v1/coordinators/${coordinatorId}`, { body: { displayName: `Kari ${lone}` } }), {
      status: 400,
      type: 'validation',
      path: '/displayName',
      mentions,
    })
    assertProblem(t, await app.call('POST', '/v1/api-clients', { body: { name: `Fagsystem ${lone}` } }), {
      status: 400,
      type: 'validation',
      path: '/name',
      mentions,
    })
    const override = { ...ors(f.m.Barn.id), instrument: 'ORS', instrumentOverride: { reason: `fordi ${lone}` } }
    assertProblem(t, await app.call('POST', `/v1/sessions/${s.id}/ratings`, { body: override }), {
      status: 400,
      type: 'validation',
      path: '/instrumentOverride/reason',
      mentions,
    })
  }
  // A field name is not repeated back: the pointer names the object holding it.
  assertProblem(t, await app.call('PATCH', '/v1/settings', { body: { thresholds: { ['OR\ud800S']: { reliableChange: 5 } } } }), {
    status: 400,
    type: 'validation',
    path: '/thresholds',
    mentions,
  })
  // Bytes that are not UTF-8 at all (a lone 0xFF; a surrogate encoded as UTF-8).
  for (const bytes of [[0xff], [0xed, 0xa0, 0x80], [0xc3]]) {
    const body = Buffer.concat([Buffer.from('{"externalRef":"C-bytes","displayName":"Kari'), Buffer.from(bytes), Buffer.from('"}')])
    assertProblem(t, await rawJson(app, 'POST', '/v1/coordinators', body), { status: 400, type: 'validation', path: '', mentions: /UTF-8/ })
  }
  t.same(await snapshot(app), before, 'nothing was written')
  const back = await app.call('GET', `/v1/sessions/${s.id}`)
  t.equal(back.json().note, 'Før', 'the note is unchanged')

  // Text that is valid Unicode is stored exactly, characters outside the BMP included.
  const text = 'Kari 😀 \ufffd \ufffe Ærlig'
  const created = await app.call('POST', '/v1/coordinators', { body: { externalRef: 'C-emoji', displayName: text } })
  t.equal(created.statusCode, 201, created.body.slice(0, 300))
  const listed = (await app.call('GET', '/v1/coordinators')).json().items.find((c: { id: string }) => c.id === created.json().id)
  t.equal(listed.displayName, text, 'stored and returned as sent')
})

t.test('router errors answer problem+json without repeating the path', async (t) => {
  const app = await testApp(t)
  const f = await createFamily(t, app)
  const before = await snapshot(app)
  const long = 'x'.repeat(150)
  for (const [method, url] of [
    ['GET', `/v1/families/${long}`],
    ['PATCH', `/v1/families/${long}`],
    ['GET', `/v1/sessions/${long}`],
    ['PUT', `/v1/sessions/${long}/ratings/${long}`],
    ['GET', `/v1/families/${f.id}/members/${long}`],
  ]) {
    const res = await app.call(method, url, { body: method === 'GET' ? undefined : { note: 'x' } })
    const problem = assertProblem(t, res, { status: 400, type: 'validation', mentions: /longer than 100 characters/ })
    t.notMatch(res.body, /x{100}/, `${method}: the path is not repeated`)
    t.match(problem.instance, /^urn:uuid:[0-9a-f-]{36}$/, 'the instance is the request’s id')
  }
  for (const url of ['/v1/families/%FF', '/v1/families/%ED%A0%80', '/v1/sessions/%C3']) {
    const res = await app.call('GET', url)
    assertProblem(t, res, { status: 400, type: 'validation', mentions: /not a valid URL/ })
    t.notMatch(res.body, /%/, `${url} is not repeated`)
  }
  // An unknown path too long to be a route is not repeated either.
  const unknown = await app.call('GET', `/v1/${'y'.repeat(5000)}`)
  const problem = assertProblem(t, unknown, { status: 404, type: 'not-found' })
  t.notMatch(unknown.body, /y{100}/, 'the path is not repeated')
  t.match(problem.instance, /^urn:uuid:/)
  // Nor an unknown field's name when it is long.
  const name = 'k'.repeat(5000)
  const field = await app.call('POST', '/v1/coordinators', { body: { externalRef: 'C-k', displayName: 'K', [name]: 1 } })
  assertProblem(t, field, { status: 400, type: 'validation', path: '', mentions: /unknown field \(a name of 5000 characters\)/ })
  t.notMatch(field.body, /k{100}/, 'the name is not repeated')
  t.same(await snapshot(app), before, 'nothing was written')
})

interface RawAnswer {
  status: number
  headers: Record<string, string>
  body: string
}

/** The first HTTP answer in what a socket received (status 0 when none came). */
function parseAnswer(received: string): RawAnswer {
  const end = received.indexOf('\r\n\r\n')
  if (end < 0) return { status: 0, headers: {}, body: received }
  const [statusLine, ...lines] = received.slice(0, end).split('\r\n')
  const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]))
  const length = headers['content-length'] === undefined ? undefined : Number(headers['content-length'])
  const rest = received.slice(end + 4)
  return { status: Number(statusLine.split(' ')[1]), headers, body: length === undefined ? rest : Buffer.from(rest).subarray(0, length).toString() }
}

/**
 * Sends bytes on a fresh connection to the listening app and collects what comes back until the
 * server closes it (or 5 seconds pass: then the test fails rather than hangs).
 */
function exchange(port: number, send: (socket: net.Socket) => void): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1')
    const chunks: Buffer[] = []
    const timer = setTimeout(() => {
      socket.destroy()
      reject(new Error(`no closed answer within 5 s; received ${Buffer.concat(chunks).toString().slice(0, 200)}`))
    }, 5000)
    socket.on('connect', () => send(socket))
    socket.on('data', (chunk) => chunks.push(chunk))
    // The server may reset a connection it refused once the answer is out.
    socket.on('error', () => {})
    socket.on('close', () => {
      clearTimeout(timer)
      resolve(parseAnswer(Buffer.concat(chunks).toString('utf8')))
    })
  })
}

function assertRawProblem(t: Test, answer: RawAnswer, status: number, mentions: RegExp) {
  t.equal(answer.status, status, `status ${status}: ${answer.body.slice(0, 300)}`)
  t.match(answer.headers['content-type'], /^application\/problem\+json/, 'problem+json')
  const body = JSON.parse(answer.body)
  t.match(body, { type: '/problems/validation', title: String, status, detail: mentions, instance: /^urn:uuid:[0-9a-f-]{36}$/ })
  t.match(body.errors, [{ path: '', message: String }], 'errors[] with a pointer')
  return body
}

t.test('malformed HTTP, oversized headers and bodies answer problem+json on a real connection', async (t) => {
  const app = await testApp(t)
  await app.app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.app.server.address() as AddressInfo
  const before = await snapshot(app)
  const auth = `Authorization: Bearer ${app.municipality.apiKey}\r\nIdempotency-Key: raw-1\r\n`
  const post = `POST /v1/coordinators HTTP/1.1\r\nHost: localhost\r\n${auth}Content-Type: application/json\r\n`
  const coordinator = '{"externalRef":"C-raw","displayName":"Kari"}'

  // Each case carries the marker, which the answer must not repeat.
  const marker = 'Hemmelig'
  const cases: [string, string | Buffer, number, RegExp][] = [
    ['not HTTP at all', `${marker} THERE\r\n\r\n`, 400, /well-formed HTTP/],
    ['a Content-Length that is not a number', `${post}Content-Length: ${marker}\r\n\r\n${coordinator}`, 400, /well-formed HTTP/],
    [
      'Content-Length beside Transfer-Encoding',
      `${post}X-M: ${marker}\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
      400,
      /well-formed HTTP/,
    ],
    ['a chunk size that is not hexadecimal', `${post}Transfer-Encoding: chunked\r\n\r\n${marker}\r\n${coordinator}\r\n0\r\n\r\n`, 400, /well-formed HTTP/],
    ['a header without a colon', `GET /health/live HTTP/1.1\r\nHost: localhost\r\n${marker} without a colon\r\n\r\n`, 400, /well-formed HTTP/],
    ['a control character in a header', `GET /health/live HTTP/1.1\r\nHost: localhost\r\nX-A: ${marker}\u0001b\r\n\r\n`, 400, /well-formed HTTP/],
    ['headers over 16 KB', `GET /health/live HTTP/1.1\r\nHost: localhost\r\nX-Big: ${marker.repeat(2500)}\r\n\r\n`, 431, /headers are larger/],
    [
      'many headers over 16 KB',
      `${post}${Array.from({ length: 400 }, (_, i) => `X-H${i}: ${marker.repeat(6)}\r\n`).join('')}Content-Length: ${coordinator.length}\r\n\r\n${coordinator}`,
      431,
      /headers are larger/,
    ],
  ]
  for (const [what, bytes, status, mentions] of cases) {
    const answer = await exchange(port, (socket) => socket.write(bytes))
    t.test(what, async (t) => {
      const body = assertRawProblem(t, answer, status, mentions)
      t.notMatch(answer.body, marker, 'nothing sent is repeated back')
      t.equal(body.status, status)
    })
  }

  // A body over the limit (256 KB) is refused from its Content-Length, before it is read.
  const tooLarge = await exchange(port, (socket) => socket.write(`${post}Content-Length: ${300 * 1024}\r\nConnection: close\r\n\r\n${coordinator}`))
  t.equal(tooLarge.status, 413, tooLarge.body.slice(0, 300))
  t.match(tooLarge.headers['content-type'], /^application\/problem\+json/)
  t.match(JSON.parse(tooLarge.body), {
    type: '/problems/validation',
    status: 413,
    title: String,
    detail: /too large/,
    instance: '/v1/coordinators',
    errors: [{ path: '' }],
  })

  // A request that does not arrive in time (Node raises the timeout on the connection).
  app.app.server.once('connection', (serverSide: net.Socket) => {
    serverSide.once('data', () =>
      app.app.server.emit('clientError', Object.assign(new Error('request timeout'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' }), serverSide),
    )
  })
  const timedOut = await exchange(port, (client) => client.write('GET /health/live HTTP/1.1\r\nHost: local'))
  assertRawProblem(t, timedOut, 408, /did not arrive in time/)

  t.same(await snapshot(app), before, 'nothing was written')
  const fine = await exchange(port, (socket) => socket.write(`GET /health/live HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`))
  t.equal(fine.status, 200, 'the server still answers well-formed requests')
  const created = await exchange(port, (socket) => socket.write(`${post}Content-Length: ${coordinator.length}\r\nConnection: close\r\n\r\n${coordinator}`))
  t.equal(created.status, 201, `a well-formed write over the same path is taken: ${created.body.slice(0, 200)}`)
})

t.test('hostile input is not repeated in the logs', async (t) => {
  const { stream, lines } = captureLogs()
  const database = await freshDatabase()
  const app = await buildApp({
    config: loadConfig({ DATA_DIR: `/tmp/framgang-test-${process.pid}`, ...NO_LOAD_SHEDDING }),
    connectionString: database.connectionString,
    logger: { level: 'trace', stream },
  })
  const pool = new pg.Pool({ connectionString: database.connectionString, max: 2 })
  pool.on('error', () => {})
  t.teardown(async () => {
    await app.close()
    await pool.end()
    await database.close()
  })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as AddressInfo
  const { apiKey } = await createMunicipality(createDb(pool), { name: 'Loggkommune' })
  const marker = 'Hemmelig-Nordmann'
  const headers = { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', 'idempotency-key': 'log-1' }

  const answers = [
    await exchange(port, (s) => s.write(`GET /health/live HTTP/1.1\r\nHost: localhost\r\nX-Big: ${marker.repeat(2000)}\r\n\r\n`)),
    await exchange(port, (s) => s.write(`${marker} / HTTP/1.1\r\n\r\n`)),
    await exchange(port, (s) => s.write(`GET /health/live HTTP/1.1\r\nHost: localhost\r\nContent-Length: ${marker}\r\n\r\n`)),
  ]
  t.same(
    answers.map((a) => a.status),
    [431, 400, 400],
  )
  const injected = [
    await app.inject({ method: 'GET', url: `/v1/families/${marker.repeat(10)}`, headers }),
    await app.inject({ method: 'GET', url: `/v1/${'x'.repeat(300)}${marker}`, headers }),
    await app.inject({
      method: 'POST',
      url: '/v1/coordinators',
      headers,
      payload: `{"externalRef":"${marker}","displayName":${'['.repeat(5000)}${']'.repeat(5000)}}`,
    }),
    await app.inject({ method: 'POST', url: '/v1/coordinators', headers, payload: `{"externalRef":"${marker}","displayName":"\\ud800"}` }),
    await app.inject({ method: 'POST', url: '/v1/coordinators', headers, payload: `{"externalRef":"${marker}","displayName":"x","n":1.00000000000000001}` }),
  ]
  t.same(
    injected.map((r) => r.statusCode),
    [400, 404, 400, 400, 400],
  )
  t.ok(
    lines.some((l) => l.includes('HPE_HEADER_OVERFLOW')),
    'the header overflow is logged, by its code',
  )
  t.ok(
    lines.some((l) => l.includes('"path":"(a path of 183 characters)"')),
    'a long path is logged by its length',
  )
  const leaked = lines.filter((l) => l.includes(marker))
  t.same(leaked, [], 'no log line repeats what was sent')
})
