import { sql } from 'kysely'
import type { Trx } from '../db/kysely.js'

/*
 * Statements here name the municipality explicitly, not only through RLS: the admin CLI runs them
 * as the migrating user, which bypasses RLS on allowed_origins (a superuser always; the owner
 * because it is not FORCEd).
 */

export async function replaceOrigins(trx: Trx, municipalityId: string, origins: string[]): Promise<void> {
  await trx.deleteFrom('allowed_origins').where('municipality_id', '=', municipalityId).execute()
  const unique = [...new Set(origins.map((o) => o.toLowerCase()))]
  if (unique.length)
    await trx
      .insertInto('allowed_origins')
      .values(unique.map((origin) => ({ municipality_id: municipalityId, origin })))
      .execute()
}

/** Adds one origin (a second time changes nothing) and gives the municipality's origins. */
export async function addOrigin(trx: Trx, municipalityId: string, origin: string): Promise<string[]> {
  await trx
    .insertInto('allowed_origins')
    .values({ municipality_id: municipalityId, origin })
    .onConflict((oc) => oc.doNothing())
    .execute()
  const rows = await trx.selectFrom('allowed_origins').select('origin').where('municipality_id', '=', municipalityId).orderBy('origin').execute()
  return rows.map((r) => r.origin)
}

/** The origins of the transaction's municipality (RLS shows no other's). */
export async function allowedOrigins(trx: Trx): Promise<string[]> {
  return (await trx.selectFrom('allowed_origins').select('origin').execute()).map((r) => r.origin)
}

/** Whether any municipality registered the origin: a SECURITY DEFINER lookup, for a transaction as the application role before anyone is known. */
export async function originRegisteredAnywhere(trx: Trx, origin: string): Promise<boolean> {
  return (await sql<{ ok: boolean }>`SELECT framgang_origin_registered(${origin}) AS ok`.execute(trx)).rows[0]?.ok === true
}
