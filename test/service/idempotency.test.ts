import t from 'tap'
import { sql } from 'kysely'
import { purgeExpiredIdempotencyKeys } from '../../service/plugins/idempotency.js'
import { daysAgo, testApp, type TestApp } from '../helpers/app.js'
import { assertProblem, countRows, createFamily, ors } from '../helpers/fixtures.js'

const coordinator = { externalRef: 'idem-1', displayName: 'Kari' }

t.test('same key and body: the stored status and body, one row', async (t) => {
  const app = await testApp(t)
  const first = await app.call('POST', '/v1/coordinators', { body: coordinator, idempotencyKey: 'abc' })
  t.equal(first.statusCode, 201)
  const again = await app.call('POST', '/v1/coordinators', { body: { displayName: 'Kari', externalRef: 'idem-1' }, idempotencyKey: 'abc' })
  t.equal(again.statusCode, 201, 'the stored status')
  t.same(again.json(), first.json(), 'the stored body, same id (key order in the body does not matter)')
  t.equal(again.headers.location, first.headers.location)
  t.equal(await countRows(app.db, app.municipality.municipalityId, 'coordinators'), 1, 'one row')

  const f = await createFamily(t, app)
  const session = { heldOn: daysAgo(2), kind: 'office', ratings: [ors(f.m.Mor.id), ors(f.m.Tenåring.id)] }
  const s1 = await app.call('POST', `/v1/families/${f.id}/sessions`, { body: session, idempotencyKey: 'session-1' })
  const s2 = await app.call('POST', `/v1/families/${f.id}/sessions`, { body: session, idempotencyKey: 'session-1' })
  t.equal(s1.statusCode, 201)
  t.equal(s2.statusCode, 201)
  t.same(s2.json(), s1.json())
  t.equal(await countRows(app.db, app.municipality.municipalityId, 'sessions'), 1)
  t.equal(await countRows(app.db, app.municipality.municipalityId, 'ratings'), 2)
  t.equal(await countRows(app.db, app.municipality.municipalityId, 'audit_events', { column: 'action', value: 'session.create' }), 1, 'one audit event')
})

t.test('same key and another body: 422', async (t) => {
  const app = await testApp(t)
  t.equal((await app.call('POST', '/v1/coordinators', { body: coordinator, idempotencyKey: 'k' })).statusCode, 201)
  assertProblem(t, await app.call('POST', '/v1/coordinators', { body: { ...coordinator, displayName: 'Per' }, idempotencyKey: 'k' }), {
    status: 422,
    type: 'rule',
    mentions: /Idempotency-Key/,
  })
  assertProblem(t, await app.call('POST', '/v1/api-clients', { body: { name: 'x' }, idempotencyKey: 'k' }), { status: 422, type: 'rule' })
  t.equal(await countRows(app.db, app.municipality.municipalityId, 'coordinators'), 1)
})

t.test('only 2xx answers are stored: a refused request may be retried with the same key', async (t) => {
  const app = await testApp(t)
  const f = await createFamily(t, app)
  const url = `/v1/families/${f.id}/sessions`
  assertProblem(t, await app.call('POST', url, { body: { heldOn: daysAgo(-5), kind: 'office' }, idempotencyKey: 'retry' }), { status: 422, type: 'rule' })
  const fixed = await app.call('POST', url, { body: { heldOn: daysAgo(5), kind: 'office' }, idempotencyKey: 'retry' })
  t.equal(fixed.statusCode, 201, fixed.body)
})

/** Holds the advisory lock createOnce takes for this key, as an in-flight first request would. */
async function holdKey(app: TestApp, principal: string, key: string) {
  const client = await app.pool.connect()
  await client.query('BEGIN')
  await client.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`${app.municipality.municipalityId}|${principal}|${key}`])
  return {
    async release() {
      await client.query('COMMIT')
      client.release()
    },
  }
}

// PGlite (the embedded database) is one PostgreSQL session behind a queue: a transaction holds
// every other connection until it ends, so a second request cannot start while the first is in
// flight (it replays once the first commits), and a lock held from the test would block the app.
// The 409 is a real server's answer; the embedded one's is asserted in the next test.
const realServer = Boolean(process.env.TEST_DATABASE_URL)

