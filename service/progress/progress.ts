import type { Progress } from '../contracts/progress.js'
import type { Trx } from '../db/kysely.js'
import type { FamilyRow } from '../db/schema.js'
import { bandModelsFromState, type BandModelOf, type StoredBand } from '../domain/band-models.js'
import { todayIn } from '../domain/calendar.js'
import { groupBy } from '../domain/group-by.js'
import { isPsychometricOutcome, type InstrumentDef } from '../domain/instruments.js'
import { buildProgress } from '../domain/progress.js'
import { seriesIntakes as intakesOf } from '../domain/series.js'
import { loadBandModels } from '../repositories/band-models.js'
import type { FamilyFacts } from '../repositories/family-facts.js'
import { loadInstruments } from '../repositories/instruments.js'
import { municipality } from '../repositories/municipalities.js'

/**
 * Progress of families from their stored facts: what the progress route answers and what the
 * model tests compare the stored state with. The rules are the domain's; this module gathers
 * what they need.
 */

export interface ProgressContext {
  today: string
  instruments: InstrumentDef[]
  settings: { overdueDays: number; expectedBandMinSeries: number }
}

/** Everything a progress computation needs besides the families' own facts. */
export async function progressContext(trx: Trx): Promise<ProgressContext & { showAllianceToFamilies: boolean }> {
  const m = await municipality(trx)
  const instruments = await loadInstruments(trx, m)
  return {
    today: todayIn(m.time_zone),
    instruments: instruments.map((i) => i.def),
    settings: { overdueDays: m.overdue_days, expectedBandMinSeries: m.expected_band_min_series },
    showAllianceToFamilies: m.show_alliance_to_families,
  }
}

/** The outcome series of the families (identity and intake), whose band models a payload needs. */
export function seriesIntakes(facts: FamilyFacts) {
  return intakesOf(facts.ratings.map((r) => r.fact))
}

/** Progress (tenths) of each family from facts loaded once for all of them. */
export function progressOf(
  families: FamilyRow[],
  facts: FamilyFacts,
  ctx: ProgressContext,
  bandModelOf: BandModelOf,
  onlyMemberId?: string | null,
): Map<string, Progress> {
  const members = groupBy(facts.members, (m) => m.family_id)
  const sessions = groupBy(facts.sessions, (s) => s.family_id)
  const ratings = groupBy(facts.ratings, (r) => r.familyId)
  const out = new Map<string, Progress>()
  for (const family of families) {
    const familyMembers = (members.get(family.family_id) ?? []).filter((m) => !onlyMemberId || m.member_id === onlyMemberId)
    out.set(
      family.family_id,
      buildProgress({
        today: ctx.today,
        family: { id: family.family_id, startedOn: family.started_on, status: family.ended_on === null ? 'active' : 'ended' },
        members: familyMembers.map((m) => ({ id: m.member_id, alias: m.alias, role: m.role, birthDate: m.birth_date })),
        sessions: (sessions.get(family.family_id) ?? []).map((s) => ({ id: s.session_id, heldOn: s.held_on })),
        ratings: (ratings.get(family.family_id) ?? []).map((r) => r.fact),
        instruments: ctx.instruments,
        settings: ctx.settings,
        bandModelOf,
      }),
    )
  }
  return out
}

/**
 * Progress of families from their facts, with the band models their series need: from the
 * families' stored state when the caller read it and it covers every series, else looked up.
 */
export async function progressWithBands(
  trx: Trx,
  families: FamilyRow[],
  facts: FamilyFacts,
  ctx: ProgressContext,
  onlyMemberId?: string | null,
  storedBands?: readonly StoredBand[],
) {
  const needed = seriesIntakes(facts).filter((s) => isOutcomeCode(ctx.instruments, s.instrument))
  const bandModelOf =
    (storedBands && bandModelsFromState(storedBands, needed)) ?? (await loadBandModels(trx, needed, ctx.instruments, ctx.settings.expectedBandMinSeries))
  return progressOf(families, facts, ctx, bandModelOf, onlyMemberId)
}

function isOutcomeCode(instruments: readonly InstrumentDef[], code: string): boolean {
  const instrument = instruments.find((i) => i.code === code)
  return instrument !== undefined && isPsychometricOutcome(instrument)
}
