import { Kysely, PostgresDialect, sql, type RawBuilder, type Transaction } from 'kysely'
import type pg from 'pg'
import { UUID_PATTERN } from '../contracts/common.js'
import type { Database, MunicipalityRow } from './schema.js'

export type Db = Kysely<Database>
export type Trx = Transaction<Database>

/**
 * Kysely over a pool someone else owns (@fastify/postgres ends it on close). Never call
 * db.destroy(): it would end that pool too.
 */
export function createDb(pool: pg.Pool): Db {
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool: beginWithFirstStatement(pool) }) })
}

type QueryResult = { command: string; rowCount: number | null; rows: unknown[] }

/**
 * The pool as Kysely sees it, with one round trip fewer per transaction: a client holds back the
 * `begin` Kysely sends and sends it with the transaction's first statement, in one
 * simple-protocol message, when that statement has no parameters (the tenant transaction's first
 * statement is built so: see inMunicipality); else `begin` goes first, on its own, as before.
 * A transaction that sent nothing before its commit or rollback sends nothing at all. Round
 * trips are what a request costs on a database next door: each is a system call on both sides.
 */
function beginWithFirstStatement(pool: pg.Pool) {
  const wrapped = new WeakMap<pg.PoolClient, ReturnType<typeof wrap>>()
  const wrap = (client: pg.PoolClient) => {
    let beginHeld = false
    const query = async (text: string, parameters: readonly unknown[]): Promise<QueryResult> => {
      if (typeof text !== 'string') throw new Error('cursors are not supported')
      if (text === 'begin') {
        beginHeld = true
        return { command: 'BEGIN', rowCount: null, rows: [] }
      }
      if (!beginHeld) return client.query(text, [...parameters])
      beginHeld = false
      if (text === 'commit' || text === 'rollback') return { command: text.toUpperCase(), rowCount: null, rows: [] }
      if (parameters.length > 0) {
        await client.query('begin')
        return client.query(text, [...parameters])
      }
      // Several statements in one simple query answer one result each: begin's, then the rest.
      const results = (await client.query(`begin;\n${text}`)) as unknown as QueryResult[]
      return results.length === 2 ? results[1] : (results.slice(1) as unknown as QueryResult)
    }
    return {
      query,
      release(destroy?: boolean) {
        beginHeld = false
        client.release(destroy)
      },
    }
  }
  return {
    async connect() {
      const client = await pool.connect()
      let w = wrapped.get(client)
      if (!w) wrapped.set(client, (w = wrap(client)))
      return w
    },
    end: () => pool.end(),
  } as unknown as pg.Pool
}

/**
 * A credential to check again inside the transaction: an API key found in this process's cache
 * (by its lookup hash), or an embed token's grants (the API client that minted it, and for a
 * coordinator token the coordinator), which no cache can vouch for.
 */
export type CredentialCheck = (
  | { kind: 'api-key'; apiKeyHash: string }
  | {
      kind: 'embed-token'
      /** The minting API client (claim client_id); null for a token minted before that claim. */
      apiClientId: string | null
      coordinatorId: string | null
      /** The token's iat, in seconds. */
      issuedAt: number
    }
) & {
  /** The error to throw when the credential no longer holds (revoked, deactivated, moved). */
  rejected(): Error
}

const uuidLiteral = (value: string | null) => (value === null ? sql`NULL::uuid` : sql`${sql.lit(value)}::uuid`)

/**
 * SQL that is true while the credential holds for the municipality. Every value is checked and
 * inlined (a key hash of hex digits, UUIDs, an integer), so the expression needs no parameters:
 * on its own outside a transaction it goes as one simple-protocol message (see the key lookup in
 * plugins/auth.ts for why that matters to the embedded database). Both lookups are SECURITY
 * DEFINER functions, so the expression holds whichever role the statement runs as.
 */
