import { createHash, randomBytes } from 'node:crypto'
import { sql } from 'kysely'
import { credentialValid, type CredentialCheck, type Db, type Trx } from '../db/kysely.js'
import type { ApiClient } from '../contracts/api-clients.js'

type Row = { api_client_id: string; name: string; key_prefix: string; created_at: Date; revoked_at: Date | null }

const COLUMNS = ['api_client_id', 'name', 'key_prefix', 'created_at', 'revoked_at'] as const

export const toApiClient = (row: Row): ApiClient => ({
  id: row.api_client_id,
  name: row.name,
  keyPrefix: row.key_prefix,
  createdAt: new Date(row.created_at).toISOString(),
  revokedAt: row.revoked_at === null ? null : new Date(row.revoked_at).toISOString(),
})

export const API_KEY_PREFIX = 'fgk_'

/** API keys are 256 random bits: a SHA-256 of them is a safe lookup hash (no slow hash needed). */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex')
}

export function newApiKey(): { key: string; hash: string; prefix: string } {
  const key = API_KEY_PREFIX + randomBytes(32).toString('base64url')
  return { key, hash: hashApiKey(key), prefix: key.slice(0, API_KEY_PREFIX.length + 6) }
}

/** A new client with a fresh key; only the key's hash is stored, so this is the one time it is seen. */
export async function createApiClient(trx: Trx, municipalityId: string, name: string): Promise<ApiClient & { apiKey: string }> {
  const { key, hash, prefix } = newApiKey()
  const row = await trx
    .insertInto('api_clients')
    .values({ municipality_id: municipalityId, name, key_hash: hash, key_prefix: prefix })
    .returning(COLUMNS)
    .executeTakeFirstOrThrow()
  return { ...toApiClient(row), apiKey: key }
}

/** Revokes a client that is not revoked yet; false when there is none. Also as the owner, outside any municipality (the admin CLI). */
export async function revokeApiClient(db: Db, apiClientId: string): Promise<boolean> {
  const r = await db
    .updateTable('api_clients')
    .set({ revoked_at: new Date() })
    .where('api_client_id', '=', apiClientId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst()
  return Number(r.numUpdatedRows) > 0
}

export async function listApiClients(trx: Trx): Promise<ApiClient[]> {
  return (await trx.selectFrom('api_clients').select(COLUMNS).orderBy('created_at').orderBy('api_client_id').execute()).map(toApiClient)
}

export async function findApiClient(trx: Trx, apiClientId: string): Promise<ApiClient | undefined> {
  const row = await trx.selectFrom('api_clients').select(COLUMNS).where('api_client_id', '=', apiClientId).executeTakeFirst()
  return row && toApiClient(row)
}

/**
 * The client and municipality of a key hash, through the SECURITY DEFINER lookup (nothing else
 * of the client is readable before the municipality is known): one round trip outside any
 * transaction. The hash (64 hex digits) is inlined so the query goes as ONE simple-protocol
 * message: the embedded database's socket server interleaves the Parse/Bind/Execute messages of
 * concurrent connections outside explicit transactions (pglite-socket issue #1046), which under
 * concurrent requests failed lookups ("unnamed prepared statement does not exist"), answered 401
 * to valid keys, or hung its queue.
 */
export async function apiClientByKeyHash(db: Db, hash: string): Promise<{ apiClientId: string; municipalityId: string } | null> {
  if (!/^[0-9a-f]{64}$/.test(hash)) return null
  const r = await sql<{ api_client_id: string; municipality_id: string }>`SELECT * FROM framgang_api_client_by_key_hash(${sql.lit(hash)})`.execute(db)
  const row = r.rows[0]
  return row ? { apiClientId: row.api_client_id, municipalityId: row.municipality_id } : null
}

/** Whether a credential still holds for the municipality, checked on its own (see credentialValid). */
export async function credentialHolds(db: Db, check: CredentialCheck, municipalityId: string): Promise<boolean> {
  const r = await sql<{ valid: boolean }>`SELECT ${credentialValid(check, municipalityId)} AS valid`.execute(db)
  return r.rows[0]?.valid === true
}
