import http from 'node:http'
import t, { type Test } from 'tap'
import { createMunicipality } from '../../service/cli/municipalities.js'
import { createDb } from '../../service/db/kysely.js'
import { pg } from '../../service/db/pg-types.js'
import { daysAgo } from '../helpers/app.js'
import { BIRTH, ors } from '../helpers/fixtures.js'
import {
  freePort,
  INTERNALS,
  isAnswer,
  show,
  isUnavailableProblem,
  request,
  sleep,
  startService,
  throwawayCluster,
  waitFor,
  type Cluster,
  type Outcome,
  type Service,
} from './harness.js'

// Each test makes a PostgreSQL cluster of its own and crashes or delays it; the shared server
// the other tests use is never touched. Every wait below is bounded.
t.setTimeout(120_000)

const WORKERS = 24

async function withCluster(t: Test, started: boolean): Promise<Cluster> {
  const cluster = await throwawayCluster()
  t.teardown(() => cluster.destroy())
  if (started) await cluster.start()
  return cluster
}

async function service(t: Test, cluster: Cluster, env: Record<string, string> = {}): Promise<Service> {
  const s = await startService({ DATABASE_URL: cluster.url, DATA_DIR: `/tmp/framgang-reliability-${process.pid}`, ...env })
  t.teardown(() => s.kill())
  return s
}

