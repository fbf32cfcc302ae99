import type { LightMyRequestResponse } from 'fastify'
import { decodeJwt, decodeProtectedHeader } from 'jose'
import t from 'tap'
import { daysAgo } from '../helpers/app.js'
import { buildWorld, createFamily, createSession, expectStatus, mint, orsSelf, uniqueRef, type World } from './fixtures/world.js'

/**
 * The authorization matrix of docs/api.md: every /v1 route × every kind of principal and credential,
 * each cell one assertion of its exact status (with the problem type, and WWW-Authenticate on 401).
 */

const PRINCIPALS = ['A', 'A-other', 'C-own', 'C-other', 'F-own', 'F-other', 'S'] as const
const BAD = ['expired', 'forged', 'wrong-aud', 'wrong-iss', 'alg-none', 'revoked', 'none'] as const
type Column = (typeof PRINCIPALS)[number] | (typeof BAD)[number]

const LABEL: Record<Column, string> = {
  A: 'API client of the same municipality',
  'A-other': 'API client of another municipality',
  'C-own': 'coordinator token, own family',
  'C-other': "coordinator token, another coordinator's family",
  'F-own': 'family token, own family',
  'F-other': 'family token, another family',
  S: 'family token with self-report, its session',
  expired: 'expired token',
  forged: 'forged signature',
  'wrong-aud': 'token for another audience',
  'wrong-iss': 'token from another issuer',
  'alg-none': 'alg:none token',
  revoked: 'revoked API key',
  none: 'no credentials',
}

function credential(w: World, column: Column): string | null {
  switch (column) {
    case 'A':
      return w.keyA
    case 'A-other':
      return w.keyOther
    case 'C-own':
      return w.tokens.coordinatorC1
    case 'C-other':
      return w.tokens.coordinatorC2
    case 'F-own':
      return w.tokens.familyF1
    case 'F-other':
      return w.tokens.familyF2
    case 'S':
      return w.tokens.selfReportF1
    case 'expired':
      return w.tokens.expired
    case 'forged':
      return w.tokens.forged
    case 'wrong-aud':
      return w.tokens.wrongAudience
    case 'wrong-iss':
      return w.tokens.wrongIssuer
    case 'alg-none':
      return w.tokens.algNone
    case 'revoked':
      return w.revokedKey
    case 'none':
      return null
  }
}

const PROBLEM: Record<number, string> = { 400: 'validation', 401: 'unauthorized', 403: 'forbidden', 404: 'not-found', 409: 'conflict', 422: 'rule' }

interface Cell {
  url: string
  body?: unknown
}

interface Route {
  name: string
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE'
  /** Expected status for A, A-other, C-own, C-other, F-own, F-other, S (every bad credential: 401). */
  expect: [number, number, number, number, number, number, number]
  /** The request of one cell; `succeeds` lets destructive routes use a disposable object. */
  cell(w: World, column: Column, succeeds: boolean): Promise<Cell> | Cell
}

const ok2 = (n: number) => n >= 200 && n < 300
const rating = (w: World) => orsSelf(w.f1.m.Mor, [4, 5, 6, 7])

