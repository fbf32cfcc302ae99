/**
 * Benchmarks: `npm run bench`, at the size of a real municipality, each path beside a raw-SQL
 * ceiling measured in the same run (test/bench/ceiling.ts). Compare the ratios within one run:
 * absolute numbers depend on the machine (and on what else shares it).
 *
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run bench
 *
 * Environment:
 *   BENCH_DATABASE_URL   PostgreSQL server (a superuser: seeding bypasses row-level security) on
 *                        which a fresh database is created and dropped; else TEST_DATABASE_URL.
 *                        Embedded PGlite is not supported: a million ratings is a server's job.
 *   BENCH_FAMILIES       families to seed (default 5000: 167 coordinators, 250,000 sessions,
 *                        1,000,000 ratings; see seed.ts)
 *   BENCH_SECONDS        seconds per autocannon run (default 10)
 *   BENCH_CONNECTIONS    autocannon connections (default 8)
 *   BENCH_SCALE=1        also seed a second database of a tenth of the families, run progress,
 *                        caseload, the report and recompute-bands there, and print how each grows
 *   BENCH_REPORT_RUNS    timed sequential report requests after one warm-up (default 5)
 *   BENCH_KEEP=1         keep the databases (their URLs are printed) instead of dropping them
 *
 * For development use a small size, e.g.
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test BENCH_FAMILIES=200 BENCH_SECONDS=2 npm run bench
 *
 * The service and the ceiling each run in their own process (as in production), so the load
 * generator here does not compete with them for one event loop. Progress lines go to stderr, the
 * result tables to stdout.
 */
import autocannon from 'autocannon'
import { spawn, type ChildProcess } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { NO_LOAD_SHEDDING } from '../helpers/app.js'
import { freshDatabase, type TestDatabase } from '../helpers/database.js'
import { freePort } from '../helpers/ports.js'
import { seedMunicipality, type SeededMunicipality } from './seed.js'

const FAMILIES = Number(process.env.BENCH_FAMILIES ?? 5000)
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10)
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 8)
const SCALE = process.env.BENCH_SCALE === '1' || process.env.BENCH_SCALE === 'true'
const REPORT_RUNS = Number(process.env.BENCH_REPORT_RUNS ?? 5)
const KEEP = process.env.BENCH_KEEP === '1'
const POOL_SIZE = 8
/**
 * Sequential requests before each load run (at most this many, for at most WARM_UP_MS): they
 * warm the JIT and caches, and check the answer before autocannon hammers it.
 */
const WARM_UP_REQUESTS = 20
const WARM_UP_MS = 2000

const log = (message: string) => process.stderr.write(`${message}\n`)
/** Non-2xx answers must not drown in the progress lines. */
const shout = (message: string) => process.stderr.write(`\n!!!!!!!! ${message}\n\n`)
const ms = (n: number) => (n / 1000).toFixed(1)

// ---------------------------------------------------------------------------------------------
// Processes

interface Running {
  name: string
  address: string
  pid: number
  stop(): Promise<void>
}

/** Starts `node --import tsx <script>` and waits until it prints readyText on stdout. */
async function startProcess(name: string, script: string, env: Record<string, string>, readyText: string): Promise<Running> {
  const port = await freePort()
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', script], {
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  let exited = false
  child.once('exit', () => (exited = true))
  await new Promise<void>((resolve, reject) => {
    let seen = ''
    child.stdout!.on('data', (chunk: Buffer) => {
      seen += chunk.toString()
      if (seen.includes(readyText)) resolve()
    })
    child.once('exit', (code) => reject(new Error(`${name} exited (${code}) before it was ready`)))
  })
  child.once('exit', (code, signal) => {
    if (code !== 0 && signal !== 'SIGTERM') shout(`${name} (pid ${child.pid}) exited unexpectedly: code ${code}, signal ${signal}`)
  })
  return {
    name,
    address: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    async stop() {
      if (exited) return
      const gone = new Promise((r) => child.once('exit', r))
      child.kill('SIGTERM')
      await gone
    },
  }
}

