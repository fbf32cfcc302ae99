import { createServer, type AddressInfo, type Socket } from 'node:net'
import t from 'tap'
import { buildApp } from '../../service/app.js'
import { createMunicipality } from '../../service/cli/municipalities.js'
import { loadConfig } from '../../service/config.js'
import { isDatabaseUnavailable } from '../../service/db/connection-errors.js'
import { migrateDatabase } from '../../service/db/connect.js'
import { createDb } from '../../service/db/kysely.js'
import { pg } from '../../service/db/pg-types.js'
import { daysAgo, NO_LOAD_SHEDDING } from '../helpers/app.js'
import { assertProblem, BIRTH, ors } from '../helpers/fixtures.js'
import { freePort, INTERNALS, throwawayCluster, waitFor } from '../reliability/harness.js'

t.setTimeout(90_000)

const sqlError = (code: string, message = 'x') => Object.assign(new Error(message), { code })

t.test('which failures mean the database is unavailable', async (t) => {
  const unavailable: [string, unknown][] = [
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    [
      'a refused connection to every address of a host',
      Object.assign(new AggregateError([Object.assign(new Error('connect ECONNREFUSED ::1:5432'), { code: 'ECONNREFUSED' })]), {}),
    ],
    ['a reset connection', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })],
    ['57P01 admin shutdown', sqlError('57P01', 'terminating connection due to administrator command')],
    ['57P02 crash shutdown', sqlError('57P02')],
    ['57P03 cannot connect now', sqlError('57P03', 'the database system is starting up')],
    ['08006 connection failure', sqlError('08006')],
    ['08P01 protocol violation', sqlError('08P01')],
    ['53300 too many connections', sqlError('53300')],
    ['the connection ending', new Error('Connection terminated unexpectedly')],
    ['a client left unusable', new Error('Client has encountered a connection error and is not queryable')],
    ['a pool that waited too long', new Error('timeout exceeded when trying to connect')],
    ['the cause of a wrapping error', new Error('failed', { cause: sqlError('57P01') })],
  ]
  for (const [what, err] of unavailable) t.ok(isDatabaseUnavailable(err), what)
  const not: [string, unknown][] = [
    ['a unique violation', sqlError('23505')],
    ['bad input', sqlError('22P02')],
    ['a serialization failure', sqlError('40001')],
    ['a missing table', sqlError('42P01')],
    ['a wrong password', sqlError('28P01')],
    ['a plain error', new Error('boom')],
    ['nothing', null],
  ]
  for (const [what, err] of not) t.notOk(isDatabaseUnavailable(err), `not ${what}`)
})

t.test('with no database to reach, requests answer 503 problems with Retry-After, also with an Origin', async (t) => {
  const port = await freePort()
  const config = loadConfig({ DATA_DIR: `/tmp/framgang-test-${process.pid}`, ...NO_LOAD_SHEDDING })
  const app = await buildApp({ config, connectionString: `postgres://postgres@127.0.0.1:${port}/framgang`, logger: false })
  t.teardown(() => app.close())
  await app.ready()
  const key = { authorization: 'Bearer fgk_0000000000000000000000000000000000000000000' }
  const answers = [
    await app.inject({ method: 'GET', url: '/health/ready' }),
    await app.inject({ method: 'GET', url: '/v1/families', headers: key }),
    await app.inject({ method: 'GET', url: '/v1/families', headers: { ...key, origin: 'https://vert.example' } }),
    await app.inject({
      method: 'POST',
      url: '/v1/coordinators',
      headers: { ...key, origin: 'https://vert.example', 'idempotency-key': 'k' },
      payload: { externalRef: 'C', displayName: 'Kari' },
    }),
    await app.inject({ method: 'OPTIONS', url: '/v1/families', headers: { origin: 'https://vert.example', 'access-control-request-method': 'GET' } }),
  ]
  for (const res of answers) {
    assertProblem(t, res, { status: 503, type: 'unavailable' })
    t.match(res.headers['retry-after'], /^\d+$/, 'Retry-After')
    t.notMatch(res.body, INTERNALS, 'no internals in the body')
  }
  // A failure that needs no database keeps its own answer even where CORS cannot read origins.
  assertProblem(t, await app.inject({ method: 'GET', url: '/v1/families', headers: { origin: 'https://vert.example' } }), { status: 401, type: 'unauthorized' })
})