t.test('a retry while the first request is in flight: 409 (server) or a replay (embedded)', async (t) => {
  const app = await testApp(t)
  if (realServer) {
    const held = await holdKey(app, `api-client:${app.municipality.apiClientId}`, 'busy')
    try {
      assertProblem(t, await app.call('POST', '/v1/coordinators', { body: coordinator, idempotencyKey: 'busy' }), {
        status: 409,
        type: 'conflict',
        mentions: /Idempotency-Key/,
      })
      t.equal(
        (await app.call('POST', '/v1/coordinators', { body: { ...coordinator, externalRef: 'other' }, idempotencyKey: 'not-busy' })).statusCode,
        201,
        'other keys are not blocked',
      )
    } finally {
      await held.release()
    }
    t.equal((await app.call('POST', '/v1/coordinators', { body: coordinator, idempotencyKey: 'busy' })).statusCode, 201, 'once it is done the key works')
    t.equal(await countRows(app.db, app.municipality.municipalityId, 'coordinators'), 2)
  } else {
    const [a, b] = await Promise.all([
      app.call('POST', '/v1/coordinators', { body: coordinator, idempotencyKey: 'busy' }),
      app.call('POST', '/v1/coordinators', { body: coordinator, idempotencyKey: 'busy' }),
    ])
    t.equal(a.statusCode, 201)
    t.equal(b.statusCode, 201)
    t.same(a.json(), b.json(), 'the second waited and replayed the first')
    t.equal(b.headers['idempotent-replayed'] ?? a.headers['idempotent-replayed'], 'true', 'one of them is marked as a replay')
    t.equal(await countRows(app.db, app.municipality.municipalityId, 'coordinators'), 1)
  }
})

t.test('two truly concurrent requests with one key create one row', async (t) => {
  const app = await testApp(t)
  const f = await createFamily(t, app)
  // A slow first request: a session with many ratings.
  const ratings = [{ memberId: f.m.Barn.id, instrument: 'CORS', rater: 'other', items: [5, 5, 5, 5] }, ors(f.m.Mor.id), ors(f.m.Tenåring.id)]
  for (let round = 0; round < 3; round++) {
    const key = `concurrent-${round}`
    const body = { heldOn: daysAgo(round + 1), kind: 'office', note: 'n'.repeat(1500), ratings }
    const [a, b] = await Promise.all([
      app.call('POST', `/v1/families/${f.id}/sessions`, { body, idempotencyKey: key }),
      app.call('POST', `/v1/families/${f.id}/sessions`, { body, idempotencyKey: key }),
    ])
    const statuses = [a.statusCode, b.statusCode].sort()
    t.ok(
      (statuses[0] === 201 && statuses[1] === 201) || (statuses[0] === 201 && statuses[1] === 409),
      `one 201 and one 409, or two equal 201s (got ${statuses})`,
    )
    if (statuses[1] === 201) t.same(a.json(), b.json(), 'serialized: the second is a replay')
    else assertProblem(t, a.statusCode === 409 ? a : b, { status: 409, type: 'conflict' })
  }
  t.equal(await countRows(app.db, app.municipality.municipalityId, 'sessions'), 3, 'exactly one session per key')
  t.equal(await countRows(app.db, app.municipality.municipalityId, 'ratings'), 9)
})

t.test('keys are scoped per principal and municipality', async (t) => {
  const app = await testApp(t)
  const second = await app.call('POST', '/v1/api-clients', { body: { name: 'Portal' } })
  const portalKey = second.json().apiKey as string
  const a = await app.call('POST', '/v1/coordinators', { body: coordinator, idempotencyKey: 'shared' })
  const b = await app.call('POST', '/v1/coordinators', { key: portalKey, body: { ...coordinator, externalRef: 'idem-2' }, idempotencyKey: 'shared' })
  t.equal(a.statusCode, 201)
  t.equal(b.statusCode, 201, 'another API client of the same municipality uses the same key independently')
  t.not(a.json().id, b.json().id)
  const c = await app.call('POST', '/v1/coordinators', { key: portalKey, body: coordinator, idempotencyKey: 'shared-2' })
  assertProblem(t, c, { status: 409, type: 'conflict', mentions: 'externalRef' })
  const other = await app.newMunicipality()
  const d = await app.call('POST', '/v1/coordinators', { key: other.apiKey, body: coordinator, idempotencyKey: 'shared' })
  t.equal(d.statusCode, 201, 'another municipality too')
  t.not(d.json().id, a.json().id)
  t.equal(await countRows(app.db, app.municipality.municipalityId, 'coordinators'), 2)
  t.equal(await countRows(app.db, other.municipalityId, 'coordinators'), 1)
})