function startService(database: TestDatabase, dataDir: string): Promise<Running> {
  return startProcess(
    'the service',
    'service/server.ts',
    {
      DATABASE_URL: database.connectionString,
      SEED_DEMO: 'false',
      LOG_LEVEL: 'warn',
      RATE_LIMIT_MAX: '1000000000',
      DB_POOL_SIZE: String(POOL_SIZE),
      DATA_DIR: dataDir,
      // The bench measures how far the service goes; shedding would cut the run short with 503s.
      ...NO_LOAD_SHEDDING,
    },
    'Framgang is running',
  )
}

function startCeiling(database: TestDatabase, m: SeededMunicipality): Promise<Running> {
  return startProcess(
    'the ceiling',
    'test/bench/ceiling.ts',
    { DATABASE_URL: database.connectionString, MUNICIPALITY_ID: m.municipalityId, API_CLIENT_ID: m.apiClientId, DB_POOL_SIZE: String(POOL_SIZE) },
    'ceiling listening',
  )
}

/** A process's resident set (VmRSS) in MB now; 0 once it has gone. */
function rssMb(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024
  } catch {
    return 0
  }
}

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ: 100 on Linux). */
const TICKS_PER_SECOND = 100

/** CPU time (user + system) a process has used, in ms; 0 once it has gone. */
function cpuMsOf(pid: number | string): number {
  try {
    // The fields after the command name, which is in parentheses and may hold spaces.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8')
      .replace(/^.*\) /s, '')
      .split(' ')
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND
  } catch {
    return 0
  }
}

/** CPU ms used so far by each PostgreSQL process on this machine (its backends included). */
function postgresCpu(): Map<string, number> {
  const byPid = new Map<string, number>()
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'postgres') byPid.set(pid, cpuMsOf(pid))
    } catch {
      // gone meanwhile
    }
  }
  return byPid
}

/**
 * CPU ms PostgreSQL used since `before`: by the processes alive now (a backend that exited
 * meanwhile, e.g. an idle pool connection closed, is not counted: a slight undercount).
 */
function postgresCpuSince(before: Map<string, number>): number {
  let total = 0
  for (const [pid, now] of postgresCpu()) total += now - (before.get(pid) ?? 0)
  return total
}

/** Samples a process's resident set every 100 ms; stop() answers the peak in MB. */
function sampleRss(pid: number) {
  let peak = rssMb(pid)
  const timer = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 100)
  return {
    stop(): number {
      clearInterval(timer)
      return Math.max(peak, rssMb(pid))
    },
  }
}

// ---------------------------------------------------------------------------------------------
// Requests

interface RequestSpec {
  method: 'GET' | 'POST'
  path: string
  headers?: Record<string, string>
  body?: string
}

/** Makes the n-th request of a scenario: a constant one, or one per family round-robin. */
type RequestMaker = (i: number) => RequestSpec

interface Failure {
  status: number | string
  body: string
}

interface LoadResult {
  rps: number
  p50: number
  p99: number
  /** Connection errors, timeouts and non-2xx answers, including the warm-up's. */
  failures: number
  firstFailure?: Failure
  /** CPU ms per request of the loaded process and of PostgreSQL (all its processes). */
  nodeCpuMs: number
  postgresCpuMs: number
}

const describe = (f: Failure) => `${f.status}: ${f.body.slice(0, 2000)}`

/** One request with fetch; a non-2xx answer or a network error is a Failure. */
async function once(base: string, spec: RequestSpec): Promise<{ ok: true; body: string } | { ok: false; failure: Failure }> {
  try {
    // Fastify refuses an empty body declared as JSON, so the type goes with a body only.
    const headers = { ...(spec.body !== undefined && { 'content-type': 'application/json' }), ...spec.headers }
    const res = await fetch(`${base}${spec.path}`, { method: spec.method, headers, body: spec.body })
    const body = await res.text()
    return res.ok ? { ok: true, body } : { ok: false, failure: { status: res.status, body } }
  } catch (err) {
    return { ok: false, failure: { status: 'network error', body: (err as Error).message } }
  }
}

