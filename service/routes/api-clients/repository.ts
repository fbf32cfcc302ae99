import type { Trx } from '../../db/kysely.js'
import type { ApiClient } from '../../contracts/api-clients.js'
import { newApiKey } from '../../plugins/auth.js'

type Row = { api_client_id: string; name: string; key_prefix: string; created_at: Date; revoked_at: Date | null }

export const toApiClient = (row: Row): ApiClient => ({
  id: row.api_client_id,
  name: row.name,
  keyPrefix: row.key_prefix,
  createdAt: new Date(row.created_at).toISOString(),
  revokedAt: row.revoked_at === null ? null : new Date(row.revoked_at).toISOString(),
})

/** A new client with a fresh key; only the key's hash is stored, so this is the one time it is seen. */
export async function createApiClient(trx: Trx, municipalityId: string, name: string): Promise<ApiClient & { apiKey: string }> {
  const { key, hash, prefix } = newApiKey()
  const row = await trx
    .insertInto('api_clients')
    .values({ municipality_id: municipalityId, name, key_hash: hash, key_prefix: prefix })
    .returning(['api_client_id', 'name', 'key_prefix', 'created_at', 'revoked_at'])
    .executeTakeFirstOrThrow()
  return { ...toApiClient(row), apiKey: key }
}

export async function revokeApiClient(trx: Trx, apiClientId: string): Promise<boolean> {
  const r = await trx.updateTable('api_clients').set({ revoked_at: new Date() }).where('api_client_id', '=', apiClientId).where('revoked_at', 'is', null).executeTakeFirst()
  return Number(r.numUpdatedRows) > 0
}
