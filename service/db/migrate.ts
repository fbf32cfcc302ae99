import { createHash } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import type pg from 'pg'
import { projectRoot } from '../paths.js'

export const SQL_DIR = path.join(projectRoot, 'sql')

/** An arbitrary constant: the advisory lock every migrating process queues on. */
const MIGRATION_LOCK = 7_234_110_551

export interface Migration {
  id: string
  sql: string
  checksum: string
}

export class MigrationError extends Error {}

export async function readMigrations(dir = SQL_DIR): Promise<Migration[]> {
  const names = (await readdir(dir)).filter((n) => /^\d{3}_[a-z0-9_]+\.sql$/.test(n)).sort()
  return Promise.all(
    names.map(async (name) => {
      const sql = await readFile(path.join(dir, name), 'utf8')
      return { id: name.replace(/\.sql$/, ''), sql, checksum: createHash('sha256').update(sql).digest('hex') }
    }),
  )
}

/**
 * Applies pending migrations in order, all in one transaction under an advisory lock, so two
 * instances starting together apply each migration once. A migration that was applied and then
 * edited on disk is refused: landed migrations are history, not code.
 */
export async function migrate(pool: pg.Pool, options: { dir?: string; log?: (msg: string) => void } = {}): Promise<string[]> {
  const dir = options.dir ?? SQL_DIR
  const migrations = await readMigrations(dir)
  const client = await pool.connect()
  try {
    await client.query('BEGIN')
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK])
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      id text PRIMARY KEY, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`)
    const { rows } = await client.query<{ id: string; checksum: string }>('SELECT id, checksum FROM schema_migrations')
    const applied = new Map(rows.map((r) => [r.id, r.checksum]))
    const known = new Set(migrations.map((m) => m.id))
    for (const id of applied.keys()) {
      if (!known.has(id)) throw new MigrationError(`Migration ${id} is recorded in the database but missing from ${dir}`)
    }
    const done: string[] = []
    for (const m of migrations) {
      const checksum = applied.get(m.id)
      if (checksum !== undefined) {
        if (checksum !== m.checksum) {
          throw new MigrationError(
            `Migration ${m.id} was changed after it was applied (checksum ${checksum.slice(0, 12)} in the database, ${m.checksum.slice(0, 12)} on disk). Restore it and add a new migration instead.`,
          )
        }
        continue
      }
      options.log?.(`applying migration ${m.id}`)
      await client.query(m.sql)
      await client.query('INSERT INTO schema_migrations (id, checksum) VALUES ($1, $2)', [m.id, m.checksum])
      done.push(m.id)
    }
    await client.query('COMMIT')
    return done
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {})
    throw err
  } finally {
    client.release()
  }
}

/** True when every migration on disk is applied with its checksum (readiness). */
export async function isMigrated(pool: pg.Pool): Promise<boolean> {
  const migrations = await readMigrations()
  const exists = await pool.query<{ t: string | null }>(`SELECT to_regclass('schema_migrations')::text AS t`)
  if (!exists.rows[0]?.t) return false
  const { rows } = await pool.query<{ id: string; checksum: string }>('SELECT id, checksum FROM schema_migrations')
  const applied = new Map(rows.map((r) => [r.id, r.checksum]))
  return migrations.every((m) => applied.get(m.id) === m.checksum)
}