/**
 * Warms up with a few sequential requests, then loads the target with autocannon for SECONDS.
 * The first non-2xx answer (status and body) is kept and shouted.
 */
async function load(label: string, target: Running, make: RequestMaker): Promise<LoadResult> {
  const base = target.address
  let counter = 0
  let failures = 0
  let firstFailure: Failure | undefined
  const fail = (f: Failure) => {
    failures++
    if (!firstFailure) {
      firstFailure = f
      shout(`${label}: non-2xx answer ${describe(f)}`)
    }
  }
  const warmUpEnds = performance.now() + WARM_UP_MS
  for (let i = 0; i < WARM_UP_REQUESTS && (i === 0 || performance.now() < warmUpEnds); i++) {
    const r = await once(base, make(counter++))
    if (!r.ok) fail(r.failure)
  }
  log(`  ${label} (${SECONDS} s, ${CONNECTIONS} connections)…`)
  const first = make(0)
  const cpuBefore = { node: cpuMsOf(target.pid), postgres: postgresCpu() }
  const r = await autocannon({
    // The first request's URL; setupRequest sets each request's own path, method and body.
    url: `${base}${first.path}`,
    connections: CONNECTIONS,
    duration: SECONDS,
    requests: [
      {
        setupRequest: (req) => {
          const spec = make(counter++)
          const headers = { ...req.headers, ...(spec.body !== undefined && { 'content-type': 'application/json' }), ...spec.headers }
          return { ...req, method: spec.method, path: spec.path, body: spec.body, headers }
        },
        onResponse: (status: number, body: string) => {
          if (status >= 300 && !firstFailure) {
            firstFailure = { status, body }
            shout(`${label}: non-2xx answer ${describe(firstFailure)}`)
          }
        },
      },
    ],
    method: first.method,
  })
  const nodeCpuMs = (cpuMsOf(target.pid) - cpuBefore.node) / r.requests.total
  const pgCpuMs = postgresCpuSince(cpuBefore.postgres) / r.requests.total
  if (r.errors > 0 && !firstFailure) firstFailure = { status: 'connection errors', body: `${r.errors} errors, ${r.timeouts} timeouts` }
  return {
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    failures: failures + r.errors + r.non2xx,
    firstFailure,
    nodeCpuMs,
    postgresCpuMs: pgCpuMs,
  }
}

/** Sequential timings of one request: one warm-up, then `runs` timed. */
async function timeSequential(label: string, base: string, spec: RequestSpec, runs: number) {
  const failures: Failure[] = []
  const timeOne = async () => {
    const t0 = performance.now()
    const r = await once(base, spec)
    const took = performance.now() - t0
    if (!r.ok) {
      if (failures.length === 0) shout(`${label}: non-2xx answer ${describe(r.failure)}`)
      failures.push(r.failure)
    }
    return took
  }
  const cold = await timeOne()
  const times: number[] = []
  for (let i = 0; i < runs; i++) times.push(await timeOne())
  const sorted = [...times].sort((a, b) => a - b)
  return { cold, median: sorted[Math.floor(sorted.length / 2)], max: sorted[sorted.length - 1], failures: failures.length, firstFailure: failures[0] }
}

/** An ISO date n days before today (UTC; the service's Europe/Oslo today is the same or later). */
function daysAgo(n: number): string {
  const d = new Date()
  d.setUTCDate(d.getUTCDate() - n)
  return d.toISOString().slice(0, 10)
}

// ---------------------------------------------------------------------------------------------
// One database's measurements

interface RecomputeResult {
  ms: number
  failure?: Failure
  counts?: string
}

