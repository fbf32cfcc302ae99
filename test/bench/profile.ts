/**
 * Where a request spends its time: every statement it sends, with its round-trip time, summed
 * over many sequential requests against a seeded municipality (the service in this process,
 * through inject, so only the database and the handler are measured, no HTTP or load generator).
 *
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run bench:profile -- post
 *
 * The argument is `post` (a session with four ratings), `progress` or `caseload` (one
 * coordinator's 30 families). BENCH_FAMILIES (default 300) sets the size; each family has the
 * five-year history of the benchmark seed, so a POST recomputes the family's state from 200
 * ratings.
 */
import { performance } from 'node:perf_hooks'
import { buildApp } from '../../service/app.js'
import { loadConfig } from '../../service/config.js'
import { createDb } from '../../service/db/kysely.js'
import { pg } from '../../service/db/pg-types.js'
import { rebuildStaleState } from '../../service/state/stored-state.js'
import { NO_LOAD_SHEDDING } from '../helpers/app.js'
import { freshDatabase } from '../helpers/database.js'
import { seedMunicipality } from './seed.js'

const families = Number(process.env.BENCH_FAMILIES ?? 300)
const requests = Number(process.env.BENCH_REQUESTS ?? 300)
process.env.TEST_DATABASE_URL ??= process.env.BENCH_DATABASE_URL
if (!process.env.TEST_DATABASE_URL) throw new Error('BENCH_DATABASE_URL names a PostgreSQL server')

const database = await freshDatabase()
const seeded = await seedMunicipality(database.connectionString, { families, log: () => {} })
const pool = new pg.Pool({ connectionString: database.connectionString, max: 2 })
await rebuildStaleState(createDb(pool), () => {})
await pool.end()
const app = await buildApp({
  config: loadConfig({ DATA_DIR: `/tmp/framgang-profile-${process.pid}`, RATE_LIMIT_MAX: '1000000000', ...NO_LOAD_SHEDDING }),
  connectionString: database.connectionString,
  logger: false,
})
await app.ready()

// Every statement the app sends, timed from send to answer, named by its first words.
const byStatement = new Map<string, { n: number; ms: number }>()
let recording = false
const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown }
const original = proto.query
proto.query = function (this: unknown, ...args: unknown[]) {
  const text = typeof args[0] === 'string' ? args[0] : ((args[0] as { text?: string })?.text ?? '')
  const started = performance.now()
  const result = original.apply(this, args) as Promise<unknown> | undefined
  if (!recording || !result || typeof (result as Promise<unknown>).then !== 'function') return result
  const name = text
    .replace(/\s+/g, ' ')
    .replace(/\$\d+(, )?/g, '')
    .slice(0, 90)
  return (result as Promise<unknown>).finally(() => {
    const seen = byStatement.get(name) ?? { n: 0, ms: 0 }
    seen.n++
    seen.ms += performance.now() - started
    byStatement.set(name, seen)
  })
}

const path = process.argv[2] ?? 'post'
if (!['post', 'progress', 'caseload'].includes(path)) throw new Error('profile post, progress or caseload')
const today = new Date().toISOString().slice(0, 10)
async function request(i: number) {
  if (path === 'post') return post(i)
  const f = seeded.families[i % seeded.families.length]
  const url =
    path === 'caseload' ? `/v1/caseload?coordinatorId=${seeded.coordinatorIds[i % seeded.coordinatorIds.length]}` : `/v1/families/${f.familyId}/progress`
  const res = await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${seeded.apiKey}` } })
  if (res.statusCode !== 200) throw new Error(res.body)
}
async function post(i: number) {
  const f = seeded.families[i % seeded.families.length]
  const res = await app.inject({
    method: 'POST',
    url: `/v1/families/${f.familyId}/sessions`,
    headers: { authorization: `Bearer ${seeded.apiKey}`, 'idempotency-key': `profile-${i}` },
    payload: {
      heldOn: today,
      kind: 'home-visit',
      ratings: [
        { memberId: f.adultId, instrument: 'ORS', rater: 'self', items: [5, 6, 7, 8] },
        { memberId: f.adultId, instrument: 'SRS', rater: 'self', items: [9, 9, 8, 9] },
        { memberId: f.childId, instrument: 'CORS', rater: 'self', items: [6, 6, 7, 7] },
        { memberId: f.childId, instrument: 'CSRS', rater: 'self', items: [9, 8, 9, 9] },
      ],
    },
  })
  if (res.statusCode !== 201) throw new Error(res.body)
}

for (let i = 0; i < 30; i++) await request(requests + i) // warm-up
recording = true
const started = performance.now()
for (let i = 0; i < requests; i++) await request(i)
const total = performance.now() - started
recording = false

const rows = [...byStatement].sort((a, b) => b[1].ms - a[1].ms)
const dbMs = rows.reduce((sum, [, s]) => sum + s.ms, 0)
const statements = rows.reduce((sum, [, s]) => sum + s.n, 0)
console.log(
  `${{ post: 'POST /v1/families/{id}/sessions with 4 ratings', progress: 'GET /v1/families/{id}/progress', caseload: 'GET /v1/caseload of 30 families' }[path]}, ${requests} sequential requests, ${families} five-year families`,
)
console.log(
  `per request: ${(total / requests).toFixed(2)} ms, ${(statements / requests).toFixed(1)} statements, ${(dbMs / requests).toFixed(2)} ms waiting for the database, ${((total - dbMs) / requests).toFixed(2)} ms in Node\n`,
)
console.log('| statement | per request | ms per request |\n|---|---:|---:|')
for (const [name, s] of rows) console.log(`| \`${name.replace(/\|/g, '\\|')}\` | ${(s.n / requests).toFixed(1)} | ${(s.ms / requests).toFixed(2)} |`)
await app.close()
await database.close()
