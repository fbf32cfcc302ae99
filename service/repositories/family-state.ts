import { sql, type OperationNodeSource, type Selectable } from 'kysely'
import type { Severity } from '../contracts/common.js'
import type { FamilyFlag } from '../contracts/progress.js'
import type { Trx } from '../db/kysely.js'
import type { FamilyStateTable, SeriesStateTable } from '../db/schema.js'
import type { StoredStanding } from '../domain/caseload.js'
import type { FamilyState, SeriesState } from '../domain/family-state.js'

/**
 * The stored state (read model) of families: what service/state/ computes through the domain,
 * as rows. Only that module writes it; the caseload reads it.
 */

export type ComputedState = { family: FamilyState; series: SeriesState[] }

/** A series' state as a row, JSON columns as values (as they read back). */
export function seriesRow(municipalityId: string, familyId: string, s: SeriesState): Selectable<SeriesStateTable> {
  return {
    municipality_id: municipalityId,
    family_id: familyId,
    position: s.position,
    member_id: s.memberId,
    instrument_code: s.instrument,
    rater: s.rater,
    rater_member_id: s.raterMemberId,
    points: s.points,
    intake: s.intake,
    intake_on: s.intakeOn,
    previous: s.previous,
    previous_on: s.previousOn,
    latest: s.latest,
    latest_on: s.latestOn,
    latest_session_id: s.latestSessionId,
    cutoff: s.cutoff,
    status: s.status,
    trend: s.trend,
    band_p25: s.band?.p25 ?? null,
    band_p50: s.band?.p50 ?? null,
    band_p75: s.band?.p75 ?? null,
    band_cohort_size: s.band?.cohortSize ?? null,
    band_model: s.bandModel && { a25: s.bandModel.a25, a50: s.bandModel.a50, a75: s.bandModel.a75, cohortSize: s.bandModel.cohortSize },
    flags: s.flags as unknown[],
    severity: s.severity,
    is_primary: s.report !== null,
    age_group_at_intake: s.report?.ageGroupAtIntake ?? null,
    first_alliance: s.report?.firstAlliance ?? null,
    days_in_service: s.report?.daysInService ?? null,
    unsuccessful: s.report?.unsuccessful ?? null,
  }
}

export function familyRow(municipalityId: string, f: FamilyState): Selectable<FamilyStateTable> {
  return {
    municipality_id: municipalityId,
    family_id: f.familyId,
    coordinator_id: f.coordinatorId,
    active: f.status === 'active',
    started_on: f.startedOn,
    ending: f.ending,
    last_session_on: f.lastSessionOn,
    last_session_id: f.lastSessionId,
    session_count: f.sessionCount,
    severity: f.severity,
    flag_count: f.flagCount,
    left_behind: f.leftBehind,
  }
}

const SERIES_KEY = ['municipality_id', 'family_id', 'position']
const FAMILY_KEY = ['municipality_id', 'family_id']

/** `ON CONFLICT (key) DO UPDATE SET` every other column of the row from the proposed row. */
function upsert(row: Record<string, unknown>, key: readonly string[]) {
  const set = Object.keys(row)
    .filter((c) => !key.includes(c))
    .map((c) => `${c} = excluded.${c}`)
    .join(', ')
  return sql.raw(`ON CONFLICT (${key.join(', ')}) DO UPDATE SET ${set}`)
}

/**
 * Stores the computed state of these families, replacing what was stored. Rows travel as one
 * JSON parameter per statement, unpacked by jsonb_populate_recordset into the table's own row
 * type (every column is in the row objects), so neither the statement's text nor its building
 * grows with the number of rows. One family (the write path) takes one statement: its series
 * are upserted by position, positions beyond its series deleted, and its family row upserted,
 * in data-modifying CTEs.
 */