async function recomputeBands(service: Running, auth: Record<string, string>): Promise<RecomputeResult> {
  log('  recompute-bands…')
  const t0 = performance.now()
  const r = await once(service.address, { method: 'POST', path: '/v1/expected-bands/recompute', headers: auth })
  const took = performance.now() - t0
  log(`  recompute-bands: ${ms(took)} s`)
  if (!r.ok) {
    shout(`recompute-bands: non-2xx answer ${describe(r.failure)}`)
    return { ms: took, failure: r.failure }
  }
  return { ms: took, counts: r.body }
}

interface ReportResult {
  /** The service's RSS just before the first report request. */
  rssBeforeMb: number
  cold: number
  median: number
  max: number
  peakRssMb: number
  failures: number
  firstFailure?: Failure
}

async function outcomeReport(service: Running, auth: Record<string, string>): Promise<ReportResult> {
  log(`  GET /v1/reports/outcomes (1 warm-up + ${REPORT_RUNS} sequential)…`)
  const rssBeforeMb = rssMb(service.pid)
  const rss = sampleRss(service.pid)
  const t = await timeSequential('GET /v1/reports/outcomes', service.address, { method: 'GET', path: '/v1/reports/outcomes', headers: auth }, REPORT_RUNS)
  return { ...t, rssBeforeMb, peakRssMb: rss.stop() }
}

const progressRequest = (m: SeededMunicipality, auth: Record<string, string>): RequestMaker => {
  const path = `/v1/families/${m.families[0].familyId}/progress`
  return () => ({ method: 'GET', path, headers: auth })
}

const caseloadRequest = (m: SeededMunicipality, auth: Record<string, string>): RequestMaker => {
  const path = `/v1/caseload?coordinatorId=${m.coordinatorIds[0]}`
  return () => ({ method: 'GET', path, headers: auth })
}

/**
 * A session with four self-ratings (points), in a family chosen round-robin from `families`, so
 * writes do not queue on one family's row lock. The date is 1–30 days ago: after every family's
 * start (about five years ago), and the child is 6–12 on it, so CORS/CSRS fit.
 */
function sessionBody(f: SeededMunicipality['families'][number], i: number): string {
  const wobble = (i * 7) % 40
  return JSON.stringify({
    heldOn: daysAgo(1 + (i % 30)),
    kind: 'home-visit',
    ratings: [
      { memberId: f.adultId, instrument: 'ORS', rater: 'self', total: 15 + wobble / 2 },
      { memberId: f.adultId, instrument: 'SRS', rater: 'self', total: 32 + (wobble % 9) },
      { memberId: f.childId, instrument: 'CORS', rater: 'self', total: 18 + wobble / 2 },
      { memberId: f.childId, instrument: 'CSRS', rater: 'self', total: 33 + (wobble % 8) },
    ],
  })
}

const writeRequest =
  (families: SeededMunicipality['families'], pathOf: (familyId: string) => string, auth: Record<string, string>): RequestMaker =>
  (i) => {
    const f = families[i % families.length]
    return { method: 'POST', path: pathOf(f.familyId), headers: { ...auth, 'idempotency-key': randomUUID() }, body: sessionBody(f, i) }
  }

interface MainResults {
  recompute: RecomputeResult
  progress: LoadResult
  progressCeiling: LoadResult
  /** Ceiling (a) plus the audit event of the read. */
  progressAuditedCeiling: LoadResult
  caseload: LoadResult
  caseloadCeiling: LoadResult
  report: ReportResult
  write: LoadResult
  writeCeiling: LoadResult
  /** Ceiling (c) plus the family lock, reads and state upsert a write with stored state needs. */
  writeStateCeiling: LoadResult
  /** The service's RSS once started, before any request, and its peak over the whole run. */
  startRssMb: number
  peakRssMb: number
}

