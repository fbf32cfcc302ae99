import { Kysely, PostgresDialect, sql, type Transaction } from 'kysely'
import type pg from 'pg'
import type { Database } from './schema.js'

export type Db = Kysely<Database>
export type Trx = Transaction<Database>

/**
 * Kysely over a pool someone else owns (@fastify/postgres ends it on close). Never call
 * db.destroy(): it would end that pool too.
 */
export function createDb(pool: pg.Pool): Db {
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
}

/**
 * Runs fn in one transaction as the application role with the municipality set for this
 * transaction only, so row-level security holds even for a superuser DATABASE_URL and the
 * setting cannot leak to the next user of the connection (safe behind a transaction pooler).
 */
export async function inMunicipality<T>(db: Db, municipalityId: string, fn: (trx: Trx) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (trx) => {
    // One round trip: set_config('role', …, true) is SET LOCAL ROLE.
    await sql`SELECT set_config('framgang.municipality_id', ${municipalityId}, true), set_config('role', 'framgang_app', true)`.execute(trx)
    return fn(trx)
  })
}

/** A transaction as the application role before any municipality is known (key lookup, CORS). */
export async function asApp<T>(db: Db, fn: (trx: Trx) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (trx) => {
    await sql`SET LOCAL ROLE framgang_app`.execute(trx)
    return fn(trx)
  })
}

/**
 * Administrative work (the admin CLI: creating a municipality) as the migrating user, with the
 * municipality set for the transaction. Forced row-level security confines it on the forced
 * tables only when that user is not a superuser; municipalities, api_clients and allowed_origins
 * are not forced (see sql/001), so statements there must name the municipality themselves.
 */
export async function asAdminInMunicipality<T>(db: Db, municipalityId: string, fn: (trx: Trx) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (trx) => {
    await sql`SELECT set_config('framgang.municipality_id', ${municipalityId}, true)`.execute(trx)
    return fn(trx)
  })
}
