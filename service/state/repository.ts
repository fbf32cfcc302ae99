import { sql, type OperationNodeSource } from 'kysely'
import type { FamilyFlag } from '../contracts/progress.js'
import type { Db, Trx } from '../db/kysely.js'
import { forgetPreloadedMunicipality, inMunicipality } from '../db/kysely.js'
import type { Selectable } from 'kysely'
import type { FamilyRow, FamilyStateTable, MemberRow, SeriesStateTable } from '../db/schema.js'
import { familyState, STATE_RULE_VERSION, type FamilyState, type SeriesState } from '../domain/family-state.js'
import type { InstrumentDef } from '../domain/instruments.js'
import { loadBandModels } from '../routes/expected-bands/repository.js'
import { loadInstruments } from '../routes/instruments/repository.js'
import { loadFamilyFacts, seriesIntakes, type FamilyFacts } from '../routes/progress/repository.js'
import { municipality } from '../routes/settings/repository.js'
import { groupBy } from '../routes/group-by.js'
import type { AgeGroup, Ending, IsoDate, Rater, SeriesStatus } from '../contracts/common.js'
import { collateralRatersOf, periodOf, type ReportFamilyOutcome, type ReportPerson } from '../domain/report.js'

/**
 * The stored state (read model) of families: written in the caller's transaction after every
 * change that can alter it, always recomputed by the domain (service/domain/family-state.ts)
 * from the family's own rows, never patched by hand.
 */

type Computed = { family: FamilyState; series: SeriesState[] }

type StateSettings = { municipality_id: string; settings_version: string | number; expected_band_min_series: number }

/**
 * What computing state needs besides the families' facts; read once per request or rebuild
 * (after the families' locks), or taken from what the request has read after its lock.
 */
async function stateContext(trx: Trx, known?: StateSettings) {
  const m = known ?? (await municipality(trx, { fresh: true }))
  const instruments = (await loadInstruments(trx, m)).map((i) => i.def)
  return { instruments, minSeries: m.expected_band_min_series }
}