async function measureMain(database: TestDatabase, m: SeededMunicipality, dataDir: string): Promise<MainResults> {
  const service = await startService(database, dataDir)
  const ceiling = await startCeiling(database, m)
  const startRssMb = rssMb(service.pid)
  const overall = sampleRss(service.pid)
  try {
    const auth = { authorization: `Bearer ${m.apiKey}` }
    const recompute = await recomputeBands(service, auth)
    const progress = await load('service GET /v1/families/{id}/progress', service, progressRequest(m, auth))
    const progressCeiling = await load('ceiling GET /family/:id', ceiling, () => ({ method: 'GET', path: `/family/${m.families[0].familyId}` }))
    const progressAuditedCeiling = await load('ceiling GET /family/:id/audited', ceiling, () => ({
      method: 'GET',
      path: `/family/${m.families[0].familyId}/audited`,
    }))
    const caseload = await load('service GET /v1/caseload', service, caseloadRequest(m, auth))
    const caseloadCeiling = await load('ceiling GET /coordinator/:id', ceiling, () => ({ method: 'GET', path: `/coordinator/${m.coordinatorIds[0]}` }))
    // Before the writes, so the report reads the seeded data only (as in the scale run).
    const report = await outcomeReport(service, auth)
    // Writes go to families outside the first coordinator's caseload, the service's and the
    // ceiling's to different halves, so neither waits for the other's rows.
    const writable = m.families.slice(Math.min(30, m.families.length - 2))
    const half = Math.ceil(writable.length / 2)
    const serviceFamilies = writable.slice(0, half)
    const ceilingFamilies = writable.slice(half)
    const write = await load(
      'service POST /v1/families/{id}/sessions',
      service,
      writeRequest(serviceFamilies, (id) => `/v1/families/${id}/sessions`, auth),
    )
    const writeCeiling = await load(
      'ceiling POST /family/:id/sessions',
      ceiling,
      writeRequest(ceilingFamilies, (id) => `/family/${id}/sessions`, {}),
    )
    const writeStateCeiling = await load(
      'ceiling POST /family/:id/sessions-with-state',
      ceiling,
      writeRequest(ceilingFamilies, (id) => `/family/${id}/sessions-with-state`, {}),
    )
    return {
      recompute,
      progress,
      progressCeiling,
      progressAuditedCeiling,
      caseload,
      caseloadCeiling,
      report,
      write,
      writeCeiling,
      writeStateCeiling,
      startRssMb,
      peakRssMb: overall.stop(),
    }
  } finally {
    overall.stop()
    await Promise.all([service.stop(), ceiling.stop()])
  }
}

interface ScaleResults {
  recompute: RecomputeResult
  progress: LoadResult
  caseload: LoadResult
  report: ReportResult
}

async function measureScale(database: TestDatabase, m: SeededMunicipality, dataDir: string): Promise<ScaleResults> {
  const service = await startService(database, dataDir)
  try {
    const auth = { authorization: `Bearer ${m.apiKey}` }
    const recompute = await recomputeBands(service, auth)
    const progress = await load('service GET /v1/families/{id}/progress (small)', service, progressRequest(m, auth))
    const caseload = await load('service GET /v1/caseload (small)', service, caseloadRequest(m, auth))
    const report = await outcomeReport(service, auth)
    return { recompute, progress, caseload, report }
  } finally {
    await service.stop()
  }
}

// ---------------------------------------------------------------------------------------------
// Printing

const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : '–')
const failuresCell = (n: number, f?: Failure) => (n === 0 ? '0' : `**${n}** (first: ${f?.status})`)
const verdict = (ok: boolean) => (ok ? 'met' : '**missed**')

