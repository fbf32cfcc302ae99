import type { Db, Trx } from '../db/kysely.js'
import { forgetPreloadedMunicipality, inMunicipality } from '../db/kysely.js'
import type { FamilyRow, MemberRow } from '../db/schema.js'
import { familyState, STATE_RULE_VERSION } from '../domain/family-state.js'
import { groupBy } from '../domain/group-by.js'
import type { InstrumentDef } from '../domain/instruments.js'
import { seriesIntakes } from '../domain/series.js'
import { loadBandModels } from '../repositories/band-models.js'
import { anyFamilyRow, familyRows, lockAllFamilies } from '../repositories/families.js'
import { loadFamilyFacts, type FamilyFacts } from '../repositories/family-facts.js'
import { deleteFamilyState, familiesWithoutState, familyRow, seriesRow, writeFamilyStates, type ComputedState } from '../repositories/family-state.js'
import { loadInstruments } from '../repositories/instruments.js'
import { allMunicipalities, municipality, setStateRuleVersion } from '../repositories/municipalities.js'

/**
 * The stored state (read model) of families: written in the caller's transaction after every
 * change that can alter it, always recomputed by the domain (service/domain/family-state.ts)
 * from the family's own rows, never patched by hand.
 */

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

async function compute(
  trx: Trx,
  families: FamilyRow[],
  facts: FamilyFacts,
  ctx: { instruments: InstrumentDef[]; minSeries: number },
): Promise<ComputedState[]> {
  const bandModelOf = await loadBandModels(trx, seriesIntakes(facts.ratings.map((r) => r.fact)), ctx.instruments, ctx.minSeries)
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

/**
 * Recomputes and stores one family's state, in the caller's transaction (which holds the
 * family's row lock on every write path). A family that is gone or synthetic has none. A caller
 * that holds the family's current row (every write but one to the family row itself) passes it,
 * and the members and the municipality's settings when it has read them, which saves their
 * round trips on the write path.
 */
export async function refreshFamilyState(trx: Trx, family: string | FamilyRow, known?: { settings: StateSettings; members: MemberRow[] }): Promise<void> {
  const row = typeof family === 'string' ? await anyFamilyRow(trx, family) : family
  const familyId = typeof family === 'string' ? family : family.family_id
  if (!row || row.synthetic) return deleteFamilyState(trx, familyId)
  const [ctx, facts] = await Promise.all([stateContext(trx, known?.settings), loadFamilyFacts(trx, [familyId], known && { members: known.members })])
  await writeFamilyStates(trx, row.municipality_id, [familyId], await compute(trx, [row], facts, ctx))
}

/** The state the rules give for these families now, as rows (for checks against the stored rows). */
export async function computedStateRows(trx: Trx, familyIds: string[]) {
  const families = await familyRows(trx, familyIds)
  const [ctx, facts] = await Promise.all([
    stateContext(trx),
    loadFamilyFacts(
      trx,
      families.map((f) => f.family_id),
    ),
  ])
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
export async function rebuildMunicipalityState(
  trx: Trx,
  municipalityId: string,
  onProgress?: (done: number, total: number) => void,
): Promise<{ families: number; series: number }> {
  const ctx = await stateContext(trx)
  // Every write to a family holds its row lock while it refreshes the family's state. Taking the
  // same locks first, in one order, lets writes in flight finish and holds back new ones until
  // the rebuild commits, instead of both waiting on each other's state rows (a deadlock). A
  // family created meanwhile is not in the list and keeps the state its own write stored; each
  // chunk replaces the state of its own families only.
  const families = await lockAllFamilies(trx)
  let series = 0
  for (let i = 0; i < families.length; i += FAMILY_CHUNK) {
    const chunk = families.slice(i, i + FAMILY_CHUNK)
    const computed = await compute(
      trx,
      chunk,
      await loadFamilyFacts(
        trx,
        chunk.map((f) => f.family_id),
      ),
      ctx,
    )
    await writeFamilyStates(
      trx,
      municipalityId,
      chunk.map((f) => f.family_id),
      computed,
    )
    series += computed.reduce((n, c) => n + c.series.length, 0)
    onProgress?.(Math.min(i + FAMILY_CHUNK, families.length), families.length)
  }
  await setStateRuleVersion(trx, municipalityId, STATE_RULE_VERSION)
  forgetPreloadedMunicipality(trx)
  return { families: families.length, series }
}

/**
 * Rebuilds the state of every municipality whose state was computed under other rules, never
 * built, or misses families (rows written around the service, e.g. by a bulk import). Run at
 * start, before the service listens.
 */
export async function rebuildStaleState(db: Db, log: (message: string) => void): Promise<number> {
  let rebuilt = 0
  for (const m of await allMunicipalities(db)) {
    const done = await inMunicipality(db, m.municipalityId, async (trx) => {
      if (m.stateRuleVersion === STATE_RULE_VERSION && !(await familiesWithoutState(trx))) return false
      const why =
        m.stateRuleVersion === null
          ? 'never built'
          : m.stateRuleVersion === STATE_RULE_VERSION
            ? 'families without state'
            : `rule version ${m.stateRuleVersion} → ${STATE_RULE_VERSION}`
      log(`rebuilding the stored state of municipality ${m.municipalityId} (${why})`)
      const counts = await rebuildMunicipalityState(trx, m.municipalityId, (done, total) => log(`  ${done}/${total} families`))
      log(`  ${counts.families} families, ${counts.series} series`)
      return true
    })
    if (done) rebuilt++
  }
  return rebuilt
}