export function credentialValid(check: CredentialCheck, municipalityId: string): RawBuilder<boolean> {
  if (!UUID_PATTERN.test(municipalityId)) return sql<boolean>`false`
  if (check.kind === 'api-key') {
    if (!/^[0-9a-f]{64}$/.test(check.apiKeyHash)) return sql<boolean>`false`
    return sql<boolean>`EXISTS (SELECT 1 FROM framgang_api_client_by_key_hash(${sql.lit(check.apiKeyHash)}) c WHERE c.municipality_id = ${uuidLiteral(municipalityId)})`
  }
  const { apiClientId, coordinatorId, issuedAt } = check
  if (
    (apiClientId !== null && !UUID_PATTERN.test(apiClientId)) ||
    (coordinatorId !== null && !UUID_PATTERN.test(coordinatorId)) ||
    !Number.isSafeInteger(issuedAt)
  )
    return sql<boolean>`false`
  return sql<boolean>`framgang_token_grant_valid(${uuidLiteral(municipalityId)}, ${uuidLiteral(apiClientId)}, ${uuidLiteral(coordinatorId)}, to_timestamp(${sql.lit(issuedAt)}))`
}

/** The municipality row each tenant transaction read in its first statement, until a write there. */
const preloaded = new WeakMap<Trx, MunicipalityRow>()

/** The caller's municipality row as the transaction's first statement read it, if it did. */
export function preloadedMunicipality(trx: Trx): MunicipalityRow | undefined {
  return preloaded.get(trx)
}

/** Call after writing the municipality row or its instrument settings in this transaction. */
export function forgetPreloadedMunicipality(trx: Trx): void {
  preloaded.delete(trx)
}

/**
 * Runs fn in one transaction as the application role with the municipality set for this
 * transaction only, so row-level security holds even for a superuser DATABASE_URL and the
 * setting cannot leak to the next user of the connection (safe behind a transaction pooler).
 *
 * The first statement does three things in one round trip: it sets the municipality and the
 * role (set_config('role', …, true) is SET LOCAL ROLE), checks the credential again when one is
 * given (an API key revoked on another instance fails here, whatever this process cached; an
 * embed token fails once the API client that minted it is revoked or its coordinator is
 * deactivated), and reads the municipality row, which every request needs (time zone, settings,
 * settings version). That row is named by id: the statement's tables are read before the role
 * applies, as the connecting user. The credential lookups are SECURITY DEFINER functions that
 * name the municipality themselves, so they hold whether the settings have taken effect when
 * they run or not. A FROM over one constant row makes the settings happen even when no
 * municipality row matches.
 */
export async function inMunicipality<T>(db: Db, municipalityId: string, fn: (trx: Trx) => Promise<T>, credential?: CredentialCheck): Promise<T> {
  return db.transaction().execute(async (trx) => {
    const valid = credential ? credentialValid(credential, municipalityId) : sql<boolean>`true`
    // Without parameters (the id is checked and inlined), so `begin` goes in the same message.
    if (!UUID_PATTERN.test(municipalityId)) throw new Error('a municipality id is a UUID')
    const id = sql.lit(municipalityId)
    const r = await sql<MunicipalityRow & { framgang_credential_valid: boolean }>`
      SELECT set_config('framgang.municipality_id', ${id}, true) AS framgang_municipality,
             set_config('role', 'framgang_app', true) AS framgang_role,
             ${valid} AS framgang_credential_valid, m.*
        FROM (VALUES (1)) AS one (n) LEFT JOIN municipalities m ON m.municipality_id = ${id}::uuid`.execute(trx)
    const row = r.rows[0]
    if (credential && !row.framgang_credential_valid) throw credential.rejected()
    if (row.municipality_id !== null) {
      const {
        framgang_municipality: _m,
        framgang_role: _r,
        framgang_credential_valid: _v,
        ...municipality
      } = row as typeof row & { framgang_municipality: unknown; framgang_role: unknown }
      preloaded.set(trx, municipality)
    }
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
