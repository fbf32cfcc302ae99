import { randomBytes } from 'node:crypto'
import { startEmbeddedDatabase } from '../../service/db/embedded.js'
import { migrateDatabase } from '../../service/db/connect.js'
import { readMigrations } from '../../service/db/migrate.js'
import { pg } from '../../service/db/pg-types.js'

export interface TestDatabase {
  connectionString: string
  close(): Promise<void>
}

/**
 * Starting PGlite costs a second or two, loading a data directory a fraction of that: each test
 * process migrates one embedded database once and starts every further migrated one from its dump.
 */
const migratedTemplates = new Map<string, Promise<Blob>>()

async function embeddedTemplate(): Promise<Blob> {
  const embedded = await startEmbeddedDatabase({ maxConnections: 4 })
  try {
    await migrateDatabase(embedded.connectionString)
    return await embedded.dump()
  } finally {
    await embedded.close()
  }
}

/**
 * A freshly migrated database of its own for one test file: a new database on the server named
 * by TEST_DATABASE_URL (CI: the local PostgreSQL 15), else an in-memory embedded PostgreSQL.
 */
export async function freshDatabase(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const serverUrl = process.env.TEST_DATABASE_URL
  const migrate = options.migrate !== false
  let db: TestDatabase
  if (serverUrl) {
    const name = `framgang_test_${randomBytes(6).toString('hex')}`
    const admin = new pg.Client({ connectionString: serverUrl })
    await admin.connect()
    await admin.query(`CREATE DATABASE ${name}`)
    await admin.end()
    const url = new URL(serverUrl)
    url.pathname = `/${name}`
    db = {
      connectionString: url.toString(),
      async close() {
        const c = new pg.Client({ connectionString: serverUrl })
        await c.connect()
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
        await c.end()
      },
    }
  } else {
    if (migrate) {
      // Keyed by the migrations on disk, so a migration edited while a process runs is not missed.
      const version = (await readMigrations()).map((m) => `${m.id}:${m.checksum}`).join(',')
      if (!migratedTemplates.has(version)) migratedTemplates.set(version, embeddedTemplate())
      const embedded = await startEmbeddedDatabase({ maxConnections: 20, loadDataDir: await migratedTemplates.get(version)! })
      try {
        // Migrating again applies nothing, and proves the dump holds every migration.
        await migrateDatabase(embedded.connectionString)
      } catch (err) {
        await embedded.close()
        throw err
      }
      return { connectionString: embedded.connectionString, close: () => embedded.close() }
    }
    const embedded = await startEmbeddedDatabase({ maxConnections: 20 })
    db = { connectionString: embedded.connectionString, close: () => embedded.close() }
  }
  if (migrate) {
    try {
      await migrateDatabase(db.connectionString)
    } catch (err) {
      await db.close()
      throw err
    }
  }
  return db
}