const ROUTES: Route[] = [
  {
    name: 'POST /v1/coordinators',
    method: 'POST',
    expect: [201, 201, 403, 403, 403, 403, 403],
    cell: () => ({ url: '/v1/coordinators', body: { externalRef: uniqueRef('C'), displayName: 'Ny Koordinator' } }),
  },
  { name: 'GET /v1/coordinators', method: 'GET', expect: [200, 200, 403, 403, 403, 403, 403], cell: () => ({ url: '/v1/coordinators' }) },
  {
    name: 'PATCH /v1/coordinators/{id}',
    method: 'PATCH',
    expect: [200, 404, 403, 403, 403, 403, 403],
    cell: (w) => ({ url: `/v1/coordinators/${w.c1}`, body: { displayName: 'Kari Koordinator' } }),
  },
  {
    name: 'POST /v1/families',
    method: 'POST',
    // Another municipality's API client names a coordinator it cannot see: a rule (422, as for any unknown coordinator).
    expect: [201, 422, 201, 403, 403, 403, 403],
    cell: (w) => ({ url: '/v1/families', body: { externalRef: uniqueRef('F'), coordinatorId: w.c1, startedOn: daysAgo(100), members: [] } }),
  },
  { name: 'GET /v1/families', method: 'GET', expect: [200, 200, 200, 200, 403, 403, 403], cell: () => ({ url: '/v1/families' }) },
  { name: 'GET /v1/families/{familyId}', method: 'GET', expect: [200, 404, 200, 404, 200, 404, 200], cell: (w) => ({ url: `/v1/families/${w.f1.id}` }) },
  {
    name: 'PATCH /v1/families/{familyId}',
    method: 'PATCH',
    expect: [200, 404, 200, 404, 403, 403, 403],
    cell: (w) => ({ url: `/v1/families/${w.f1.id}`, body: { externalRef: uniqueRef('F') } }),
  },
  {
    name: 'DELETE /v1/families/{familyId}',
    method: 'DELETE',
    expect: [204, 404, 403, 403, 403, 403, 403],
    cell: async (w, _c, succeeds) => ({ url: `/v1/families/${succeeds ? await w.disposableFamily() : w.f1.id}` }),
  },
  {
    name: 'POST /v1/families/{familyId}/members',
    method: 'POST',
    expect: [201, 404, 201, 404, 403, 403, 403],
    cell: (w) => ({ url: `/v1/families/${w.f1.id}/members`, body: { alias: 'Bestemor', role: 'adult', birthDate: '1960-05-05' } }),
  },
  {
    name: 'PATCH /v1/families/{familyId}/members/{memberId}',
    method: 'PATCH',
    expect: [200, 404, 200, 404, 403, 403, 403],
    cell: (w) => ({ url: `/v1/families/${w.f1.id}/members/${w.f1.m.Mor}`, body: { alias: 'Mor' } }),
  },
  {
    name: 'POST /v1/families/{familyId}/sessions',
    method: 'POST',
    expect: [201, 404, 201, 404, 403, 403, 403],
    cell: (w) => ({ url: `/v1/families/${w.f1.id}/sessions`, body: { heldOn: daysAgo(10), kind: 'phone', ratings: [] } }),
  },
  {
    name: 'GET /v1/families/{familyId}/sessions',
    method: 'GET',
    expect: [200, 404, 200, 404, 403, 403, 403],
    cell: (w) => ({ url: `/v1/families/${w.f1.id}/sessions` }),
  },
  { name: 'GET /v1/sessions/{sessionId}', method: 'GET', expect: [200, 404, 200, 404, 403, 403, 403], cell: (w) => ({ url: `/v1/sessions/${w.s1}` }) },
  {
    name: 'PATCH /v1/sessions/{sessionId}',
    method: 'PATCH',
    expect: [200, 404, 200, 404, 403, 403, 403],
    cell: (w) => ({ url: `/v1/sessions/${w.s1}`, body: { kind: 'office' } }),
  },
  {
    name: 'DELETE /v1/sessions/{sessionId}',
    method: 'DELETE',
    expect: [204, 404, 204, 404, 403, 403, 403],
    cell: async (w, _c, succeeds) => ({ url: `/v1/sessions/${succeeds ? await w.disposableSession() : w.s1}` }),
  },
  {
    name: 'POST /v1/sessions/{sessionId}/ratings',
    method: 'POST',
    // F-own and F-other: a family token without self-report tries to write → 403 (before any 404).
    expect: [201, 404, 201, 404, 403, 403, 201],
    cell: async (w, column, succeeds) => {
      if (column === 'S') return { url: `/v1/sessions/${w.sSelf}/ratings`, body: orsSelf(w.f1.m['Tenåring']) }
      return { url: `/v1/sessions/${succeeds ? await w.disposableSession() : w.s1}/ratings`, body: rating(w) }
    },
  },
  {
    name: 'PUT /v1/sessions/{sessionId}/ratings/{ratingId}',
    method: 'PUT',
    expect: [200, 404, 200, 404, 403, 403, 403],
    cell: (w) => ({ url: `/v1/sessions/${w.s1}/ratings/${w.r1}`, body: rating(w) }),
  },
  {
    name: 'DELETE /v1/sessions/{sessionId}/ratings/{ratingId}',
    method: 'DELETE',
    expect: [204, 404, 204, 404, 403, 403, 403],
    cell: async (w, _c, succeeds) => {
      const r = succeeds ? await w.disposableRating() : { sessionId: w.s1, ratingId: w.r1 }
      return { url: `/v1/sessions/${r.sessionId}/ratings/${r.ratingId}` }
    },
  },
  {
    name: 'GET /v1/families/{familyId}/progress',
    method: 'GET',
    expect: [200, 404, 200, 404, 200, 404, 200],
    cell: (w) => ({ url: `/v1/families/${w.f1.id}/progress` }),
  },
  { name: 'GET /v1/caseload', method: 'GET', expect: [200, 200, 200, 200, 403, 403, 403], cell: () => ({ url: '/v1/caseload' }) },
  { name: 'GET /v1/reports/outcomes', method: 'GET', expect: [200, 200, 403, 403, 403, 403, 403], cell: () => ({ url: '/v1/reports/outcomes' }) },
  {
    name: 'POST /v1/expected-bands/recompute',
    method: 'POST',
    expect: [200, 200, 403, 403, 403, 403, 403],
    cell: () => ({ url: '/v1/expected-bands/recompute' }),
  },
  { name: 'GET /v1/instruments', method: 'GET', expect: [200, 200, 200, 200, 200, 200, 200], cell: () => ({ url: '/v1/instruments?lang=en' }) },
  { name: 'GET /v1/settings', method: 'GET', expect: [200, 200, 403, 403, 403, 403, 403], cell: () => ({ url: '/v1/settings' }) },
  {
    name: 'PATCH /v1/settings',
    method: 'PATCH',
    expect: [200, 200, 403, 403, 403, 403, 403],
    cell: () => ({ url: '/v1/settings', body: { overdueDays: 42 } }),
  },
  { name: 'GET /v1/api-clients', method: 'GET', expect: [200, 200, 403, 403, 403, 403, 403], cell: () => ({ url: '/v1/api-clients' }) },
  {
    name: 'POST /v1/api-clients',
    method: 'POST',
    expect: [201, 201, 403, 403, 403, 403, 403],
    cell: () => ({ url: '/v1/api-clients', body: { name: 'matrix' } }),
  },
  {
    name: 'DELETE /v1/api-clients/{id}',
    method: 'DELETE',
    expect: [204, 404, 403, 403, 403, 403, 403],
    cell: async (w, _c, succeeds) => ({ url: `/v1/api-clients/${succeeds ? await w.disposableApiClient() : w.spareClientId}` }),
  },
  {
    name: 'POST /v1/embed-tokens',
    method: 'POST',
    expect: [201, 404, 403, 403, 403, 403, 403],
    cell: (w) => ({ url: '/v1/embed-tokens', body: { role: 'family', familyId: w.f1.id } }),
  },
  {
    name: 'GET /v1/families/{familyId}/export',
    method: 'GET',
    expect: [200, 404, 403, 403, 403, 403, 403],
    cell: (w) => ({ url: `/v1/families/${w.f1.id}/export` }),
  },
  {
    name: 'GET /v1/families/{familyId}/access-log',
    method: 'GET',
    expect: [200, 404, 403, 403, 200, 404, 200],
    cell: (w) => ({ url: `/v1/families/${w.f1.id}/access-log` }),
  },
]

