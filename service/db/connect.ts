import type { Config } from '../config.js'
import { startEmbeddedDatabase } from './embedded.js'
import { createDb, type Db } from './kysely.js'
import { isDatabaseUnavailable } from './connection-errors.js'
import { migrate } from './migrate.js'
import { pg } from './pg-types.js'

export interface Database {
  connectionString: string
  embedded: boolean
  close(): Promise<void>
}

/** DATABASE_URL when set, else embedded PostgreSQL in DATA_DIR. */
export async function openDatabase(config: Config): Promise<Database> {
  if (config.databaseUrl) return { connectionString: config.databaseUrl, embedded: false, close: async () => {} }
  const embedded = await startEmbeddedDatabase({ dataDir: config.dataDir, maxConnections: config.dbPoolSize + 2 })
  return { connectionString: embedded.connectionString, embedded: true, close: () => embedded.close() }
}

/**
 * A connection the server ends (a restart, a failover, an administrator) emits 'error' on its
 * client. pg-pool listens only while a client sits idle in the pool (and re-emits it as the
 * pool's 'error'); while a client is checked out, inside a transaction, nobody does, and an
 * 'error' event without a listener ends the process. So every client gets a listener of its own
 * as soon as the pool connects it, for its whole life. Nothing else is needed: the statement
 * that was running rejects, so its request still fails (503), and the pool discards the broken
 * client when it is released and connects a new one when next needed.
 */
export function keepConnectionLossFromCrashing(pool: pg.Pool, report: (err: Error) => void = () => {}): void {
  // The client's own listener below reports it; this one only keeps the pool's re-emit handled.
  pool.on('error', () => {})
  pool.on('connect', (client) => {
    let reported = false
    client.on('error', (err: Error) => {
      // A lost connection can emit twice (the server's notice, then the socket's end): one line.
      if (reported) return
      reported = true
      report(err)
    })
  })
}

/** A short-lived pool + Kysely for work outside a request (migrations, CLI, seeding). */
export async function withPool<T>(connectionString: string, fn: (pool: pg.Pool, db: Db) => Promise<T>): Promise<T> {
  const pool = new pg.Pool({ connectionString, max: 2, application_name: 'framgang-admin' })
  keepConnectionLossFromCrashing(pool)
  try {
    return await fn(pool, createDb(pool))
  } finally {
    await pool.end()
  }
}

export async function migrateDatabase(connectionString: string, log?: (msg: string) => void): Promise<string[]> {
  return withPool(connectionString, (pool) => migrate(pool, { log }))
}

/** The database stayed unreachable for the whole start-up wait. */
export class DatabaseUnreachableError extends Error {}

/** host:port/database of a connection string, never its user or password. */
export function databaseAddress(connectionString: string): string {
  try {
    const url = new URL(connectionString)
    return `${url.hostname || 'localhost'}:${url.port || '5432'}${url.pathname.length > 1 ? url.pathname : ''}`
  } catch {
    return 'given by DATABASE_URL'
  }
}

function reason(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown }
  const code = typeof e.code === 'string' ? e.code : ''
  // A server's own message (57P03 "the database system is starting up") says what is going on;
  // a socket error's message repeats the address, so its code is enough.
  if (/^[0-9A-Z]{5}$/.test(code) && typeof e.message === 'string') return `${code} ${e.message}`
  return code || (typeof e.message === 'string' ? e.message : 'unknown error')
}

/**
 * Waits until the database accepts a connection, trying again with a growing pause (0.25 s
 * doubling up to 5 s) and one line per attempt, for at most timeoutSeconds; then gives up with
 * a DatabaseUnreachableError. A database that comes up a little after the service (a host
 * booting, a container starting beside it, a failover) is no reason to exit. Errors that waiting
 * does not cure (a wrong password, a missing database) are thrown at once.
 */
export async function waitForDatabase(connectionString: string, options: { timeoutSeconds: number; log: (msg: string) => void }): Promise<void> {
  const where = databaseAddress(connectionString)
  const deadline = Date.now() + options.timeoutSeconds * 1000
  let pause = 250
  for (let attempt = 1; ; attempt++) {
    const client = new pg.Client({ connectionString, connectionTimeoutMillis: 5_000, application_name: 'framgang-admin' })
    client.on('error', () => {})
    try {
      await client.connect()
      await client.query('SELECT 1')
      if (attempt > 1) options.log(`the database at ${where} is reachable after ${attempt} attempts`)
      return
    } catch (err) {
      if (!isDatabaseUnavailable(err)) throw err
      const left = deadline - Date.now()
      if (left <= 0) {
        throw new DatabaseUnreachableError(
          `the database at ${where} was not reachable within ${options.timeoutSeconds} s (${reason(err)}); check DATABASE_URL and that PostgreSQL runs, or allow more time with DB_START_TIMEOUT_SECONDS`,
        )
      }
      const wait = Math.min(pause, left)
      options.log(
        `waiting for the database at ${where}: ${reason(err)} (attempt ${attempt}; next in ${(wait / 1000).toFixed(1)} s, giving up after ${options.timeoutSeconds} s)`,
      )
      await new Promise((resolve) => setTimeout(resolve, wait))
      pause = Math.min(pause * 2, 5_000)
    } finally {
      await client.end().catch(() => {})
    }
  }
}
