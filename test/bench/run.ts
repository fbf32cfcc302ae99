/**
 * Benchmarks: `npm run bench`. Starts the real service on 127.0.0.1 against a fresh database
 * (a new database on BENCH_DATABASE_URL / TEST_DATABASE_URL's server, else embedded PGlite),
 * seeds a municipality, and loads it with autocannon, bounded in time and connections.
 * Compare the ratios within one run: absolute numbers depend on the machine.
 */
import autocannon from 'autocannon'
import { randomUUID } from 'node:crypto'
import { spawn } from 'node:child_process'
import { createServer } from 'node:net'
import { createMunicipality } from '../../service/cli/municipalities.js'
import { seedDemo } from '../../service/cli/demo-data.js'
import { createDb } from '../../service/db/kysely.js'
import { pg } from '../../service/db/pg-types.js'
import { freshDatabase } from '../helpers/database.js'
import { seedCaseload } from './seed.js'

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8)
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 8)

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number }
      s.close(() => resolve(port))
    })
  })
}

function daysAgo(n: number) {
  const d = new Date()
  d.setUTCDate(d.getUTCDate() - n)
  return d.toISOString().slice(0, 10)
}

async function main() {
  const serverUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL
  if (process.env.BENCH_DATABASE_URL) process.env.TEST_DATABASE_URL = process.env.BENCH_DATABASE_URL
  const database = await freshDatabase()
  const pool = new pg.Pool({ connectionString: database.connectionString, max: 4 })
  const db = createDb(pool)
  const m = await createMunicipality(db, { name: 'Bench kommune' })
  process.stderr.write('seeding…\n')
  await seedDemo(db, m.municipalityId)
  const small = await seedCaseload(db, m.municipalityId, 'C10', 10)
  const large = await seedCaseload(db, m.municipalityId, 'C100', 100)
  // The service runs in its own process, as in production, so the load generator here does not
  // compete with it for one event loop.
  const port = await freePort()
  const server = spawn(process.execPath, ['--import', 'tsx', 'service/server.ts'], {
    env: { ...process.env, DATABASE_URL: database.connectionString, PORT: String(port), HOST: '127.0.0.1', SEED_DEMO: 'false', LOG_LEVEL: 'warn', RATE_LIMIT_MAX: '100000000', DATA_DIR: `/tmp/framgang-bench-${process.pid}` },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  await new Promise<void>((resolve, reject) => {
    server.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('Framgang is running') && resolve())
    server.once('exit', (code) => reject(new Error(`the service exited (${code})`)))
  })
  const address = `http://127.0.0.1:${port}`
  const auth = { authorization: `Bearer ${m.apiKey}` }
  const family = await (await fetch(`${address}/v1/families?externalRef=DEMO-1001`, { headers: auth })).json()
  const familyId = family.items[0].id as string
  const member = family.items[0].members[0].id as string

  const scenarios: { name: string; path: string; method?: 'GET' | 'POST'; body?: () => string }[] = [
    { name: 'GET /health/live (baseline)', path: '/health/live' },
    { name: 'GET /v1/families/{id}/progress (4 members, 24 sessions)', path: `/v1/families/${familyId}/progress` },
    { name: 'GET /v1/caseload (10 families)', path: `/v1/caseload?coordinatorId=${small}` },
    { name: 'GET /v1/caseload (100 families)', path: `/v1/caseload?coordinatorId=${large}&limit=200` },
    {
      name: 'POST /v1/families/{id}/sessions (1 rating)',
      path: `/v1/families/${familyId}/sessions`,
      method: 'POST',
      body: () => JSON.stringify({ heldOn: daysAgo(1), kind: 'phone', ratings: [{ memberId: member, instrument: 'ORS', rater: 'self', total: 25.5 }] }),
    },
  ]
  const results: { name: string; rps: number; p50: number; p99: number; errors: number }[] = []
  for (const s of scenarios) {
    process.stderr.write(`${s.name}…\n`)
    const r = await autocannon({
      url: `${address}${s.path}`,
      method: s.method ?? 'GET',
      connections: CONNECTIONS,
      duration: SECONDS,
      headers: { ...auth, 'content-type': 'application/json' },
      requests: s.body
        ? [{ setupRequest: (req) => ({ ...req, body: s.body!(), headers: { ...req.headers, 'idempotency-key': randomUUID() } }) }]
        : undefined,
    })
    results.push({ name: s.name, rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.non2xx })
  }
  server.kill('SIGTERM')
  await new Promise((r) => server.once('exit', r))
  await pool.end()
  await database.close()
  const dbName = serverUrl ? 'PostgreSQL server' : 'embedded PGlite'
  console.log(`\nFramgang benchmark — ${dbName}, ${CONNECTIONS} connections, ${SECONDS} s per scenario, node ${process.version}\n`)
  console.log('| scenario | req/s | p50 ms | p99 ms | non-2xx/errors |')
  console.log('|---|---:|---:|---:|---:|')
  for (const r of results) console.log(`| ${r.name} | ${r.rps.toFixed(0)} | ${r.p50} | ${r.p99} | ${r.errors} |`)
  const c10 = results[2].rps
  const c100 = results[3].rps
  console.log(`\ncaseload 100 families vs 10: ${(c10 / c100).toFixed(1)}× the time per request (10× the families)`)
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