async function compute(trx: Trx, families: FamilyRow[], facts: FamilyFacts, ctx: { instruments: InstrumentDef[]; minSeries: number }): Promise<Computed[]> {
  const bandModelOf = await loadBandModels(trx, seriesIntakes(facts), ctx.instruments, ctx.minSeries)
  const members = groupBy(facts.members, (m) => m.family_id)
  const sessions = groupBy(facts.sessions, (s) => s.family_id)
  const ratings = groupBy(facts.ratings, (r) => r.familyId)
  return families.map((f) =>
    familyState({
      family: { id: f.family_id, coordinatorId: f.coordinator_id, startedOn: f.started_on, endedOn: f.ended_on, ending: f.ending },
      members: (members.get(f.family_id) ?? []).map((m) => ({ id: m.member_id, alias: m.alias, role: m.role, birthDate: m.birth_date })),
      sessions: (sessions.get(f.family_id) ?? []).map((s) => ({ id: s.session_id, heldOn: s.held_on })),
      ratings: (ratings.get(f.family_id) ?? []).map((r) => r.fact),
      instruments: ctx.instruments,
      bandModelOf,
    }),
  )
}

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
async function write(trx: Trx, municipalityId: string, familyIds: string[], computed: Computed[]): Promise<void> {
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
      INSERT INTO family_state SELECT * FROM jsonb_populate_recordset(NULL::family_state, ${JSON.stringify(families)}::jsonb) ${upsert(families[0], FAMILY_KEY)}`.execute(trx)
    return
  }
  await trx.deleteFrom('series_state').where('family_id', 'in', familyIds).execute()
  for (let k = 0; k < series.length; k += 1000) {
    await sql`INSERT INTO series_state SELECT * FROM jsonb_populate_recordset(NULL::series_state, ${JSON.stringify(series.slice(k, k + 1000))}::jsonb)`.execute(trx)
  }
  for (let k = 0; k < families.length; k += 1000) {
    const rows = families.slice(k, k + 1000)
    await sql`INSERT INTO family_state SELECT * FROM jsonb_populate_recordset(NULL::family_state, ${JSON.stringify(rows)}::jsonb) ${upsert(rows[0], FAMILY_KEY)}`.execute(trx)
  }
}

/**
 * Recomputes and stores one family's state, in the caller's transaction (which holds the
 * family's row lock on every write path). A family that is gone or synthetic has none. A caller
 * that holds the family's current row (every write but one to the family row itself) passes it,
 * and the members and the municipality's settings when it has read them, which saves their
 * round trips on the write path.
 */
export async function refreshFamilyState(trx: Trx, family: string | FamilyRow, known?: { settings: StateSettings; members: MemberRow[] }): Promise<void> {
  const row = typeof family === 'string' ? await trx.selectFrom('families').selectAll().where('family_id', '=', family).executeTakeFirst() : family
  const familyId = typeof family === 'string' ? family : family.family_id
  if (!row || row.synthetic) {
    await trx.deleteFrom('family_state').where('family_id', '=', familyId).execute()
    await trx.deleteFrom('series_state').where('family_id', '=', familyId).execute()
    return
  }
  const [ctx, facts] = await Promise.all([stateContext(trx, known?.settings), loadFamilyFacts(trx, [familyId], known && { members: known.members })])
  await write(trx, row.municipality_id, [familyId], await compute(trx, [row], facts, ctx))
}

/** The state the rules give for these families now, as rows (for checks against the stored rows). */
export async function computedStateRows(trx: Trx, familyIds: string[]) {
  const families = await trx.selectFrom('families').selectAll().where('family_id', 'in', familyIds).where('synthetic', '=', false).orderBy('family_id').execute()
  const [ctx, facts] = await Promise.all([stateContext(trx), loadFamilyFacts(trx, families.map((f) => f.family_id))])
  const computed = await compute(trx, families, facts, ctx)
  return {
    families: computed.map((c) => familyRow(families[0]?.municipality_id ?? '', c.family)),
    series: computed.flatMap((c) => c.series.map((s) => seriesRow(families[0]?.municipality_id ?? '', c.family.familyId, s))),
  }
}

// Families per read while rebuilding: their facts are all the memory a rebuild holds.
const FAMILY_CHUNK = 100

/**
 * Rebuilds the municipality's whole state in the caller's transaction, a chunk of families at a
 * time, and records the rule version it was computed under.
 */
export async function rebuildMunicipalityState(trx: Trx, municipalityId: string, onProgress?: (done: number, total: number) => void): Promise<{ families: number; series: number }> {
  const ctx = await stateContext(trx)
  // Every write to a family holds its row lock while it refreshes the family's state. Taking the
  // same locks first, in one order, lets writes in flight finish and holds back new ones until
  // the rebuild commits, instead of both waiting on each other's state rows (a deadlock). A
  // family created meanwhile is not in the list and keeps the state its own write stored; each
  // chunk replaces the state of its own families only.
  const families = await trx.selectFrom('families').selectAll().where('synthetic', '=', false).orderBy('family_id').forNoKeyUpdate().execute()
  let series = 0
  for (let i = 0; i < families.length; i += FAMILY_CHUNK) {
    const chunk = families.slice(i, i + FAMILY_CHUNK)
    const computed = await compute(trx, chunk, await loadFamilyFacts(trx, chunk.map((f) => f.family_id)), ctx)
    await write(trx, municipalityId, chunk.map((f) => f.family_id), computed)
    series += computed.reduce((n, c) => n + c.series.length, 0)
    onProgress?.(Math.min(i + FAMILY_CHUNK, families.length), families.length)
  }
  await trx.updateTable('municipalities').set({ state_rule_version: STATE_RULE_VERSION }).where('municipality_id', '=', municipalityId).execute()
  forgetPreloadedMunicipality(trx)
  return { families: families.length, series }
}

/**
 * Rebuilds the state of every municipality whose state was computed under other rules, never
 * built, or misses families (rows written around the service, e.g. by a bulk import). Run at
 * start, before the service listens.
 */
export async function rebuildStaleState(db: Db, log: (message: string) => void): Promise<number> {
  const municipalities = await db.selectFrom('municipalities').select(['municipality_id', 'state_rule_version']).orderBy('created_at').execute()
  let rebuilt = 0
  for (const m of municipalities) {
    const done = await inMunicipality(db, m.municipality_id, async (trx) => {
      if (m.state_rule_version === STATE_RULE_VERSION) {
        const missing = await sql<{ missing: boolean }>`
          SELECT EXISTS (SELECT 1 FROM families f WHERE NOT f.synthetic
                          AND NOT EXISTS (SELECT 1 FROM family_state s WHERE s.municipality_id = f.municipality_id AND s.family_id = f.family_id)) AS missing`.execute(trx)
        if (!missing.rows[0]?.missing) return false
      }
      const why = m.state_rule_version === null ? 'never built' : m.state_rule_version === STATE_RULE_VERSION ? 'families without state' : `rule version ${m.state_rule_version} → ${STATE_RULE_VERSION}`
      log(`rebuilding the stored state of municipality ${m.municipality_id} (${why})`)
      const counts = await rebuildMunicipalityState(trx, m.municipality_id, (done, total) => log(`  ${done}/${total} families`))
      log(`  ${counts.families} families, ${counts.series} series`)
      return true
    })
    if (done) rebuilt++
  }
  return rebuilt
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
export async function activeFamilyStates(trx: Trx, coordinatorId: string | undefined) {
  let q = trx
    .selectFrom('family_state')
    .select(['family_id', 'coordinator_id', 'active', 'started_on', 'last_session_on', 'last_session_id', 'session_count', 'severity', 'flag_count'])
    .where('active', '=', true)
  if (coordinatorId) q = q.where('coordinator_id', '=', coordinatorId)
  return q.execute()
}

/**
 * What the outcome report counts, from the stored state: the persons whose primary series ends
 * in the period (with their collateral raters in it) and their families' endings. Filtering by
 * period here only leaves out persons the domain would not count.
 */
export async function reportInputs(trx: Trx, period: { from: IsoDate; to: IsoDate }) {
  // Every primary series of the municipality, whatever its period or coordinator: the report
  // weighs each answer against the broader questions the caller could ask.
  const primary = trx
    .selectFrom('series_state as s')
    .innerJoin('family_state as f', (j) => j.onRef('f.municipality_id', '=', 's.municipality_id').onRef('f.family_id', '=', 's.family_id'))
    .select(['s.family_id', 's.member_id', 's.age_group_at_intake', 's.intake', 's.latest', 's.latest_on', 's.points', 's.days_in_service', 's.first_alliance', 's.cutoff', 's.status', 'f.coordinator_id', 'f.ending', 'f.left_behind'])
    .where('s.is_primary', '=', true)
  const collateral = trx
    .selectFrom('series_state')
    .select(['member_id', 'instrument_code', 'rater', 'rater_member_id', 'latest_on'])
    .where('rater', '<>', 'self')
    .where('latest_on', '>=', period.from)
    .where('latest_on', '<=', period.to)
  const [primaryRows, collateralRows] = await Promise.all([primary.execute(), collateral.execute()])
  const collateralOf = groupBy(collateralRows, (r) => r.member_id)
  const inPeriod = periodOf(period)
  const persons: ReportPerson[] = primaryRows.map((r) => ({
    memberId: r.member_id,
    familyId: r.family_id,
    ageGroup: r.age_group_at_intake as AgeGroup | null,
    intake: r.intake,
    latest: r.latest,
    latestOn: r.latest_on,
    sessions: r.points,
    daysInService: r.days_in_service!,
    firstAlliance: r.first_alliance,
    cutoff: r.cutoff,
    status: r.status as SeriesStatus | null,
    collateralRaters: collateralRatersOf(
      (collateralOf.get(r.member_id) ?? []).map((c) => ({ instrument: c.instrument_code, rater: c.rater as Rater, raterMemberId: c.rater_member_id, latestOn: c.latest_on })),
      inPeriod,
    ),
  }))
  const families = new Map<string, ReportFamilyOutcome>(primaryRows.map((r) => [r.family_id, { coordinatorId: r.coordinator_id, ending: r.ending as Ending | null, leftBehind: r.left_behind }]))
  return { persons, families }
}
