import { randomUUID } from 'node:crypto'
import type { LightMyRequestResponse } from 'fastify'
import { decodeJwt } from 'jose'
import { sql } from 'kysely'
import t, { type Test } from 'tap'
import {
  accessApp,
  coordinatorClaims,
  createCoordinator,
  createFamily,
  createSession,
  expectStatus,
  inMunicipality,
  mint,
  orsSelf,
  signWith,
  SIGNING_KEY,
  uniqueRef,
} from './fixtures/world.js'

/**
 * An embed token holds only while the grants it was minted under hold: the API client that
 * minted it is not revoked, and a coordinator token's coordinator is active. The changes are
 * made behind the API as well, as another instance on the same database would make them, so
 * nothing this process remembers can answer for them.
 */

/** 401 problem+json, type unauthorized, with WWW-Authenticate: Bearer. */
function isUnauthorized(t: Test, res: LightMyRequestResponse, what: string) {
  t.same(
    {
      status: res.statusCode,
      type: String(res.headers['content-type']).split(';')[0],
      problem: res.statusCode >= 400 ? res.json().type : null,
      challenge: res.headers['www-authenticate'],
    },
    { status: 401, type: 'application/problem+json', problem: '/problems/unauthorized', challenge: 'Bearer' },
    `${what} → 401${res.statusCode === 401 ? '' : ` (got ${res.statusCode}: ${res.body.slice(0, 200)})`}`,
  )
}

t.test('revoking the API key that minted a token ends the token at once', async (t) => {
  const app = await accessApp(t)
  const coordinator = await createCoordinator(t, app)
  const family = await createFamily(t, app, coordinator)
  const session = await createSession(t, app, family.id)

  const tokensOf = async (key: string) => ({
    coordinator: await mint(t, app, { role: 'coordinator', coordinatorId: coordinator }, key),
    family: await mint(t, app, { role: 'family', familyId: family.id }, key),
    member: await mint(t, app, { role: 'family', familyId: family.id, memberId: family.m.Mor }, key),
    selfReport: await mint(t, app, { role: 'family', familyId: family.id, scopes: ['self-report'], sessionId: session.id }, key),
  })
  const newClient = async (name: string) => expectStatus(t, await app.call('POST', '/v1/api-clients', { body: { name } }), 201, `create API client ${name}`)

  const byOther = await newClient('revoked behind the API')
  const byApi = await newClient('revoked through the API')
  const tokens = await tokensOf(byOther.apiKey)
  const viaApi = await tokensOf(byApi.apiKey)
  const kept = await tokensOf(app.municipality.apiKey)
  t.equal(decodeJwt(tokens.coordinator).client_id, byOther.id, 'a token names the API client that minted it (client_id)')

  /** Every kind of answer a token can get: from a transaction, and before any transaction opens. */
  const probes = (tk: typeof tokens) => [
    { what: 'coordinator: caseload (a data route)', key: tk.coordinator, method: 'GET', url: '/v1/caseload', ok: 200 },
    { what: 'coordinator: a family (a data route)', key: tk.coordinator, method: 'GET', url: `/v1/families/${family.id}`, ok: 200 },
    {
      what: 'coordinator: a 400 body, answered before any transaction',
      key: tk.coordinator,
      method: 'POST',
      url: '/v1/families',
      body: { externalRef: 1 },
      ok: 400,
    },
    { what: 'coordinator: a route it may never use (403 before any transaction)', key: tk.coordinator, method: 'GET', url: '/v1/settings', ok: 403 },
    { what: 'family: progress', key: tk.family, method: 'GET', url: `/v1/families/${family.id}/progress`, ok: 200 },
    {
      what: 'family: a write without self-report (403 before any transaction)',
      key: tk.family,
      method: 'POST',
      url: `/v1/sessions/${session.id}/ratings`,
      body: orsSelf(family.m.Mor),
      ok: 403,
    },
    { what: 'member: its access log', key: tk.member, method: 'GET', url: `/v1/families/${family.id}/access-log`, ok: 200 },
    { what: 'self-report: a 400 body', key: tk.selfReport, method: 'POST', url: `/v1/sessions/${session.id}/ratings`, body: { memberId: 'x' }, ok: 400 },
  ]
  const run = async (p: ReturnType<typeof probes>[number]) => app.call(p.method, p.url, { key: p.key, body: p.body })

  for (const p of [...probes(tokens), ...probes(viaApi), ...probes(kept)]) expectStatus(t, await run(p), p.ok, `before: ${p.what}`)

  // As another instance would: straight in the database, no request to this process.
  await app.db.updateTable('api_clients').set({ revoked_at: new Date() }).where('api_client_id', '=', byOther.id).execute()
  for (const p of probes(tokens)) isUnauthorized(t, await run(p), `revoked behind the API: ${p.what}`)

  expectStatus(t, await app.call('DELETE', `/v1/api-clients/${byApi.id}`), 204, 'revoke the other client through the API')
  for (const p of probes(viaApi)) isUnauthorized(t, await run(p), `revoked through the API: ${p.what}`)

  for (const p of probes(kept)) expectStatus(t, await run(p), p.ok, `tokens of a client nobody revoked still work: ${p.what}`)
  const rejected = (await run(probes(tokens)[0])).json()
  t.notMatch(JSON.stringify(rejected), /api_clients|framgang_|revoked_at/, 'the problem names no internals')
})

