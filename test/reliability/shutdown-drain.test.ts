import http from 'node:http'
import net from 'node:net'
import t from 'tap'
import { createMunicipality } from '../../service/cli/municipalities.js'
import { createDb } from '../../service/db/kysely.js'
import { pg } from '../../service/db/pg-types.js'
import { daysAgo } from '../helpers/app.js'
import { BIRTH, ors } from '../helpers/fixtures.js'
import { isAnswer, isUnavailableProblem, request, show, startService, throwawayCluster, waitFor, type Answer, type Outcome } from './harness.js'

// SIGTERM while writes are in flight on kept-alive sockets. The writes are held in flight by a
// table lock the test takes, so "in flight" is a fact, not a matter of timing. Every wait is bounded.
t.setTimeout(120_000)

const IN_FLIGHT = 50
const FAMILIES = 5

/** The HTTP/1.1 answers on one raw socket, in order (bodies by Content-Length). */
function parseAnswers(raw: string): Answer[] {
  const out: Answer[] = []
  let rest = raw
  while (rest.length > 0) {
    const end = rest.indexOf('\r\n\r\n')
    if (end < 0) break
    const [statusLine, ...lines] = rest.slice(0, end).split('\r\n')
    const headers: http.IncomingHttpHeaders = {}
    for (const line of lines) {
      const i = line.indexOf(':')
      headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim()
    }
    const length = Number(headers['content-length'] ?? 0)
    const bodyStart = end + 4
    out.push({ status: Number(statusLine.split(' ')[1]), headers, body: rest.slice(bodyStart, bodyStart + length) })
    rest = rest.slice(bodyStart + length)
  }
  return out
}