t.test('a database crash mid-write: the process lives, answers 503, and every write lands exactly once', async (t) => {
  const cluster = await withCluster(t, true)
  const svc = await service(t, cluster)
  await svc.waitForOutput(/Framgang is running at/, 60_000)

  // A municipality with a registered origin, a coordinator and a family, set up as an operator would.
  const setupPool = new pg.Pool({ connectionString: cluster.url, max: 2 })
  setupPool.on('error', () => {})
  const m = await createMunicipality(createDb(setupPool), { name: 'Omstart kommune', origins: ['https://vert.example'] })
  await setupPool.end()
  const auth = { authorization: `Bearer ${m.apiKey}` }
  const agent = new http.Agent({ keepAlive: true, maxSockets: WORKERS })
  t.teardown(() => agent.destroy())
  const post = (url: string, key: string, body: unknown, headers: Record<string, string> = {}) =>
    request(svc.base, 'POST', url, { agent, headers: { ...auth, 'idempotency-key': key, ...headers }, body })
  const coordinator = await post('/v1/coordinators', 'setup-c', { externalRef: 'OMSTART-C', displayName: 'Kari Koordinator' })
  t.ok(isAnswer(coordinator) && coordinator.status === 201, 'coordinator created')
  const family = await post('/v1/families', 'setup-f', {
    externalRef: 'OMSTART-F',
    coordinatorId: isAnswer(coordinator) ? JSON.parse(coordinator.body).id : '',
    startedOn: daysAgo(60),
    members: [{ alias: 'Mor', role: 'adult', birthDate: BIRTH.adult() }],
  })
  if (!isAnswer(family) || family.status !== 201) throw new Error(`family not created: ${JSON.stringify(family)}`)
  const f = JSON.parse(family.body) as { id: string; members: { id: string }[] }
  const url = `/v1/families/${f.id}/sessions`
  const body = (i: number) => ({ heldOn: daysAgo(1 + (i % 50)), kind: 'office', ratings: [ors(f.members[0].id)] })

  // Keyed writes from 24 concurrent callers, each trying one new key after another.
  type Phase = 'before' | 'outage' | 'after'
  let phase: Phase = 'before'
  let stop = false
  const first = new Map<string, { i: number; phase: Phase; outcome: Outcome }>()
  let counter = 0
  const worker = async () => {
    while (!stop) {
      const i = ++counter
      const key = `restart-${i}`
      const sentIn = phase
      const outcome = await post(url, key, body(i))
      first.set(key, { i, phase: sentIn === phase ? phase : 'outage', outcome })
      if (!isAnswer(outcome) || outcome.status !== 201) await sleep(50)
    }
  }
  const workers = Array.from({ length: WORKERS }, worker)
  const acknowledged = () => [...first.values()].filter((v) => isAnswer(v.outcome) && v.outcome.status === 201).length
  await waitFor('24 acknowledged writes before the crash', () => acknowledged() >= WORKERS, 30_000)

  await cluster.crash()
  phase = 'outage'
  const crashedAt = Date.now()
  const outageAnswers = () => [...first.values()].filter((v) => v.phase === 'outage').length
  await waitFor('answers during the outage', () => outageAnswers() >= WORKERS, 15_000)
  t.equal(svc.child.exitCode, null, 'the process survived the connections dying mid-transaction')
  if (svc.child.exitCode !== null) throw new Error(`the service exited (${svc.child.exitCode}):\n${svc.output().slice(-3000)}`)

  // The probes of an operator and of a host page during the outage.
  const ready = await request(svc.base, 'GET', '/health/ready')
  t.ok(isUnavailableProblem(ready), `/health/ready is a 503 problem with Retry-After during the outage: ${show(ready)}`)
  const withOrigin = await post(url, 'outage-origin', body(0), { origin: 'https://ukjent.example' })
  t.ok(isUnavailableProblem(withOrigin), `a keyed write with an Origin header is a 503 problem: ${show(withOrigin)}`)
  t.notMatch(isAnswer(withOrigin) ? withOrigin.body : '', INTERNALS, 'and leaks nothing about the connection')
  const read = await request(svc.base, 'GET', '/v1/families', { headers: { ...auth, origin: 'https://vert.example' } })
  t.ok(isUnavailableProblem(read), `a read with a registered Origin is a 503 problem: ${show(read)}`)
  const anonymous = await request(svc.base, 'GET', '/v1/families', { headers: { origin: 'https://andre.example' } })
  t.ok(
    isAnswer(anonymous) && anonymous.status === 401 && /problem\+json/.test(String(anonymous.headers['content-type'])),
    `without a key it is still a 401 problem: ${show(anonymous)}`,
  )

  await cluster.start()
  phase = 'after'
  const outageSeconds = (Date.now() - crashedAt) / 1000
  stop = true
  await Promise.all(workers)
  first.delete('outage-origin')

  // Every first attempt is a 201 or a 503 problem without internals: never a 500, never a reset.
  const outcomes = [...first.values()]
  const odd = outcomes.filter((v) => !(isAnswer(v.outcome) && (v.outcome.status === 201 || isUnavailableProblem(v.outcome))))
  t.same(
    odd.slice(0, 5).map((v) => show(v.outcome)),
    [],
    'every answer is a 201 or a 503 problem',
  )
  t.notOk(
    outcomes.some((v) => isAnswer(v.outcome) && v.outcome.status === 503 && INTERNALS.test(v.outcome.body)),
    'no 503 leaks internals',
  )
  const unavailable = outcomes.filter((v) => isUnavailableProblem(v.outcome)).length
  t.ok(unavailable >= WORKERS, `writes during the outage were answered 503 (${unavailable})`)

  // The caller retries whatever was not acknowledged with the same key until it lands.
  const ids = new Map<string, string>()
  for (const [key, v] of first) if (isAnswer(v.outcome) && v.outcome.status === 201) ids.set(key, JSON.parse(v.outcome.body).id)
  const acked = ids.size
  let retries = 0
  let replays = 0
  const oddRetries: Outcome[] = []
  for (const [key, v] of first) {
    if (ids.has(key)) continue
    const until = Date.now() + 20_000
    for (;;) {
      if (svc.child.exitCode !== null) throw new Error(`the service exited (${svc.child.exitCode}):\n${svc.output().slice(-3000)}`)
      retries++
      const again = await post(url, key, body(v.i))
      if (isAnswer(again) && again.status === 201) {
        ids.set(key, JSON.parse(again.body).id)
        if (again.headers['idempotent-replayed'] === 'true') replays++
        break
      }
      if (!isUnavailableProblem(again)) oddRetries.push(again)
      if (Date.now() > until) throw new Error(`the retries of ${key} did not land: ${show(again)}`)
      await sleep(250)
    }
  }
  t.same(oddRetries.slice(0, 5).map(show), [], 'a retry is a 201 or, while the database comes back, a 503 problem')
  t.equal(
    ids.size,
    first.size,
    `every write landed (${acked} acknowledged at once, ${first.size - acked} after ${retries} retries, ${replays} of them replays)`,
  )

  const readyAgain = await waitFor(
    '/health/ready to answer 200 again',
    async () => {
      const r = await request(svc.base, 'GET', '/health/ready')
      return isAnswer(r) && r.status === 200 ? r : null
    },
    20_000,
    200,
  )
  t.equal(readyAgain.status, 200, '/health/ready is 200 again without a restart of the service')

  const pool = new pg.Pool({ connectionString: cluster.url, max: 1 })
  pool.on('error', () => {})
  t.teardown(() => pool.end())
  const { rows } = await pool.query<{ session_id: string }>('SELECT session_id FROM sessions WHERE municipality_id = $1 AND family_id = $2', [
    m.municipalityId,
    f.id,
  ])
  const stored = new Set(rows.map((r) => r.session_id))
  t.equal(rows.length, first.size, `one stored session per key (${rows.length} stored for ${first.size} keys): no duplicates, none lost`)
  t.equal(new Set(ids.values()).size, first.size, 'each key answered with a session of its own')
  t.ok(
    [...ids.values()].every((id) => stored.has(id)),
    'every acknowledged session is stored',
  )
  t.equal(svc.child.exitCode, null, 'the process is still alive')
  const lost = [...ids.values()].filter((id) => !stored.has(id)).length
  t.comment(
    `figures: ${first.size} keys, ${acked} acknowledged at once, ${unavailable} answered 503, ${retries} retries (${replays} replays), ${rows.length} stored, ${Math.max(0, rows.length - first.size)} duplicates, ${lost} lost, outage ${outageSeconds.toFixed(1)} s, process alive ${svc.child.exitCode === null}`,
  )
  t.notMatch(svc.output(), /uncaught|unhandled/i, 'nothing went unhandled')
})