t.test('deactivating a coordinator ends their tokens at once', async (t) => {
  const app = await accessApp(t)
  const m = app.municipality.municipalityId
  const viaApi = await createCoordinator(t, app)
  const behind = await createCoordinator(t, app)
  const family = await createFamily(t, app, behind)
  const tokenViaApi = await mint(t, app, { role: 'coordinator', coordinatorId: viaApi })
  const tokenBehind = await mint(t, app, { role: 'coordinator', coordinatorId: behind })
  const familyToken = await mint(t, app, { role: 'family', familyId: family.id })
  const invalidBody = { externalRef: uniqueRef('F'), coordinatorId: behind, startedOn: 'yesterday', members: [] }

  for (const token of [tokenViaApi, tokenBehind]) {
    expectStatus(t, await app.call('GET', '/v1/caseload', { key: token }), 200, 'an active coordinator’s token reads the caseload')
    expectStatus(t, await app.call('POST', '/v1/families', { key: token, body: invalidBody }), 400, 'and gets its 400')
  }

  expectStatus(t, await app.call('PATCH', `/v1/coordinators/${viaApi}`, { body: { active: false } }), 200, 'deactivate through the API')
  isUnauthorized(t, await app.call('GET', '/v1/caseload', { key: tokenViaApi }), 'deactivated through the API: caseload')
  isUnauthorized(t, await app.call('POST', '/v1/families', { key: tokenViaApi, body: invalidBody }), 'deactivated through the API: a 400 body')
  expectStatus(t, await app.call('GET', '/v1/caseload', { key: tokenBehind }), 200, 'another coordinator’s token is untouched')

  await inMunicipality(app.db, m, (trx) => trx.updateTable('coordinators').set({ active: false }).where('coordinator_id', '=', behind).execute())
  isUnauthorized(t, await app.call('GET', '/v1/caseload', { key: tokenBehind }), 'deactivated in the database: caseload')
  isUnauthorized(t, await app.call('GET', `/v1/families/${family.id}`, { key: tokenBehind }), 'deactivated in the database: their family')
  isUnauthorized(t, await app.call('POST', '/v1/families', { key: tokenBehind, body: invalidBody }), 'deactivated in the database: a 400 body')
  isUnauthorized(t, await app.call('GET', '/v1/settings', { key: tokenBehind }), 'deactivated in the database: a route it may never use')
  expectStatus(t, await app.call('GET', `/v1/families/${family.id}/progress`, { key: familyToken }), 200, 'a family token does not depend on its coordinator')
  t.equal((await app.call('POST', '/v1/embed-tokens', { body: { role: 'coordinator', coordinatorId: behind } })).statusCode, 422, 'and no new token for them')

  expectStatus(t, await app.call('PATCH', `/v1/coordinators/${behind}`, { body: { active: true } }), 200, 'reactivate')
  expectStatus(t, await app.call('GET', '/v1/caseload', { key: tokenBehind }), 200, 'the grant holds again, so does the unexpired token')
})