function observed(res: LightMyRequestResponse) {
  const out: Record<string, unknown> = { status: res.statusCode }
  if (res.statusCode >= 400) {
    out.problem = res.headers['content-type']?.toString().startsWith('application/problem+json')
      ? res.json().type
      : `not problem+json: ${res.headers['content-type']}`
  }
  if (res.statusCode === 401) out.wwwAuthenticate = res.headers['www-authenticate']
  return out
}

function wanted(status: number) {
  const out: Record<string, unknown> = { status }
  if (status >= 400) out.problem = `/problems/${PROBLEM[status]}`
  if (status === 401) out.wwwAuthenticate = 'Bearer'
  return out
}

t.test('authorization matrix: every /v1 route × every principal and credential', async (t) => {
  const w = await buildWorld(t)
  const columns: Column[] = [...PRINCIPALS, ...BAD]
  for (const route of ROUTES) {
    for (const column of columns) {
      const i = PRINCIPALS.indexOf(column as (typeof PRINCIPALS)[number])
      const status = i >= 0 ? route.expect[i] : 401
      const cell = await route.cell(w, column, ok2(status))
      const res = await w.app.call(route.method, cell.url, { key: credential(w, column), body: cell.body })
      t.same(
        observed(res),
        wanted(status),
        `${route.name} as ${LABEL[column]} → ${status}${res.statusCode === status ? '' : ` (got ${res.statusCode}: ${res.body.slice(0, 200)})`}`,
      )
    }
  }
})