t.test('a start while the database is down waits for it, saying so, and gives up after DB_START_TIMEOUT_SECONDS', async (t) => {
  const cluster = await withCluster(t, false)
  const svc = await service(t, cluster, { DB_START_TIMEOUT_SECONDS: '45' })
  await svc.waitForOutput(/waiting for the database/i, 20_000)
  await svc.waitForOutput(/waiting for the database[^\n]*\n[^\n]*waiting for the database/i, 20_000)
  t.equal(svc.child.exitCode, null, 'it waits instead of exiting')
  t.notMatch(svc.output(), /^\s+at /m, 'one line per attempt, no stack')
  await cluster.start()
  await svc.waitForOutput(/Framgang is running at/, 60_000)
  const ready = await request(svc.base, 'GET', '/health/ready')
  t.ok(isAnswer(ready) && ready.status === 200, `ready once the database is up: ${show(ready)}`)

  const impatient = await service(t, cluster, {
    DATABASE_URL: cluster.url.replace(`:${cluster.port}/`, `:${await freePort()}/`),
    DB_START_TIMEOUT_SECONDS: '2',
  })
  let timer: NodeJS.Timeout | undefined
  const code = await Promise.race([impatient.exited, new Promise<string>((resolve) => (timer = setTimeout(() => resolve('still running'), 30_000)))])
  clearTimeout(timer)
  t.not(code, 0, `a database that stays away ends the start non-zero (${code})`)
  t.not(code, 'still running', 'within its time')
  t.match(impatient.output(), /error: the database at 127\.0\.0\.1:\d+\/postgres was not reachable within 2 s/, 'with one clear line')
  t.notMatch(impatient.output(), /postgres:\/\//, 'never printing the connection string')
})
