import t from 'tap'
import { testApp } from '../helpers/app.js'
import { assertProblem } from '../helpers/fixtures.js'

t.test('POST /v1/api-clients shows the key once; the key works; revoking it locks it out', async (t) => {
  const app = await testApp(t)
  const res = await app.call('POST', '/v1/api-clients', { body: { name: 'Fagsystem' }, idempotencyKey: 'create-fagsystem' })
  t.equal(res.statusCode, 201, res.body)
  const client = res.json()
  t.match(client, { name: 'Fagsystem', revokedAt: null })
  t.match(client.apiKey, /^fgk_/)
  t.equal(client.keyPrefix, client.apiKey.slice(0, client.keyPrefix.length), 'the prefix is the start of the key')
  t.ok(client.keyPrefix.length < client.apiKey.length - 20, 'the prefix reveals little of the key')
  t.equal(res.headers.location, `/v1/api-clients/${client.id}`)

  const list = await app.call('GET', '/v1/api-clients')
  t.equal(list.statusCode, 200)
  t.equal(list.json().items.length, 2, 'the first client and the new one')
  t.notMatch(list.body, client.apiKey, 'the list never shows a key')
  t.notOk(list.json().items.some((c: Record<string, unknown>) => 'apiKey' in c))

  const replay = await app.call('POST', '/v1/api-clients', { body: { name: 'Fagsystem' }, idempotencyKey: 'create-fagsystem' })
  t.equal(replay.statusCode, 201)
  t.equal(replay.json().id, client.id, 'an idempotent replay answers the same client')
  t.equal(replay.json().apiKey, null, 'but never the key again (it is not stored)')
  t.equal((await app.call('GET', '/v1/api-clients')).json().items.length, 2, 'the replay created nothing')

  const withNewKey = await app.call('GET', '/v1/settings', { key: client.apiKey })
  t.equal(withNewKey.statusCode, 200, 'the new key works')

  const revoke = await app.call('DELETE', `/v1/api-clients/${client.id}`)
  t.equal(revoke.statusCode, 204)
  t.equal(revoke.body, '')
  assertProblem(t, await app.call('GET', '/v1/settings', { key: client.apiKey }), { status: 401, type: 'unauthorized' })
  t.equal((await app.call('GET', '/v1/settings')).statusCode, 200, 'the other key still works')
  const after = (await app.call('GET', '/v1/api-clients')).json().items.find((c: { id: string }) => c.id === client.id)
  t.match(after.revokedAt, /Z$/, 'the list shows when it was revoked')
  assertProblem(t, await app.call('DELETE', `/v1/api-clients/${client.id}`), { status: 404, type: 'not-found' })
  assertProblem(t, await app.call('DELETE', '/v1/api-clients/00000000-0000-4000-8000-000000000000'), { status: 404, type: 'not-found' })
})

t.test('a client may revoke its own key', async (t) => {
  const app = await testApp(t)
  const list = (await app.call('GET', '/v1/api-clients')).json().items
  t.equal(list.length, 1)
  t.equal((await app.call('DELETE', `/v1/api-clients/${app.municipality.apiClientId}`)).statusCode, 204)
  assertProblem(t, await app.call('GET', '/v1/api-clients'), { status: 401, type: 'unauthorized' })
})

t.test('POST /v1/api-clients rejects bad input', async (t) => {
  const app = await testApp(t)
  assertProblem(t, await app.call('POST', '/v1/api-clients', { body: {} }), { status: 400, type: 'validation', path: '/name' })
  assertProblem(t, await app.call('POST', '/v1/api-clients', { body: { name: ' ' } }), { status: 400, type: 'validation', path: '/name' })
  assertProblem(t, await app.call('POST', '/v1/api-clients', { body: { name: 'X', scopes: ['all'] } }), { status: 400, type: 'validation', path: '/scopes' })
  assertProblem(t, await app.call('DELETE', '/v1/api-clients/abc'), { status: 400, type: 'validation', path: '/id' })
  t.equal((await app.call('GET', '/v1/api-clients')).json().items.length, 1)
})

t.test('credentials: missing, malformed, unknown and revoked keys are 401 with WWW-Authenticate', async (t) => {
  const app = await testApp(t)
  assertProblem(t, await app.call('GET', '/v1/families', { key: null }), { status: 401, type: 'unauthorized' })
  assertProblem(t, await app.call('GET', '/v1/families', { key: 'fgk_' + 'A'.repeat(43) }), { status: 401, type: 'unauthorized' })
  assertProblem(t, await app.call('GET', '/v1/families', { key: 'not-a-key' }), { status: 401, type: 'unauthorized' })
  assertProblem(t, await app.call('GET', '/v1/families', { key: null, headers: { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` } }), {
    status: 401,
    type: 'unauthorized',
  })
  assertProblem(t, await app.call('GET', '/v1/families', { key: null, headers: { authorization: 'Bearer' } }), { status: 401, type: 'unauthorized' })
  assertProblem(t, await app.call('POST', '/v1/families', { key: null, body: {} }), { status: 401, type: 'unauthorized' })
})

t.test('a key revoked behind this process (by another instance) fails at once, whatever the process remembers', async (t) => {
  const app = await testApp(t)
  const created = (await app.call('POST', '/v1/api-clients', { body: { name: 'Fagsystem' } })).json()
  const key: string = created.apiKey
  // Used once, the key is known to this process from now on.
  t.equal((await app.call('GET', '/v1/families', { key })).statusCode, 200)
  t.equal((await app.call('GET', '/v1/instruments', { key })).statusCode, 200)
  // Another instance revokes it: straight in the database, this process hears nothing.
  await app.db.updateTable('api_clients').set({ revoked_at: new Date() }).where('api_client_id', '=', created.id).execute()
  assertProblem(t, await app.call('GET', '/v1/families', { key }), { status: 401, type: 'unauthorized' })

  // The same for each way a request can end: a read, a write, a body refused before the
  // handler, a principal the route does not allow.
  const other = (await app.call('POST', '/v1/api-clients', { body: { name: 'Andre' } })).json()
  for (const [method, url, body] of [
    ['GET', '/v1/settings', undefined],
    ['POST', '/v1/families', { externalRef: 'X-1', members: [] }],
    ['POST', '/v1/families', { nonsense: true }],
    ['GET', '/v1/caseload', undefined],
  ] as const) {
    t.equal((await app.call('GET', '/v1/instruments', { key: other.apiKey })).statusCode, 200, 'known to the process')
    await app.db.updateTable('api_clients').set({ revoked_at: new Date() }).where('api_client_id', '=', other.id).execute()
    const res = await app.call(method, url, { key: other.apiKey, body })
    assertProblem(t, res, { status: 401, type: 'unauthorized' })
    t.equal(res.headers['www-authenticate'], 'Bearer', `${method} ${url}`)
    await app.db.updateTable('api_clients').set({ revoked_at: null }).where('api_client_id', '=', other.id).execute()
  }
  t.equal(await countFamilies(app), 0, 'the write with a revoked key created nothing')
  t.equal((await app.call('GET', '/v1/settings')).statusCode, 200, 'the municipality key still works')
})

async function countFamilies(app: Awaited<ReturnType<typeof testApp>>): Promise<number> {
  const r = await app.db
    .selectFrom('families')
    .select((e) => e.fn.countAll<string>().as('n'))
    .where('municipality_id', '=', app.municipality.municipalityId)
    .executeTakeFirstOrThrow()
  return Number(r.n)
}
