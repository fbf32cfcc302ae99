import type { Config } from '../config.js'
import { startEmbeddedDatabase } from './embedded.js'
import { createDb, type Db } from './kysely.js'
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

/** A short-lived pool + Kysely for work outside a request (migrations, CLI, seeding). */
export async function withPool<T>(connectionString: string, fn: (pool: pg.Pool, db: Db) => Promise<T>): Promise<T> {
  const pool = new pg.Pool({ connectionString, max: 2, application_name: 'framgang-admin' })
  pool.on('error', () => {}) // an idle client dropped by the server is replaced on next use; never crash for it
  try {
    return await fn(pool, createDb(pool))
  } finally {
    await pool.end()
  }
}

export async function migrateDatabase(connectionString: string, log?: (msg: string) => void): Promise<string[]> {
  return withPool(connectionString, (pool) => migrate(pool, { log }))
}