t.test('a database host that accepts and never answers: 503 after DB_CONNECT_TIMEOUT_SECONDS, not the TCP timeout', async (t) => {
  // A listener that takes the connection and stays silent, as a host behind a firewall that
  // drops packets leaves a connection attempt waiting.
  const held: Socket[] = []
  const silent = createServer((socket) => {
    held.push(socket)
    socket.on('error', () => {})
  })
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
  t.teardown(async () => {
    for (const s of held) s.destroy()
    await new Promise((resolve) => silent.close(resolve))
  })
  const port = (silent.address() as AddressInfo).port
  const config = loadConfig({ DATA_DIR: `/tmp/framgang-test-${process.pid}`, DB_CONNECT_TIMEOUT_SECONDS: '1', ...NO_LOAD_SHEDDING })
  const app = await buildApp({ config, connectionString: `postgres://postgres@127.0.0.1:${port}/framgang`, logger: false })
  t.teardown(() => app.close())
  await app.ready()
  const key = { authorization: 'Bearer fgk_0000000000000000000000000000000000000000000' }
  for (const res of [await app.inject({ method: 'GET', url: '/v1/families', headers: key }), await app.inject({ method: 'GET', url: '/health/ready' })]) {
    assertProblem(t, res, { status: 503, type: 'unavailable' })
    t.match(res.headers['retry-after'], /^\d+$/, 'Retry-After')
    t.notMatch(res.body, INTERNALS, 'no internals in the body')
  }
  t.ok(held.length >= 1, 'the service did try the silent host')
})

t.test('an administrator ending a busy connection (57P01) is a 503, the process lives on, and the retry lands', async (t) => {
  const cluster = await throwawayCluster()
  t.teardown(() => cluster.destroy())
  await cluster.start()
  await migrateDatabase(cluster.url)
  const config = loadConfig({ DATA_DIR: `/tmp/framgang-test-${process.pid}`, ...NO_LOAD_SHEDDING })
  const app = await buildApp({ config, connectionString: cluster.url, logger: false })
  await app.ready()
  const pool = new pg.Pool({ connectionString: cluster.url, max: 3 })
  pool.on('error', () => {})
  t.teardown(async () => {
    await app.close()
    await pool.end()
  })
  const m = await createMunicipality(createDb(pool), { name: 'Avbrutt kommune' })
  const headers = (k: string) => ({ authorization: `Bearer ${m.apiKey}`, 'idempotency-key': k })
  const c = await app.inject({ method: 'POST', url: '/v1/coordinators', headers: headers('c'), payload: { externalRef: 'C', displayName: 'Kari' } })
  const f = await app.inject({
    method: 'POST',
    url: '/v1/families',
    headers: headers('f'),
    payload: { externalRef: 'F', coordinatorId: c.json().id, startedOn: daysAgo(30), members: [{ alias: 'Mor', role: 'adult', birthDate: BIRTH.adult() }] },
  })
  t.equal(f.statusCode, 201, 'family created')
  const url = `/v1/families/${f.json().id}/sessions`
  const payload = { heldOn: daysAgo(2), kind: 'office', ratings: [ors(f.json().members[0].id)] }

  // The write waits on a lock inside its transaction; its connection is then ended under it.
  const locker = await pool.connect()
  t.teardown(() => locker.release())
  await locker.query('BEGIN')
  await locker.query('LOCK TABLE sessions IN EXCLUSIVE MODE')
  const pending = app.inject({ method: 'POST', url, headers: headers('s'), payload })
  const pid = await waitFor(
    'the write to wait on the lock',
    async () => {
      const r = await pool.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND application_name = 'framgang'`)
      return r.rows[0]?.pid
    },
    10_000,
  )
  await pool.query('SELECT pg_terminate_backend($1)', [pid])
  const res = await pending
  assertProblem(t, res, { status: 503, type: 'unavailable' })
  t.match(res.headers['retry-after'], /^\d+$/, 'with Retry-After')
  await locker.query('COMMIT')

  const again = await app.inject({ method: 'POST', url, headers: headers('s'), payload })
  t.equal(again.statusCode, 201, `the retry with the same key lands: ${again.body.slice(0, 200)}`)
  t.equal((await app.inject({ method: 'GET', url: '/health/ready' })).statusCode, 200, 'and the service is ready')
  const n = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM sessions WHERE municipality_id = $1', [m.municipalityId])
  t.equal(n.rows[0].n, 1, 'once')
})
