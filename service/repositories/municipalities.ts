import { inMunicipality, preloadedMunicipality, type Db, type Trx } from '../db/kysely.js'
import type { MunicipalityRow } from '../db/schema.js'
import { todayIn } from '../domain/calendar.js'

/**
 * The caller's municipality (row-level security shows no other): the row the transaction's
 * first statement read (see inMunicipality), else read now. `fresh` reads it now in any case:
 * a write path that computes stored state reads the settings after taking the family's lock,
 * so a settings change that committed while it waited (and rebuilt the state) is seen.
 */
export async function municipality(trx: Trx, options: { fresh?: boolean } = {}): Promise<MunicipalityRow> {
  return (!options.fresh && preloadedMunicipality(trx)) || trx.selectFrom('municipalities').selectAll().executeTakeFirstOrThrow()
}

export async function municipalityToday(trx: Trx): Promise<string> {
  return todayIn((await municipality(trx)).time_zone)
}

/** Row-level security needs the new id set for the transaction first (asAdminInMunicipality). */
export async function insertMunicipality(trx: Trx, input: { municipalityId: string; name: string; timeZone?: string }): Promise<void> {
  await trx
    .insertInto('municipalities')
    .values({ municipality_id: input.municipalityId, name: input.name, ...(input.timeZone && { time_zone: input.timeZone }) })
    .execute()
}

export async function municipalityExists(db: Db, municipalityId: string): Promise<boolean> {
  return inMunicipality(db, municipalityId, async (trx) => (await trx.selectFrom('municipalities').select('municipality_id').executeTakeFirst()) !== undefined)
}

/** Every municipality, oldest first, with the rule version its stored state was computed under (the owner reads them across tenants: see sql/001). */
export async function allMunicipalities(db: Db): Promise<{ municipalityId: string; stateRuleVersion: number | null }[]> {
  const rows = await db.selectFrom('municipalities').select(['municipality_id', 'state_rule_version']).orderBy('created_at').execute()
  return rows.map((r) => ({ municipalityId: r.municipality_id, stateRuleVersion: r.state_rule_version }))
}

/** Records the rule version the municipality's stored state was computed under (null: stale). */
export async function setStateRuleVersion(trx: Trx, municipalityId: string, version: number | null): Promise<void> {
  await trx.updateTable('municipalities').set({ state_rule_version: version }).where('municipality_id', '=', municipalityId).execute()
}