t.test('keys are kept 7 days, then purged', async (t) => {
  const app = await testApp(t)
  const other = await app.newMunicipality()
  const first = await app.call('POST', '/v1/coordinators', { body: coordinator, idempotencyKey: 'old' })
  await app.call('POST', '/v1/coordinators', { body: { ...coordinator, externalRef: 'fresh' }, idempotencyKey: 'fresh' })
  await app.call('POST', '/v1/coordinators', { key: other.apiKey, body: coordinator, idempotencyKey: 'old' })
  await app.pool.query(`UPDATE idempotency_keys SET created_at = now() - interval '8 days' WHERE key = 'old'`)

  const after = await app.call('POST', '/v1/coordinators', { body: { ...coordinator, externalRef: 'idem-new' }, idempotencyKey: 'old' })
  t.equal(after.statusCode, 201, 'an expired key is free again')
  t.not(after.json().id, first.json().id)

  await app.pool.query(`UPDATE idempotency_keys SET created_at = now() - interval '8 days' WHERE key = 'old'`)
  const purged = await purgeExpiredIdempotencyKeys(app.app)
  t.equal(purged, 2, 'the expired keys of every municipality are purged')
  t.same(
    (
      await app.db.transaction().execute(async (trx) => {
        await sql`SELECT set_config('framgang.municipality_id', ${app.municipality.municipalityId}, true)`.execute(trx)
        return trx.selectFrom('idempotency_keys').select('key').where('municipality_id', '=', app.municipality.municipalityId).execute()
      })
    ).map((r) => r.key),
    ['fresh'],
    'fresh keys stay',
  )
})

t.test("the requests' role reads keys through the tenant policy alone, by the primary key", async (t) => {
  const app = await testApp(t)
  const other = await app.newMunicipality()
  await app.call('POST', '/v1/coordinators', { key: other.apiKey, body: coordinator, idempotencyKey: 'theirs' })
  await app.pool.query(`UPDATE idempotency_keys SET created_at = now() - interval '8 days'`)
  const client = await app.pool.connect()
  try {
    await client.query('BEGIN')
    await client.query(`SELECT set_config('framgang.municipality_id', $1, true), set_config('role', 'framgang_app', true)`, [app.municipality.municipalityId])
    // The purge setting that opened other municipalities' expired keys to every role before.
    await client.query(`SELECT set_config('framgang.purge', 'on', true)`)
    t.equal((await client.query('SELECT * FROM idempotency_keys')).rowCount, 0, "another municipality's expired keys stay hidden")
    t.equal((await client.query('DELETE FROM idempotency_keys')).rowCount, 0, 'and cannot be deleted')
    // Whatever the table's size, a plan without a sequential scan must narrow by the municipality.
    await client.query('SET LOCAL enable_seqscan = off')
    const plan = await client.query(`EXPLAIN (FORMAT JSON) SELECT request_hash FROM idempotency_keys WHERE principal = $1 AND key = $2`, ['api-client:x', 'k'])
    const root = plan.rows[0]['QUERY PLAN'][0].Plan as { 'Node Type': string; 'Index Name'?: string; 'Index Cond'?: string }
    t.match(root, { 'Node Type': 'Index Scan', 'Index Name': 'idempotency_keys_pkey' }, 'the lookup uses the primary key')
    t.match(root['Index Cond'], /municipality_id = .*principal = .*key = /s, 'on all its columns, the municipality first')
    await client.query('ROLLBACK')
  } finally {
    client.release()
  }
  t.equal(await purgeExpiredIdempotencyKeys(app.app), 1, 'the purge still reaches every municipality')
})