t.test('need-to-know beyond the matrix', async (t) => {
  const w = await buildWorld(t)
  const { app } = w

  await t.test('a coordinator lists only their own families and caseload, whatever the filter', async (t) => {
    const list = expectStatus(t, await app.call('GET', `/v1/families?coordinatorId=${w.c2}`, { key: w.tokens.coordinatorC1 }), 200, 'C1 asks for C2’s families')
    t.ok(list.items.length > 0 && list.items.every((f: { coordinatorId: string }) => f.coordinatorId === w.c1), 'only C1’s families')
    t.notOk(
      list.items.some((f: { id: string }) => f.id === w.f2.id),
      'not F2',
    )
    const caseload = expectStatus(t, await app.call('GET', `/v1/caseload?coordinatorId=${w.c2}`, { key: w.tokens.coordinatorC1 }), 200, 'C1’s caseload')
    t.ok(
      caseload.items.every((i: { coordinatorId: string }) => i.coordinatorId === w.c1),
      'caseload holds only C1’s families',
    )
  })

  await t.test('an API client of another municipality sees none of this one’s families or coordinators', async (t) => {
    const list = expectStatus(t, await app.call('GET', '/v1/families', { key: w.keyOther }), 200, 'list')
    t.same(list.items, [], 'no families')
    const coordinators = expectStatus(t, await app.call('GET', '/v1/coordinators', { key: w.keyOther }), 200, 'coordinators')
    t.same(coordinators.items, [], 'no coordinators')
    expectStatus(t, await app.call('GET', `/v1/families/${w.f1.id}/progress`, { key: w.keyOther }), 404, 'progress of another municipality’s family')
  })

  await t.test('reassignment moves a coordinator’s access at once (same tokens)', async (t) => {
    const family = await createFamily(t, app, w.c1)
    expectStatus(t, await app.call('GET', `/v1/families/${family.id}`, { key: w.tokens.coordinatorC1 }), 200, 'C1 reads their family')
    expectStatus(t, await app.call('GET', `/v1/families/${family.id}`, { key: w.tokens.coordinatorC2 }), 404, 'C2 does not')
    expectStatus(
      t,
      await app.call('PATCH', `/v1/families/${family.id}`, { key: w.tokens.coordinatorC1, body: { coordinatorId: w.c2 } }),
      403,
      'a coordinator may not reassign',
    )
    expectStatus(t, await app.call('PATCH', `/v1/families/${family.id}`, { body: { coordinatorId: w.c2 } }), 200, 'the host system reassigns to C2')
    expectStatus(t, await app.call('GET', `/v1/families/${family.id}`, { key: w.tokens.coordinatorC1 }), 404, 'C1 lost access')
    expectStatus(t, await app.call('GET', `/v1/families/${family.id}/progress`, { key: w.tokens.coordinatorC1 }), 404, 'C1 lost the progress')
    expectStatus(
      t,
      await app.call('POST', `/v1/families/${family.id}/sessions`, { key: w.tokens.coordinatorC1, body: { heldOn: daysAgo(3), kind: 'office', ratings: [] } }),
      404,
      'C1 can no longer log a session',
    )
    expectStatus(t, await app.call('GET', `/v1/families/${family.id}`, { key: w.tokens.coordinatorC2 }), 200, 'C2 gained access')
    const caseload1 = expectStatus(t, await app.call('GET', '/v1/caseload', { key: w.tokens.coordinatorC1 }), 200, 'C1’s caseload')
    t.notOk(
      caseload1.items.some((i: { familyId: string }) => i.familyId === family.id),
      'not in C1’s caseload',
    )
    const caseload2 = expectStatus(t, await app.call('GET', '/v1/caseload', { key: w.tokens.coordinatorC2 }), 200, 'C2’s caseload')
    t.ok(
      caseload2.items.some((i: { familyId: string }) => i.familyId === family.id),
      'in C2’s caseload',
    )
  })

  await t.test('a coordinator creates families in their own caseload only', async (t) => {
    const body = (coordinatorId: string) => ({ externalRef: uniqueRef('F'), coordinatorId, startedOn: daysAgo(30), members: [] })
    const created = expectStatus(t, await app.call('POST', '/v1/families', { key: w.tokens.coordinatorC1, body: body(w.c1) }), 201, 'own')
    t.equal(created.coordinatorId, w.c1)
    expectStatus(t, await app.call('POST', '/v1/families', { key: w.tokens.coordinatorC1, body: body(w.c2) }), 403, 'for another coordinator')
  })

  await t.test('the family view: points and trend, nothing that judges; alliance only when the municipality shows it', async (t) => {
    const family = await createFamily(t, app, w.c1)
    const mor = family.m.Mor
    for (const [i, items] of [
      [2, 3, 2, 3],
      [3, 3, 3, 3],
      [5, 5, 4, 5],
    ].entries()) {
      await createSession(t, app, family.id, [orsSelf(mor, items), { memberId: mor, instrument: 'SRS', rater: 'self', items: [9, 9, 9, 9] }], {
        heldOn: daysAgo(60 - i * 14),
      })
    }
    const token = await mint(t, app, { role: 'family', familyId: family.id })
    const full = expectStatus(t, await app.call('GET', `/v1/families/${family.id}/progress`), 200, 'the API client’s view')
    const fullMor = full.members.find((m: { memberId: string }) => m.memberId === mor)
    t.same(
      full.members.map((m: { alias: string }) => m.alias),
      ['Mor', 'Tenåring', 'Barn'],
      'members in the order they were entered',
    )
    t.ok(
      fullMor.series.some((s: { kind: string }) => s.kind === 'alliance'),
      'the API client sees the alliance series',
    )
    t.ok(
      fullMor.series.every((s: object) => 'status' in s && 'flags' in s),
      'and status and flags',
    )

    const view = expectStatus(t, await app.call('GET', `/v1/families/${family.id}/progress`, { key: token }), 200, 'the family’s view')
    t.notOk('flags' in view, 'no family-level flags')
    const series = view.members.flatMap((m: { series: unknown[] }) => m.series) as Record<string, unknown>[]
    t.ok(series.length > 0, 'has series')
    for (const s of series) {
      for (const hidden of ['status', 'expected', 'flags', 'reliableChange', 'cutoff']) t.notOk(hidden in s, `a family series has no ${hidden}`)
      t.ok('points' in s && 'trend' in s && 'referenceLine' in s, 'points, trend and referenceLine')
    }
    t.notOk(
      series.some((s) => s.kind === 'alliance'),
      'no alliance series by default',
    )
    t.same(
      series.find((s) => s.instrument === 'ORS')!.points,
      fullMor.series.find((s: { instrument: string }) => s.instrument === 'ORS').points,
      'the same points as the full view',
    )

    expectStatus(t, await app.call('PATCH', '/v1/settings', { body: { showAllianceToFamilies: true } }), 200, 'show alliance to families')
    const withAlliance = expectStatus(t, await app.call('GET', `/v1/families/${family.id}/progress`, { key: token }), 200, 'the family’s view again')
    const alliance = withAlliance.members.flatMap((m: { series: unknown[] }) => m.series).filter((s: { kind: string }) => s.kind === 'alliance')
    t.equal(alliance.length, 1, 'now the alliance series is shown')
    for (const hidden of ['status', 'expected', 'flags', 'reliableChange']) t.notOk(hidden in alliance[0], `the alliance series has no ${hidden} either`)
    expectStatus(t, await app.call('PATCH', '/v1/settings', { body: { showAllianceToFamilies: false } }), 200, 'hide it again')
  })

  await t.test('a family token with memberId sees only that member’s series in progress', async (t) => {
    const teen = w.f1.m['Tenåring']
    await createSession(t, app, w.f1.id, [orsSelf(teen, [6, 6, 6, 6])])
    const token = await mint(t, app, { role: 'family', familyId: w.f1.id, memberId: teen })
    const view = expectStatus(t, await app.call('GET', `/v1/families/${w.f1.id}/progress`, { key: token }), 200, 'progress with a member token')
    t.same(
      view.members.map((m: { memberId: string }) => m.memberId),
      [teen],
      'only the bound member',
    )
    expectStatus(t, await app.call('GET', `/v1/families/${w.f1.id}/progress?memberId=${teen}`, { key: token }), 200, 'asking for the same member')
    expectStatus(t, await app.call('GET', `/v1/families/${w.f1.id}/progress?memberId=${w.f1.m.Mor}`, { key: token }), 404, 'asking for another member')
    const full = expectStatus(t, await app.call('GET', `/v1/families/${w.f1.id}/progress`, { key: w.tokens.familyF1 }), 200, 'an unbound family token')
    t.ok(full.members.length >= 2, 'sees every member')
  })

  await t.test('a self-report token adds self ratings to its own session only', async (t) => {
    const session = await createSession(t, app, w.f1.id)
    const token = await mint(t, app, { role: 'family', familyId: w.f1.id, scopes: ['self-report'], sessionId: session.id })
    const created = expectStatus(
      t,
      await app.call('POST', `/v1/sessions/${session.id}/ratings`, { key: token, body: orsSelf(w.f1.m.Mor) }),
      201,
      'rater self on its session',
    )
    t.equal(created.rater, 'self')
    t.match(String((await app.call('GET', `/v1/sessions/${session.id}`)).json().ratings.map((r: { id: string }) => r.id)), created.id, 'stored in that session')
    expectStatus(
      t,
      await app.call('POST', `/v1/sessions/${w.s1}/ratings`, { key: token, body: orsSelf(w.f1.m['Tenåring']) }),
      404,
      'another session of the same family',
    )
    expectStatus(
      t,
      await app.call('POST', `/v1/sessions/${w.sF2}/ratings`, { key: token, body: orsSelf(w.f2.m['Tenåring']) }),
      404,
      'a session of another family',
    )
    const parent = { memberId: w.f1.m.Barn, instrument: 'CORS', rater: 'parent', raterMemberId: w.f1.m.Mor, items: [5, 5, 5, 5] }
    expectStatus(t, await app.call('POST', `/v1/sessions/${session.id}/ratings`, { key: token, body: parent }), 403, 'rater parent')
    expectStatus(t, await app.call('GET', `/v1/sessions/${session.id}`, { key: token }), 403, 'it still cannot read the session')
    expectStatus(
      t,
      await app.call('PUT', `/v1/sessions/${session.id}/ratings/${created.id}`, { key: token, body: orsSelf(w.f1.m.Mor, [1, 1, 1, 1]) }),
      403,
      'nor correct a rating',
    )

    const bound = await mint(t, app, { role: 'family', familyId: w.f1.id, memberId: w.f1.m['Tenåring'], scopes: ['self-report'], sessionId: session.id })
    expectStatus(
      t,
      await app.call('POST', `/v1/sessions/${session.id}/ratings`, { key: bound, body: orsSelf(w.f1.m.Mor, [2, 2, 2, 2]) }),
      403,
      'a member-bound token rating another member',
    )
    expectStatus(
      t,
      await app.call('POST', `/v1/sessions/${session.id}/ratings`, { key: bound, body: orsSelf(w.f1.m['Tenåring']) }),
      201,
      'a member-bound token rating its member',
    )

    const readOnly = await mint(t, app, { role: 'family', familyId: w.f1.id })
    expectStatus(t, await app.call('POST', `/v1/sessions/${session.id}/ratings`, { key: readOnly, body: orsSelf(w.f1.m.Barn) }), 403, 'no self-report scope')
    expectStatus(
      t,
      await app.call('POST', `/v1/sessions/${w.sF2}/ratings`, { key: readOnly, body: orsSelf(w.f2.m.Mor) }),
      403,
      'no self-report scope, another family’s session: still 403 (the role check comes first)',
    )
  })
})