function printMain(r: MainResults, families: number, seed: SeededMunicipality) {
  const ratio = (s: LoadResult, c: LoadResult) => s.rps / c.rps
  const rows: string[][] = []
  const loadRow = (name: string, s: LoadResult, c: LoadResult, goal: string, ok: boolean) => {
    rows.push([
      name,
      fmt(s.rps),
      fmt(s.p50),
      fmt(s.p99),
      failuresCell(s.failures + c.failures, s.firstFailure ?? c.firstFailure),
      fmt(c.rps),
      fmt(ratio(s, c), 2),
      goal,
      verdict(ok && s.failures === 0),
    ])
  }
  const pr = ratio(r.progress, r.progressCeiling)
  loadRow('progress of one family (4 series × 50 sessions) vs ceiling (a)', r.progress, r.progressCeiling, '≥ 0.6×', pr >= 0.6)
  rows.push([
    'the same progress vs ceiling (a) + the audit event of the read',
    fmt(r.progress.rps),
    fmt(r.progress.p50),
    fmt(r.progress.p99),
    failuresCell(r.progressAuditedCeiling.failures, r.progressAuditedCeiling.firstFailure),
    fmt(r.progressAuditedCeiling.rps),
    fmt(ratio(r.progress, r.progressAuditedCeiling), 2),
    'for comparison',
    '–',
  ])
  const cr = ratio(r.caseload, r.caseloadCeiling)
  loadRow('caseload of one coordinator (30 families) vs ceiling (b)', r.caseload, r.caseloadCeiling, '≥ 1.0×, p99 ≤ 60 ms', cr >= 1.0 && r.caseload.p99 <= 60)
  const wr = ratio(r.write, r.writeCeiling)
  loadRow('POST session with 4 ratings, families round-robin vs ceiling (c)', r.write, r.writeCeiling, '≥ 0.5×, p99 ≤ 60 ms', wr >= 0.5 && r.write.p99 <= 60)
  rows.push([
    'the same POST vs ceiling (c) + family lock, members, ratings read and state upsert',
    fmt(r.write.rps),
    fmt(r.write.p50),
    fmt(r.write.p99),
    failuresCell(r.writeStateCeiling.failures, r.writeStateCeiling.firstFailure),
    fmt(r.writeStateCeiling.rps),
    fmt(ratio(r.write, r.writeStateCeiling), 2),
    'for comparison',
    '–',
  ])
  const rep = r.report
  rows.push([
    `outcome report, ${families} families: median / max of ${REPORT_RUNS} warm (cold ${fmt(rep.cold)} ms); peak RSS ${fmt(rep.peakRssMb)} MB`,
    '–',
    fmt(rep.median),
    fmt(rep.max),
    failuresCell(rep.failures, rep.firstFailure),
    '–',
    '–',
    '≤ 1500 ms warm, RSS < 300 MB',
    verdict(rep.failures === 0 && rep.median <= 1500 && rep.peakRssMb < 300),
  ])
  rows.push([
    'recompute-bands (one POST)',
    '–',
    fmt(r.recompute.ms),
    '–',
    failuresCell(r.recompute.failure ? 1 : 0, r.recompute.failure),
    '–',
    '–',
    'time it',
    r.recompute.failure ? '**failed**' : '–',
  ])

  const c = seed.counts
  console.log(
    `\nFramgang benchmark — PostgreSQL server, ${families} families (${c.coordinators} coordinators, ${c.sessions} sessions, ${c.ratings} ratings), ` +
      `${CONNECTIONS} connections, ${SECONDS} s per run, pools of ${POOL_SIZE}, node ${process.version}\n`,
  )
  console.log('| scenario | req/s | p50 ms | p99 ms | errors/non-2xx | ceiling req/s | ratio | goal | |')
  console.log('|---|---:|---:|---:|---:|---:|---:|---|---|')
  for (const row of rows) console.log(`| ${row.join(' | ')} |`)
  console.log(
    `\nThe errors column counts the service's and the ceiling's together. Report row: p50 = median, p99 = max. ` +
      `Service RSS: ${fmt(r.startRssMb)} MB after start-up, ${fmt(rep.rssBeforeMb)} MB before the report, peak ${fmt(r.peakRssMb)} MB over the whole run. ` +
      `Seeding took ${ms(seed.timings.total)} s.`,
  )
  console.log(
    `Ceilings: p50/p99 ms — (a) ${fmt(r.progressCeiling.p50)}/${fmt(r.progressCeiling.p99)}, (a) + audit ${fmt(r.progressAuditedCeiling.p50)}/${fmt(r.progressAuditedCeiling.p99)}, (b) ${fmt(r.caseloadCeiling.p50)}/${fmt(r.caseloadCeiling.p99)}, (c) ${fmt(r.writeCeiling.p50)}/${fmt(r.writeCeiling.p99)}, (c) + state ${fmt(r.writeStateCeiling.p50)}/${fmt(r.writeStateCeiling.p99)}`,
  )
  if (r.recompute.counts) console.log(`recompute-bands answered ${r.recompute.counts}`)

  // Where the cores went: service, database, ceiling and load generator share them, so a path's
  // throughput follows the CPU it costs per request on both sides.
  const cpuRow = (name: string, s: LoadResult, c: LoadResult) =>
    `| ${name} | ${fmt(s.nodeCpuMs, 2)} | ${fmt(s.postgresCpuMs, 2)} | ${fmt(c.nodeCpuMs, 2)} | ${fmt(c.postgresCpuMs, 2)} |`
  console.log('\nCPU ms per request under load (the loaded process; all PostgreSQL processes)\n')
  console.log('| scenario | service | PostgreSQL | ceiling | PostgreSQL |\n|---|---:|---:|---:|---:|')
  console.log(cpuRow('progress vs (a)', r.progress, r.progressCeiling))
  console.log(cpuRow('progress vs (a) + audit', r.progress, r.progressAuditedCeiling))
  console.log(cpuRow('caseload vs (b)', r.caseload, r.caseloadCeiling))
  console.log(cpuRow('POST vs (c)', r.write, r.writeCeiling))
  console.log(cpuRow('POST vs (c) + state', r.write, r.writeStateCeiling))
}

