import t from 'tap'
import { daysAgo, testApp } from '../helpers/app.js'
import { assertProblem, createCoordinator, createFamily, createSession, ors } from '../helpers/fixtures.js'

t.test("another municipality's ids are 404 on every route, and its rows never show", async (t) => {
  const app = await testApp(t)
  const b = await app.newMunicipality('Nabokommune')
  // Municipality B's data, made through the API with B's key.
  const bCoordinator = await createCoordinator(t, app, b.apiKey)
  const bFamily = await createFamily(t, app, { key: b.apiKey, coordinatorId: bCoordinator, externalRef: 'SAME-REF' })
  const bSession = await createSession(t, app, bFamily.id, { heldOn: daysAgo(3), ratings: [ors(bFamily.m.Mor.id, [1, 2, 3, 4])] }, b.apiKey)
  const bRating = bSession.ratings[0]
  const bClient = (await app.call('POST', '/v1/api-clients', { key: b.apiKey, body: { name: 'B portal' } })).json()
  const before = {
    family: (await app.call('GET', `/v1/families/${bFamily.id}`, { key: b.apiKey })).json(),
    session: (await app.call('GET', `/v1/sessions/${bSession.id}`, { key: b.apiKey })).json(),
    coordinators: (await app.call('GET', '/v1/coordinators', { key: b.apiKey })).json(),
    clients: (await app.call('GET', '/v1/api-clients', { key: b.apiKey })).json(),
  }

  // Municipality A (the test's key) has data of its own.
  const aFamily = await createFamily(t, app)
  await createSession(t, app, aFamily.id, { heldOn: daysAgo(2), ratings: [ors(aFamily.m.Mor.id)] })

  const bodies: Record<string, unknown> = {
    'PATCH /v1/families/{familyId}': { externalRef: 'stolen' },
    'POST /v1/families/{familyId}/members': { alias: 'Inntrenger', role: 'adult', birthDate: '1980-01-01' },
    'PATCH /v1/families/{familyId}/members/{memberId}': { alias: 'Endret' },
    'POST /v1/families/{familyId}/sessions': { heldOn: daysAgo(1), kind: 'office', ratings: [] },
    'PATCH /v1/sessions/{sessionId}': { kind: 'phone' },
    'POST /v1/sessions/{sessionId}/ratings': ors(bFamily.m.Tenåring.id),
    'PUT /v1/sessions/{sessionId}/ratings/{ratingId}': ors(bFamily.m.Mor.id, [9, 9, 9, 9]),
    'PATCH /v1/coordinators/{id}': { displayName: 'Stjålet' },
  }
  const idFor = (path: string, param: string): string => {
    switch (param) {
      case 'familyId':
        return bFamily.id
      case 'memberId':
        return bFamily.m.Mor.id
      case 'sessionId':
        return bSession.id
      case 'ratingId':
        return bRating.id
      case 'id':
        if (path.startsWith('/v1/coordinators/')) return bCoordinator
        if (path.startsWith('/v1/api-clients/')) return bClient.id
    }
    throw new Error(`no id of municipality B for {${param}} in ${path}`)
  }

  const doc = (await app.app.inject({ method: 'GET', url: '/docs/json' })).json()
  let probed = 0
  for (const [path, operations] of Object.entries<Record<string, unknown>>(doc.paths)) {
    if (!path.startsWith('/v1/') || !path.includes('{')) continue
    for (const method of Object.keys(operations)) {
      const route = `${method.toUpperCase()} ${path}`
      const url = path.replace(/\{(\w+)\}/g, (_, param: string) => idFor(path, param))
      const write = method === 'post' || method === 'put' || method === 'patch'
      if (write && !(route in bodies)) {
        t.fail(`${route}: add a valid body to this test so the route is probed`)
        continue
      }
      const res = await app.call(method.toUpperCase(), url, write ? { body: bodies[route] } : {})
      assertProblem(t, res, { status: 404, type: 'not-found' })
      t.notMatch(res.body, /Mor|SAME-REF|B portal/, `${route} leaks nothing`)
      probed++
    }
  }
  t.ok(probed >= 14, `every route with an id was probed (${probed})`)

  // A body naming B's coordinator or members is no way in either.
  const viaBody = await app.call('POST', '/v1/families', { body: { externalRef: 'X', coordinatorId: bCoordinator, startedOn: daysAgo(5) } })
  t.ok(viaBody.statusCode === 404 || viaBody.statusCode === 422, `B's coordinator in a body is unknown (${viaBody.statusCode})`)
  t.notMatch(viaBody.body, /Kari Koordinator/)
  const aSession = await createSession(t, app, aFamily.id, { heldOn: daysAgo(1) })
  assertProblem(t, await app.call('POST', `/v1/sessions/${aSession.id}/ratings`, { body: ors(bFamily.m.Mor.id) }), {
    status: 422,
    type: 'rule',
    path: '/memberId',
  })

  // Lists never show B's rows; filters with B's ids find nothing.
  const families = (await app.call('GET', '/v1/families')).json().items
  t.same(
    families.map((f: { id: string }) => f.id),
    [aFamily.id],
  )
  t.same((await app.call('GET', `/v1/families?coordinatorId=${bCoordinator}`)).json().items, [])
  t.same((await app.call('GET', '/v1/families?externalRef=SAME-REF')).json().items, [])
  const coordinators = (await app.call('GET', '/v1/coordinators')).json().items
  t.notOk(coordinators.some((c: { id: string }) => c.id === bCoordinator))
  const clients = (await app.call('GET', '/v1/api-clients')).json().items
  t.same(
    clients.map((c: { id: string }) => c.id),
    [app.municipality.apiClientId],
  )

  // References are per municipality: A may use B's externalRef.
  const same = await app.call('POST', '/v1/families', { body: { externalRef: 'SAME-REF', coordinatorId: aFamily.coordinatorId, startedOn: daysAgo(5) } })
  t.equal(same.statusCode, 201, 'an externalRef used in another municipality is free here')

  // B's data is untouched, and B's key still works.
  t.same((await app.call('GET', `/v1/families/${bFamily.id}`, { key: b.apiKey })).json(), before.family)
  t.same((await app.call('GET', `/v1/sessions/${bSession.id}`, { key: b.apiKey })).json(), before.session)
  t.same((await app.call('GET', '/v1/coordinators', { key: b.apiKey })).json(), before.coordinators)
  t.same((await app.call('GET', '/v1/api-clients', { key: b.apiKey })).json(), before.clients)
  t.equal((await app.call('GET', '/v1/settings', { key: bClient.apiKey })).statusCode, 200, "B's other client was not revoked")
})