t.test('POST /v1/embed-tokens: validation, answer and claims', async (t) => {
  const w = await buildWorld(t)
  const { app } = w
  const family = w.f1.id
  const post = (body: unknown) => app.call('POST', '/v1/embed-tokens', { body })

  const problem = (res: LightMyRequestResponse) => (res.statusCode >= 400 ? res.json().type : null)
  const cases: [string, unknown, number][] = [
    ['ttlSeconds 0', { role: 'family', familyId: family, ttlSeconds: 0 }, 400],
    ['ttlSeconds 901', { role: 'family', familyId: family, ttlSeconds: 901 }, 400],
    ['ttlSeconds 901 (coordinator)', { role: 'coordinator', coordinatorId: w.c1, ttlSeconds: 901 }, 400],
    ['ttlSeconds 1.5', { role: 'coordinator', coordinatorId: w.c1, ttlSeconds: 1.5 }, 400],
    ['sessionId without self-report', { role: 'family', familyId: family, sessionId: w.sSelf }, 400],
    ['self-report without sessionId', { role: 'family', familyId: family, scopes: ['self-report'] }, 400],
    ['an unknown scope', { role: 'family', familyId: family, scopes: ['admin'] }, 400],
    ['an unknown field', { role: 'family', familyId: family, coordinatorId: w.c1 }, 400],
    ['an unknown role', { role: 'admin' }, 400],
    ['coordinatorId on a family token is unknown there', { role: 'coordinator', familyId: family }, 400],
    ['an unknown coordinator', { role: 'coordinator', coordinatorId: crypto.randomUUID() }, 404],
    ['an unknown family', { role: 'family', familyId: crypto.randomUUID() }, 404],
    ['an unknown member', { role: 'family', familyId: family, memberId: crypto.randomUUID() }, 404],
    ['an unknown session', { role: 'family', familyId: family, scopes: ['self-report'], sessionId: crypto.randomUUID() }, 404],
    ['a member of another family', { role: 'family', familyId: family, memberId: w.f2.m.Mor }, 422],
    ['a session of another family', { role: 'family', familyId: family, scopes: ['self-report'], sessionId: w.sF2 }, 422],
  ]
  for (const [what, body, status] of cases) {
    const res = await post(body)
    t.same({ status: res.statusCode, problem: problem(res) }, { status, problem: `/problems/${PROBLEM[status]}` }, `${what} → ${status}`)
  }
  const otherMunicipality = await app.call('POST', '/v1/embed-tokens', { key: w.keyOther, body: { role: 'coordinator', coordinatorId: w.c1 } })
  t.equal(otherMunicipality.statusCode, 404, 'a coordinator of another municipality → 404')

  await t.test('201 { token, expiresAt }, no Location, no Idempotency-Key needed', async (t) => {
    const before = Math.floor(Date.now() / 1000)
    const res = await app.app.inject({
      method: 'POST',
      url: '/v1/embed-tokens',
      headers: { authorization: `Bearer ${w.keyA}` },
      payload: { role: 'family', familyId: family, memberId: w.f1.m.Mor, scopes: ['self-report'], sessionId: w.sSelf },
    })
    const body = expectStatus(t, res, 201, 'mint without Idempotency-Key')
    t.same(Object.keys(body).sort(), ['expiresAt', 'token'], 'exactly token and expiresAt')
    t.notOk('location' in res.headers, 'no Location')
    const header = decodeProtectedHeader(body.token)
    t.equal(header.alg, 'EdDSA', 'signed with EdDSA')
    const claims = decodeJwt(body.token)
    t.equal(claims.iss, 'framgang', 'iss')
    t.equal(claims.aud, 'framgang-widget', 'aud')
    t.type(claims.sub, 'string', 'sub')
    t.type(claims.jti, 'string', 'jti')
    t.ok(claims.iat! >= before - 1 && claims.iat! <= before + 5, 'iat is now')
    t.equal(claims.exp! - claims.iat!, 600, 'default lifetime 600 s')
    t.equal(body.expiresAt, new Date(claims.exp! * 1000).toISOString(), 'expiresAt is exp')
    t.equal(claims.mun, w.m1, 'mun')
    t.equal(claims.role, 'family', 'role')
    t.equal(claims.familyId, family, 'familyId')
    t.equal(claims.memberId, w.f1.m.Mor, 'memberId')
    t.equal(claims.sessionId, w.sSelf, 'sessionId')
    t.equal(claims.scope, 'self-report', 'scope, space-separated')
  })

  await t.test('lifetimes: at most 900 s; coordinator claims', async (t) => {
    const token = (await post({ role: 'coordinator', coordinatorId: w.c1, ttlSeconds: 900 })).json().token
    const claims = decodeJwt(token)
    t.equal(claims.exp! - claims.iat!, 900, 'ttlSeconds 900 is honoured')
    t.equal(claims.role, 'coordinator')
    t.equal(claims.coordinatorId, w.c1)
    t.equal(claims.mun, w.m1)
    t.notOk('familyId' in claims, 'no familyId on a coordinator token')
    const one = decodeJwt((await post({ role: 'coordinator', coordinatorId: w.c1, ttlSeconds: 1 })).json().token)
    t.equal(one.exp! - one.iat!, 1, 'ttlSeconds 1 is allowed')
    const jtis = new Set<string>()
    for (let i = 0; i < 3; i++) jtis.add(decodeJwt((await post({ role: 'coordinator', coordinatorId: w.c1 })).json().token).jti!)
    t.equal(jtis.size, 3, 'every token has its own jti')
  })

  await t.test('an inactive coordinator gets no token; a minted token works', async (t) => {
    const c = (await app.call('POST', '/v1/coordinators', { body: { externalRef: uniqueRef('C'), displayName: 'Slutta', active: false } })).json().id
    const res = await post({ role: 'coordinator', coordinatorId: c })
    t.equal(res.statusCode, 422, 'inactive coordinator → 422')
    const token = (await post({ role: 'coordinator', coordinatorId: w.c1, ttlSeconds: 60 })).json().token
    expectStatus(t, await app.call('GET', '/v1/caseload', { key: token }), 200, 'the token authenticates')
  })
})