function printScale(big: MainResults, small: ScaleResults, bigFamilies: number, smallFamilies: number) {
  const growth = bigFamilies / smallFamilies
  // Time per request at the big size over the small one: >1 means it got slower with size.
  const loadRow = (name: string, b: LoadResult, s: LoadResult) => {
    const slower = s.rps / b.rps
    return `| ${name} | ${fmt(s.rps)} | ${fmt(b.rps)} | ${fmt(s.p50)} / ${fmt(b.p50)} | ${fmt(slower, 2)}× | ≤ 1.25× | ${verdict(slower <= 1.25 && b.failures + s.failures === 0)} |`
  }
  const timeRow = (name: string, bMs: number, sMs: number, failed: boolean) => {
    const grew = bMs / sMs
    return `| ${name} | – | – | ${fmt(sMs)} / ${fmt(bMs)} | ${fmt(grew, 2)}× | ≤ ${fmt(growth, 1)}× (linear) | ${verdict(!failed && grew <= growth)} |`
  }
  console.log(`\nScale check — ${bigFamilies} vs ${smallFamilies} families (${fmt(growth, 1)}× the data), the same 30-family caseload and 50-session family\n`)
  console.log(
    `| scenario | req/s ${smallFamilies} | req/s ${bigFamilies} | p50 or time ms, ${smallFamilies} / ${bigFamilies} | ${bigFamilies} vs ${smallFamilies} | goal | |`,
  )
  console.log('|---|---:|---:|---:|---:|---|---|')
  console.log(loadRow('progress of one family', big.progress, small.progress))
  console.log(loadRow('caseload of one coordinator', big.caseload, small.caseload))
  console.log(timeRow('outcome report (median warm)', big.report.median, small.report.median, big.report.failures + small.report.failures > 0))
  console.log(timeRow('recompute-bands', big.recompute.ms, small.recompute.ms, Boolean(big.recompute.failure || small.recompute.failure)))
  console.log(`\nPeak service RSS during the report: ${fmt(small.report.peakRssMb)} MB at ${smallFamilies}, ${fmt(big.report.peakRssMb)} MB at ${bigFamilies}.`)
}