t.test('tokens from before the client_id claim, and claims that do not fit', async (t) => {
  const app = await accessApp(t)
  const other = await app.newMunicipality('Annen kommune')
  const fresh = await app.newMunicipality('Ny kommune')
  const coordinator = await createCoordinator(t, app, fresh.apiKey)
  const inactive = expectStatus(
    t,
    await app.call('POST', '/v1/coordinators', { key: fresh.apiKey, body: { externalRef: uniqueRef('C'), displayName: 'Slutta', active: false } }),
    201,
    'an inactive coordinator',
  ).id
  const sign = (claims: Record<string, unknown>) => signWith(SIGNING_KEY, { ...coordinatorClaims(fresh.municipalityId, coordinator), ...claims })
  const revokedAgo = (clientId: string, seconds: number) =>
    sql`UPDATE api_clients SET revoked_at = now() - make_interval(secs => ${seconds}) WHERE api_client_id = ${clientId}`.execute(app.db)
  const spare = async () =>
    expectStatus(t, await app.call('POST', '/v1/api-clients', { key: fresh.apiKey, body: { name: 'spare' } }), 201, 'another API client').id

  const legacy = await sign({})
  t.notOk('client_id' in decodeJwt(legacy), 'a token without client_id, as minted before the claim')
  expectStatus(t, await app.call('GET', '/v1/caseload', { key: legacy }), 200, 'holds while no API client of its municipality was revoked')
  await revokedAgo(await spare(), 10 * 60)
  expectStatus(t, await app.call('GET', '/v1/caseload', { key: legacy }), 200, 'a revocation well before it was issued: it holds')
  await revokedAgo(await spare(), 0)
  isUnauthorized(t, await app.call('GET', '/v1/caseload', { key: legacy }), 'a client of its municipality revoked after it was issued: it may have minted it')
  isUnauthorized(t, await app.call('POST', '/v1/families', { key: legacy, body: {} }), 'also before any transaction')
  isUnauthorized(
    t,
    await app.call('GET', '/v1/caseload', { key: await sign({ coordinatorId: inactive, sub: `coordinator:${inactive}` }) }),
    'an inactive coordinator’s old token',
  )

  const client = await spare()
  expectStatus(t, await app.call('GET', '/v1/caseload', { key: await sign({ client_id: client }) }), 200, 'a token naming a live client of its municipality')
  isUnauthorized(t, await app.call('GET', '/v1/caseload', { key: await sign({ client_id: other.apiClientId }) }), 'naming another municipality’s client')
  isUnauthorized(t, await app.call('GET', '/v1/caseload', { key: await sign({ client_id: randomUUID() }) }), 'naming a client that does not exist')
  isUnauthorized(t, await app.call('GET', '/v1/caseload', { key: await sign({ client_id: 'not-a-uuid' }) }), 'a client_id that is no id')
  isUnauthorized(
    t,
    await app.call('GET', '/v1/caseload', { key: await sign({ client_id: client, coordinatorId: randomUUID() }) }),
    'a coordinator that does not exist',
  )
})

