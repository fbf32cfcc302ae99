import { sql } from 'kysely'
import type { Db, Trx } from '../db/kysely.js'

/** What a create stored for its Idempotency-Key, for a replay. */
export interface IdempotencyRecord {
  requestHash: string
  statusCode: number
  location: string | null
  body: unknown
  createdAt: Date
}

/**
 * Takes the key's advisory lock (held for the transaction) and reads its record, in one round
 * trip (sql/008). `locked` false: another request with the key is still running.
 */
export async function claimIdempotencyKey(
  trx: Trx,
  lockName: string,
  principal: string,
  key: string,
): Promise<{ locked: boolean; stored: IdempotencyRecord | undefined }> {
  const claim = await sql<{
    locked: boolean
    request_hash: string | null
    status_code: number | null
    location: string | null
    body: unknown
    created_at: Date | null
  }>`
    SELECT * FROM framgang_claim_idempotency_key(${lockName}, ${principal}, ${key})`.execute(trx)
  const row = claim.rows[0]
  if (!row?.locked) return { locked: false, stored: undefined }
  const stored =
    row.request_hash === null
      ? undefined
      : { requestHash: row.request_hash, statusCode: row.status_code!, location: row.location, body: row.body, createdAt: row.created_at! }
  return { locked: true, stored }
}

export async function deleteIdempotencyRecord(trx: Trx, principal: string, key: string): Promise<void> {
  await trx.deleteFrom('idempotency_keys').where('principal', '=', principal).where('key', '=', key).execute()
}

export async function insertIdempotencyRecord(
  trx: Trx,
  record: { municipalityId: string; principal: string; key: string; requestHash: string; statusCode: number; location: string; body: unknown },
): Promise<void> {
  await trx
    .insertInto('idempotency_keys')
    .values({
      municipality_id: record.municipalityId,
      principal: record.principal,
      key: record.key,
      request_hash: record.requestHash,
      status_code: record.statusCode,
      location: record.location,
      body: JSON.stringify(record.body),
    })
    .execute()
}

/**
 * Deletes the stored responses that hold a family's data: the family and its members (by
 * location), sessions (familyId), ratings (memberId: also those in sessions deleted since, which
 * no sessionId here names) and what a family token created (its principal).
 */
export async function deleteIdempotencyRecordsOfFamily(
  trx: Trx,
  familyId: string,
  ids: { memberIds: readonly string[]; sessionIds: readonly string[] },
): Promise<void> {
  await trx
    .deleteFrom('idempotency_keys')
    .where((eb) =>
      eb.or([
        eb('location', 'like', `/v1/families/${familyId}%`),
        eb('principal', 'like', `family:${familyId}%`),
        eb(sql<string>`body->>'familyId'`, '=', familyId),
        ...(ids.memberIds.length ? [eb(sql<string>`body->>'memberId'`, 'in', ids.memberIds)] : []),
        ...(ids.sessionIds.length ? [eb(sql<string>`body->>'sessionId'`, 'in', ids.sessionIds)] : []),
      ]),
    )
    .execute()
}

/**
 * Deletes idempotency records older than `ttlDays`, across municipalities. framgang_app reaches
 * other municipalities' rows only through the SECURITY DEFINER purge function (sql/007), so no
 * policy but the tenant one applies to its own lookups.
 */
export async function purgeIdempotencyRecords(db: Db, ttlDays: number): Promise<number> {
  return db.transaction().execute(async (trx) => {
    await sql`SET LOCAL ROLE framgang_app`.execute(trx)
    const r = await sql<{ purged: number }>`SELECT framgang_purge_expired_idempotency_keys(${ttlDays}) AS purged`.execute(trx)
    return Number(r.rows[0]?.purged ?? 0)
  })
}