t.test('SIGTERM drains: idle sockets close at once, writes in flight finish, late arrivals get a 503 problem, exit 0', async (t) => {
  const cluster = await throwawayCluster()
  t.teardown(() => cluster.destroy())
  await cluster.start()
  const svc = await startService({ DATABASE_URL: cluster.url, DATA_DIR: `/tmp/framgang-reliability-${process.pid}`, LOG_LEVEL: 'info' })
  t.teardown(() => svc.kill())
  await svc.waitForOutput(/Framgang is running at/, 60_000)

  const setupPool = new pg.Pool({ connectionString: cluster.url, max: 2 })
  setupPool.on('error', () => {})
  t.teardown(() => setupPool.end())
  const m = await createMunicipality(createDb(setupPool), { name: 'Avslutt kommune' })
  const auth = { authorization: `Bearer ${m.apiKey}` }
  const busy = new http.Agent({ keepAlive: true, maxSockets: IN_FLIGHT })
  const idle = new http.Agent({ keepAlive: true })
  t.teardown(() => (busy.destroy(), idle.destroy()))
  let keys = 0
  const post = (url: string, body: unknown, key = `drain-${++keys}`) =>
    request(svc.base, 'POST', url, { agent: busy, headers: { ...auth, 'idempotency-key': key }, body, timeoutMs: 30_000 })
  const coordinator = await post('/v1/coordinators', { externalRef: 'AVSLUTT-C', displayName: 'Kari Koordinator' })
  if (!isAnswer(coordinator) || coordinator.status !== 201) throw new Error(`coordinator not created: ${show(coordinator)}`)
  const families: { id: string; memberId: string }[] = []
  for (let i = 0; i < FAMILIES; i++) {
    const res = await post('/v1/families', {
      externalRef: `AVSLUTT-F${i}`,
      coordinatorId: JSON.parse(coordinator.body).id,
      startedOn: daysAgo(60),
      members: [{ alias: 'Mor', role: 'adult', birthDate: BIRTH.adult() }],
    })
    if (!isAnswer(res) || res.status !== 201) throw new Error(`family not created: ${show(res)}`)
    const f = JSON.parse(res.body)
    families.push({ id: f.id, memberId: f.members[0].id })
  }
  const sessionBody = (i: number) => ({ heldOn: daysAgo(1 + (i % 40)), kind: 'office', ratings: [ors(families[i % FAMILIES].memberId)] })
  const sessionsUrl = (i: number) => `/v1/families/${families[i % FAMILIES].id}/sessions`

  // Kept-alive sockets that sit idle when the signal comes, as a host system's pool leaves them.
  await Promise.all(Array.from({ length: 4 }, () => request(svc.base, 'GET', '/health/live', { agent: idle })))
  const idleSockets = Object.values(idle.freeSockets)
    .flat()
    .filter((s): s is net.Socket => s !== undefined)
  t.equal(idleSockets.length, 4, 'four kept-alive sockets are idle')
  let idleClosed = 0
  for (const s of idleSockets) s.once('close', () => idleClosed++)

  // The writes are held in flight: a session insert waits for this lock.
  const locker = new pg.Client({ connectionString: cluster.url })
  locker.on('error', () => {})
  await locker.connect()
  t.teardown(() => locker.end().catch(() => {}))
  await locker.query('BEGIN')
  await locker.query('LOCK TABLE sessions IN EXCLUSIVE MODE')

  const received = () => (svc.output().match(/"msg":"incoming request"[^\n]*\/sessions|\/sessions[^\n]*"msg":"incoming request"/g) ?? []).length
  const before = received()
  const inFlight: Promise<Outcome>[] = Array.from({ length: IN_FLIGHT }, (_, i) => post(sessionsUrl(i), sessionBody(i)))

  // One more write on a raw kept-alive socket, to pipeline a request behind it after the signal.
  const raw = net.connect(svc.port, '127.0.0.1')
  let rawData = ''
  let rawError: string | null = null
  raw.setEncoding('utf8')
  raw.on('data', (chunk: string) => (rawData += chunk))
  raw.on('error', (err: NodeJS.ErrnoException) => (rawError = err.code ?? err.message))
  const rawClosed = new Promise<void>((resolve) => raw.once('close', () => resolve()))
  const rawRequest = (i: number, key: string) => {
    const body = JSON.stringify(sessionBody(i))
    return `POST ${sessionsUrl(i)} HTTP/1.1\r\nHost: 127.0.0.1:${svc.port}\r\nAuthorization: ${auth.authorization}\r\nIdempotency-Key: ${key}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
  }
  await new Promise<void>((resolve) => raw.once('connect', () => resolve()))
  raw.write(rawRequest(0, 'drain-raw-first'))

  await waitFor(
    'every write to be received and waiting on the lock',
    async () => {
      const waiting = await setupPool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND application_name = 'framgang'`,
      )
      return received() - before >= IN_FLIGHT + 1 && waiting.rows[0].n > 0
    },
    20_000,
  )

  const signalledAt = Date.now()
  svc.child.kill('SIGTERM')
  await svc.waitForOutput(/Shutting down \(SIGTERM\)/, 5_000)
  raw.write(rawRequest(1, 'drain-raw-pipelined'))

  // While the writes are still held: no new connections, and the idle sockets are gone.
  await waitFor(
    'the listener to refuse connections',
    () =>
      new Promise<boolean>((resolve) => {
        const probe = net.connect(svc.port, '127.0.0.1')
        probe.once('connect', () => (probe.destroy(), resolve(false)))
        probe.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED'))
      }),
    5_000,
    50,
  )
  await waitFor('the idle kept-alive sockets to be closed', () => idleClosed === idleSockets.length, 5_000, 50)
  // Read by the server: routed, or turned away by Fastify's own closing check.
  await waitFor(
    'the pipelined request to be read',
    () => received() - before >= IN_FLIGHT + 2 || /refusing to accept new requests/.test(svc.output()),
    5_000,
    50,
  )
  t.equal(svc.child.exitCode, null, 'the process waits for the writes in flight')

  await locker.query('COMMIT')
  let timer: NodeJS.Timeout | undefined
  const code = await Promise.race([svc.exited, new Promise<string>((resolve) => (timer = setTimeout(() => resolve('still running after 20 s'), 20_000)))])
  clearTimeout(timer)
  const seconds = (Date.now() - signalledAt) / 1000
  const outcomes = await Promise.all(inFlight)
  await rawClosed

  t.equal(code, 0, `it exits 0, within the grace period (${seconds.toFixed(1)} s)`)
  t.match(svc.output(), /Framgang stopped after [\d.]+ s/, 'and says so')
  t.notMatch(svc.output(), /killed by timeout/, 'nothing was killed')

  const created = outcomes.filter((o) => isAnswer(o) && o.status === 201)
  const unavailable = outcomes.filter(isUnavailableProblem)
  const resets = outcomes.filter((o) => !isAnswer(o))
  t.same(
    [...outcomes.filter((o) => !created.includes(o) && !unavailable.includes(o))].map(show),
    [],
    'every write in flight got a 201 or a 503 problem, none a reset',
  )
  t.equal(created.length, IN_FLIGHT, 'writes already being processed were finished')
  t.ok(
    created.every((o) => isAnswer(o) && o.headers.connection === 'close'),
    'their answers told the client to close the socket',
  )

  const [first, pipelined, ...more] = parseAnswers(rawData)
  t.equal(rawError, null, 'the raw socket was not reset')
  t.equal(first?.status, 201, 'the write in flight on the raw socket finished')
  t.ok(pipelined && isUnavailableProblem(pipelined), `the request that arrived while draining got a 503 problem: ${pipelined ? show(pipelined) : 'nothing'}`)
  t.equal(pipelined?.headers.connection, 'close', 'with Connection: close')
  t.same(more, [], 'and nothing after it')

  const { rows } = await setupPool.query<{ n: number }>('SELECT count(*)::int AS n FROM sessions WHERE municipality_id = $1', [m.municipalityId])
  t.equal(rows[0].n, IN_FLIGHT + 1, 'every acknowledged write is stored, the refused one is not')
  t.comment(
    `figures: ${IN_FLIGHT + 1} writes in flight, ${created.length + (first?.status === 201 ? 1 : 0)} completed, ${unavailable.length + (pipelined && isUnavailableProblem(pipelined) ? 1 : 0)} answered 503, ${resets.length} resets, exit code ${code}, ${seconds.toFixed(1)} s from SIGTERM to exit (grace 10 s)`,
  )
})