t.test('a member-bound family token reads its member’s events and its own, nothing of the others', async (t) => {
  const app = await accessApp(t)
  const coordinatorId = await createCoordinator(t, app)
  const coordinator = await mint(t, app, { role: 'coordinator', coordinatorId })
  const f = await createFamily(t, app, coordinatorId)
  const { Mor: mor, Tenåring: teen, Barn: child } = f.m
  const other = await createFamily(t, app, coordinatorId)

  // Ratings of each member, through the route that audits each rating.
  const session = await createSession(t, app, f.id)
  const later = await createSession(t, app, f.id)
  const rate = async (memberId: string, instrument: string, sessionId = session.id) =>
    expectStatus(
      t,
      await app.call('POST', `/v1/sessions/${sessionId}/ratings`, { body: { memberId, instrument, rater: 'self', items: [5, 5, 5, 5] } }),
      201,
      `a ${instrument} of ${memberId}`,
    ).id as string
  const morOrs = await rate(mor, 'ORS')
  const morSrs = await rate(mor, 'SRS')
  const morDeleted = await rate(mor, 'ORS', later.id)
  const teenOrs = await rate(teen, 'ORS')
  const teenSrs = await rate(teen, 'SRS')
  const childCors = await rate(child, 'CORS')
  const ratingsOf: Record<string, string[]> = { [mor]: [morOrs, morSrs, morDeleted], [teen]: [teenOrs, teenSrs], [child]: [childCors] }

  const ok = async (res: Promise<LightMyRequestResponse>, what: string, status = 200) => expectStatus(t, await res, status, what)
  await ok(app.call('GET', `/v1/sessions/${session.id}/ratings/${morOrs}`), 'the host reads Mor’s rating')
  await ok(
    app.call('PUT', `/v1/sessions/${session.id}/ratings/${morSrs}`, { body: { memberId: mor, instrument: 'SRS', rater: 'self', items: [6, 6, 6, 6] } }),
    'the host corrects Mor’s SRS',
  )
  await ok(app.call('DELETE', `/v1/sessions/${later.id}/ratings/${morDeleted}`), 'the host removes a rating of Mor', 204)
  await ok(app.call('DELETE', `/v1/sessions/${session.id}/ratings/${teenSrs}`), 'the host removes the teen’s SRS', 204)
  await ok(app.call('GET', `/v1/sessions/${session.id}/ratings/${childCors}`, { key: coordinator }), 'the coordinator reads the child’s rating')
  await ok(app.call('GET', `/v1/families/${f.id}/members/${mor}`, { key: coordinator }), 'the coordinator reads Mor')
  await ok(app.call('GET', `/v1/families/${f.id}/members/${teen}`, { key: coordinator }), 'the coordinator reads the teen')
  await ok(app.call('GET', `/v1/families/${f.id}/progress?memberId=${mor}`, { key: coordinator }), 'the coordinator reads Mor’s progress only')
  await ok(app.call('GET', `/v1/families/${f.id}/progress?memberId=${teen}`, { key: coordinator }), 'the coordinator reads the teen’s progress only')
  await ok(app.call('GET', `/v1/families/${f.id}/progress`, { key: coordinator }), 'the coordinator reads the whole family’s progress')
  await ok(app.call('PATCH', `/v1/families/${f.id}/members/${child}`, { body: { alias: 'Lillebror' } }), 'the host corrects the child')
  await ok(app.call('GET', `/v1/families/${f.id}`), 'the host reads the family')

  const morToken = await mint(t, app, { role: 'family', familyId: f.id, memberId: mor })
  const teenToken = await mint(t, app, { role: 'family', familyId: f.id, memberId: teen })
  const familyToken = await mint(t, app, { role: 'family', familyId: f.id })
  await ok(app.call('GET', `/v1/families/${f.id}/progress`, { key: morToken }), 'Mor’s token reads her progress')
  await ok(app.call('GET', `/v1/families/${f.id}/access-log`, { key: morToken }), 'Mor’s token reads her log')
  await ok(app.call('GET', `/v1/families/${f.id}/progress`, { key: familyToken }), 'the family token reads the family’s progress')
  await ok(app.call('GET', `/v1/families/${f.id}/progress`, { key: teenToken }), 'the teen’s token reads the teen’s progress')
  await ok(app.call('GET', `/v1/families/${other.id}/progress`, { key: coordinator }), 'the coordinator reads another family')

  type Event = { actorType: string; actorId: string; action: string; resource: string | null }
  const logOf = async (key: string): Promise<Event[]> =>
    (await ok(app.call('GET', `/v1/families/${f.id}/access-log?limit=200`, { key }), 'read the access log')).items
  const everything = await logOf(app.municipality.apiKey)
  const teenLog = await logOf(teenToken)

  const othersIds = [mor, child, f.id]
  const aboutOthers = (e: Event) =>
    [mor, child].some((id) => e.resource?.includes(id)) || [...ratingsOf[mor], ...ratingsOf[child]].some((id) => e.resource === `rating/${id}`)
  const byOtherFamilyPrincipal = (e: Event) => e.actorType === 'family' && othersIds.includes(e.actorId)
  t.same(teenLog.filter(aboutOthers), [], 'no event on another member or another member’s rating (read, corrected, removed)')
  t.same(teenLog.filter(byOtherFamilyPrincipal), [], 'nothing another member’s token or the family token did')
  t.ok(everything.some(aboutOthers) && everything.some(byOtherFamilyPrincipal), 'while the whole log holds both (the filter has something to leave out)')
  t.same(
    teenLog.filter((e) => e.actorType === 'family').map((e) => e.actorId),
    teenLog.filter((e) => e.actorType === 'family').map(() => teen),
    'every family actor in it is the teen’s own token',
  )

  const has = (log: Event[], match: Partial<Event>) => log.some((e) => Object.entries(match).every(([k, v]) => e[k as keyof Event] === v))
  const wanted: [string, Partial<Event>][] = [
    ['its own progress read', { actorType: 'family', actorId: teen, action: 'progress.read', resource: `member/${teen}/progress` }],
    ['its own reading of the log', { actorType: 'family', actorId: teen, action: 'access-log.read' }],
    ['its token being issued', { actorType: 'api-client', action: 'embed-token.issue', resource: `member/${teen}` }],
    ['the coordinator reading the teen', { actorType: 'coordinator', actorId: coordinatorId, action: 'member.read', resource: `member/${teen}` }],
    ['the coordinator reading the teen’s progress', { actorType: 'coordinator', action: 'progress.read', resource: `member/${teen}/progress` }],
    ['the coordinator reading the whole family’s progress', { actorType: 'coordinator', action: 'progress.read', resource: `family/${f.id}/progress` }],
    ['the host reading the family', { actorType: 'api-client', action: 'family.read', resource: `family/${f.id}` }],
    ['the family’s sessions', { actorType: 'api-client', action: 'session.create', resource: `session/${session.id}` }],
    ['a rating of the teen', { actorType: 'api-client', action: 'rating.create', resource: `rating/${teenOrs}` }],
    ['a removed rating of the teen', { actorType: 'api-client', action: 'rating.delete', resource: `rating/${teenSrs}` }],
    ['the removed rating’s creation', { actorType: 'api-client', action: 'rating.create', resource: `rating/${teenSrs}` }],
  ]
  for (const [what, match] of wanted) t.ok(has(teenLog, match), `the teen’s log lists ${what}`)

  const morLog = await logOf(morToken)
  for (const id of ratingsOf[mor])
    t.ok(has(morLog, { action: 'rating.create', resource: `rating/${id}` }), `Mor’s log lists her rating ${id} (also once corrected or removed)`)
  t.ok(
    has(morLog, { action: 'rating.correct', resource: `rating/${morSrs}` }) && has(morLog, { action: 'rating.read', resource: `rating/${morOrs}` }),
    'and what was done to them',
  )
  t.notOk(
    morLog.some((e) => e.resource?.includes(teen) || e.resource?.includes(child)),
    'and nothing of the teen or the child',
  )

  const familyLog = await logOf(familyToken)
  t.ok(familyLog.some(aboutOthers) && familyLog.some((e) => e.resource?.includes(teen)), 'a family token without memberId reads the whole family’s log')
  t.notOk(
    teenLog.some((e) => e.resource?.includes(other.id)),
    'nothing of another family',
  )
  const page1 = await ok(app.call('GET', `/v1/families/${f.id}/access-log?limit=2`, { key: teenToken }), 'a first page of the teen’s log')
  const page2 = await ok(
    app.call('GET', `/v1/families/${f.id}/access-log?limit=200&cursor=${encodeURIComponent(page1.nextCursor)}`, { key: teenToken }),
    'the rest',
  )
  t.notOk([...page1.items, ...page2.items].some(aboutOthers), 'pages keep to the member too')
  t.ok(page2.items.length > 0, 'the rest is not empty')
})
