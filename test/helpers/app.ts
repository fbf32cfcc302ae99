import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import type { Test } from 'tap'
import { buildApp } from '../../service/app.js'
import { createMunicipality, type NewMunicipality } from '../../service/cli/municipalities.js'
import { loadConfig, type Config } from '../../service/config.js'
import { createDb, type Db } from '../../service/db/kysely.js'
import { pg } from '../../service/db/pg-types.js'
import { freshDatabase } from './database.js'

export interface TestApp {
  app: FastifyInstance
  config: Config
  connectionString: string
  /** Kysely as the migrating user, for set-up and for looking behind the API. */
  db: Db
  pool: pg.Pool
  /** A municipality with an API key, ready to call the API. */
  municipality: NewMunicipality
  newMunicipality(name?: string): Promise<NewMunicipality>
  /** inject() with the municipality's key (or another) and JSON. */
  call(
    method: string,
    url: string,
    options?: { key?: string | null; body?: unknown; idempotencyKey?: string; headers?: Record<string, string> },
  ): Promise<LightMyRequestResponse>
}

let counter = 0

/**
 * Load shedding off: tests on a loaded machine (two cores, tap's jobs, PostgreSQL) would
 * otherwise meet a 503 whenever the event loop is busy for a moment. The tests of the shedding
 * set the limits they test.
 */
export const NO_LOAD_SHEDDING: Record<string, string> = { MAX_EVENT_LOOP_DELAY_MS: '0', MAX_EVENT_LOOP_UTILIZATION: '0', MAX_DB_WAITING_CLIENTS: '0' }

/** The real app on a fresh, migrated database of its own, closed in teardown. */
export async function testApp(t: Test, env: Record<string, string> = {}): Promise<TestApp> {
  const database = await freshDatabase()
  const config = loadConfig({ DATA_DIR: `/tmp/framgang-test-${process.pid}`, ...NO_LOAD_SHEDDING, ...env })
  const app = await buildApp({ config, connectionString: database.connectionString, logger: false })
  await app.ready()
  const pool = new pg.Pool({ connectionString: database.connectionString, max: 4 })
  // Dropping the test database ends connections that pool.end() is still closing: not an error.
  pool.on('error', () => {})
  const db = createDb(pool)
  const newMunicipality = (name = `Test kommune ${++counter}`) => createMunicipality(db, { name })
  const municipality = await newMunicipality()
  t.teardown(async () => {
    await app.close()
    await pool.end()
    await database.close()
  })
  return {
    app,
    config,
    connectionString: database.connectionString,
    db,
    pool,
    municipality,
    newMunicipality,
    call(method, url, options = {}) {
      const key = options.key === undefined ? municipality.apiKey : options.key
      const headers: Record<string, string> = { ...(options.headers ?? {}) }
      if (key !== null) headers.authorization = `Bearer ${key}`
      if (options.idempotencyKey !== undefined) headers['idempotency-key'] = options.idempotencyKey
      else if (method === 'POST') headers['idempotency-key'] = `test-${++counter}-${Math.random()}`
      return app.inject({ method: method as 'GET', url, headers, ...(options.body !== undefined && { payload: options.body as object }) })
    },
  }
}

/** Days before today as an ISO date (UTC; tests keep away from midnight edges by whole days). */
export function daysAgo(days: number, from = new Date()): string {
  const d = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate()))
  d.setUTCDate(d.getUTCDate() - days)
  return d.toISOString().slice(0, 10)
}

export function yearsAgo(years: number, extraDays = 0): string {
  return daysAgo(Math.round(years * 365.25) + extraDays)
}
