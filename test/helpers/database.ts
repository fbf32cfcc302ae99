import { randomBytes } from 'node:crypto'
import { startEmbeddedDatabase } from '../../service/db/embedded.js'
import { migrateDatabase } from '../../service/db/connect.js'
import { pg } from '../../service/db/pg-types.js'

export interface TestDatabase {
  connectionString: string
  close(): Promise<void>
}

/**
 * A freshly migrated database of its own for one test file: a new database on the server named
 * by TEST_DATABASE_URL (CI: the local PostgreSQL 15), else an in-memory embedded PostgreSQL.
 */
export async function freshDatabase(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const serverUrl = process.env.TEST_DATABASE_URL
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
    const embedded = await startEmbeddedDatabase({ maxConnections: 20 })
    db = { connectionString: embedded.connectionString, close: () => embedded.close() }
  }
  if (options.migrate !== false) await migrateDatabase(db.connectionString)
  return db
}