export async function writeFamilyStates(trx: Trx, municipalityId: string, familyIds: string[], computed: ComputedState[]): Promise<void> {
  if (familyIds.length === 0) return
  const series = computed.flatMap((c) => c.series.map((s) => seriesRow(municipalityId, c.family.familyId, s)))
  const families = computed.map((c) => familyRow(municipalityId, c.family))
  if (familyIds.length === 1 && families.length === 1) {
    const storeSeries =
      series.length === 0
        ? sql``
        : sql`, stored AS (INSERT INTO series_state SELECT * FROM jsonb_populate_recordset(NULL::series_state, ${JSON.stringify(series)}::jsonb) ${upsert(series[0], SERIES_KEY)})`
    await sql`
      WITH gone AS (DELETE FROM series_state WHERE family_id = ${familyIds[0]}::uuid AND position >= ${series.length}::integer) ${storeSeries}
      INSERT INTO family_state SELECT * FROM jsonb_populate_recordset(NULL::family_state, ${JSON.stringify(families)}::jsonb) ${upsert(families[0], FAMILY_KEY)}`.execute(
      trx,
    )
    return
  }
  await trx.deleteFrom('series_state').where('family_id', 'in', familyIds).execute()
  for (let k = 0; k < series.length; k += 1000) {
    await sql`INSERT INTO series_state SELECT * FROM jsonb_populate_recordset(NULL::series_state, ${JSON.stringify(series.slice(k, k + 1000))}::jsonb)`.execute(
      trx,
    )
  }
  for (let k = 0; k < families.length; k += 1000) {
    const rows = families.slice(k, k + 1000)
    await sql`INSERT INTO family_state SELECT * FROM jsonb_populate_recordset(NULL::family_state, ${JSON.stringify(rows)}::jsonb) ${upsert(rows[0], FAMILY_KEY)}`.execute(
      trx,
    )
  }
}

/** Deletes a family's stored state (a family that is gone or synthetic has none). */
export async function deleteFamilyState(trx: Trx, familyId: string): Promise<void> {
  await trx.deleteFrom('family_state').where('family_id', '=', familyId).execute()
  await trx.deleteFrom('series_state').where('family_id', '=', familyId).execute()
}

/** Whether some (not synthetic) family has no stored state (rows written around the service, e.g. by a bulk import). */
export async function familiesWithoutState(trx: Trx): Promise<boolean> {
  const missing = await sql<{ missing: boolean }>`
    SELECT EXISTS (SELECT 1 FROM families f WHERE NOT f.synthetic
                    AND NOT EXISTS (SELECT 1 FROM family_state s WHERE s.municipality_id = f.municipality_id AND s.family_id = f.family_id)) AS missing`.execute(
    trx,
  )
  return missing.rows[0]?.missing === true
}

/**
 * What a caseload page shows of its families beyond their standing: each family's external
 * reference and the stored flags of its series in display order, in one statement that also
 * sends `alongside` (the audit event of the read) as a data-modifying WITH.
 */
export async function caseloadDetails(
  trx: Trx,
  familyIds: string[],
  options: { alongside?: OperationNodeSource } = {},
): Promise<{ externalRefs: Map<string, string>; flags: Map<string, FamilyFlag[][]> }> {
  const externalRefs = new Map<string, string>()
  const flags = new Map<string, FamilyFlag[][]>()
  if (familyIds.length === 0) return { externalRefs, flags }
  const rows = await sql<{ family_id: string; external_ref: string; flags: FamilyFlag[] | null }>`
    ${options.alongside ? sql`WITH alongside AS (${options.alongside})` : sql``}
    SELECT f.family_id, f.external_ref, s.flags
      FROM families f
      LEFT JOIN series_state s ON s.municipality_id = f.municipality_id AND s.family_id = f.family_id AND s.severity IS NOT NULL
     WHERE f.family_id = ANY(${familyIds}::uuid[])
     ORDER BY f.family_id, s.position`.execute(trx)
  for (const r of rows.rows) {
    externalRefs.set(r.family_id, r.external_ref)
    if (r.flags === null) continue
    const list = flags.get(r.family_id)
    if (list) list.push(r.flags)
    else flags.set(r.family_id, [r.flags])
  }
  return { externalRefs, flags }
}

/** The stored standing of the active families, of one coordinator or the whole municipality. */
export async function activeFamilyStates(
  trx: Trx,
  coordinatorId: string | undefined,
): Promise<(StoredStanding & { coordinatorId: string; sessionCount: number })[]> {
  let q = trx
    .selectFrom('family_state')
    .select(['family_id', 'coordinator_id', 'active', 'started_on', 'last_session_on', 'last_session_id', 'session_count', 'severity', 'flag_count'])
    .where('active', '=', true)
  if (coordinatorId) q = q.where('coordinator_id', '=', coordinatorId)
  return (await q.execute()).map((s) => ({
    familyId: s.family_id,
    active: s.active,
    startedOn: s.started_on,
    lastSessionOn: s.last_session_on,
    lastSessionId: s.last_session_id,
    severity: s.severity as Severity | null,
    flagCount: s.flag_count,
    coordinatorId: s.coordinator_id,
    sessionCount: s.session_count,
  }))
}