function printFailures(named: [string, { failures: number; firstFailure?: Failure } | undefined][]) {
  const failed = named.filter(([, r]) => r && r.failures > 0)
  if (failed.length === 0) return
  console.log('\n**Non-2xx answers or errors** (first body of each scenario):\n')
  for (const [name, r] of failed) console.log(`- ${name}: ${r!.failures} — ${r!.firstFailure ? describe(r!.firstFailure).replace(/\s+/g, ' ') : 'no body'}`)
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const serverUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL
  if (!serverUrl) throw new Error('Set BENCH_DATABASE_URL (or TEST_DATABASE_URL) to a PostgreSQL server, e.g. postgres://postgres@127.0.0.1:5432/test')
  // freshDatabase() reads TEST_DATABASE_URL.
  process.env.TEST_DATABASE_URL = serverUrl
  if (!Number.isInteger(FAMILIES) || FAMILIES < 10) throw new Error(`BENCH_FAMILIES must be an integer ≥ 10, got ${process.env.BENCH_FAMILIES}`)
  const smallFamilies = Math.max(1, Math.round(FAMILIES / 10))
  if (SCALE && smallFamilies < 30) throw new Error(`BENCH_SCALE needs BENCH_FAMILIES ≥ 300, so the small database still holds a full 30-family caseload`)

  const databases: TestDatabase[] = []
  const dataDir = `/tmp/framgang-bench-${process.pid}`
  try {
    const main = await freshDatabase()
    databases.push(main)
    log(`seeding ${FAMILIES} families…`)
    const seed = await seedMunicipality(main.connectionString, { families: FAMILIES })
    log(`seeded ${FAMILIES} families in ${ms(seed.timings.total)} s: ${JSON.stringify(seed.counts)}`)
    // Both databases are seeded before anything is measured, so seeding never competes with load.
    let small: { database: TestDatabase; seed: SeededMunicipality } | undefined
    if (SCALE) {
      const database = await freshDatabase()
      databases.push(database)
      log(`seeding the scale-check database: ${smallFamilies} families…`)
      small = { database, seed: await seedMunicipality(database.connectionString, { families: smallFamilies }) }
      log(`seeded ${smallFamilies} families in ${ms(small.seed.timings.total)} s`)
    }
    if (KEEP) for (const d of databases) log(`keeping ${d.connectionString}`)

    log(`measuring at ${FAMILIES} families…`)
    const big = await measureMain(main, seed, dataDir)
    let scale: ScaleResults | undefined
    if (small) {
      log(`measuring at ${smallFamilies} families…`)
      scale = await measureScale(small.database, small.seed, dataDir)
    }

    printMain(big, FAMILIES, seed)
    if (scale) printScale(big, scale, FAMILIES, smallFamilies)
    printFailures([
      ['recompute-bands', big.recompute.failure && { failures: 1, firstFailure: big.recompute.failure }],
      ['progress (service)', big.progress],
      ['progress (ceiling a)', big.progressCeiling],
      ['progress (ceiling a + audit)', big.progressAuditedCeiling],
      ['caseload (service)', big.caseload],
      ['caseload (ceiling b)', big.caseloadCeiling],
      ['report', big.report],
      ['POST session (service)', big.write],
      ['POST session (ceiling c)', big.writeCeiling],
      ['POST session (ceiling c + state)', big.writeStateCeiling],
      ['recompute-bands (small)', scale?.recompute.failure && { failures: 1, firstFailure: scale.recompute.failure }],
      ['progress (small)', scale?.progress],
      ['caseload (small)', scale?.caseload],
      ['report (small)', scale?.report],
    ])
  } finally {
    if (!KEEP) await Promise.all(databases.map((d) => d.close().catch((err: Error) => log(`could not drop a database: ${err.message}`))))
    await rm(dataDir, { recursive: true, force: true })
  }
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
