import { createHash } from 'node:crypto'
import type { Trx } from '../../db/kysely.js'
import type { FamilyRow } from '../../db/schema.js'
import type { Rater } from '../../contracts/common.js'
import type { Progress } from '../../contracts/progress.js'
import { groupBy } from '../group-by.js'
import { buildProgress } from '../../domain/progress.js'
import { referenceIndex, type BandModel, type ReferenceIndex } from '../../domain/expected-band.js'
import { seriesKey, type RatingFact, type SeriesIdentity } from '../../domain/series.js'
import type { InstrumentDef } from '../../domain/instruments.js'

/** The members, sessions and ratings of many families in three queries, whatever their number. */
export async function loadFamilyFacts(trx: Trx, familyIds: string[]) {
  if (familyIds.length === 0) return { members: [], sessions: [], ratings: [] }
  const [members, sessions, ratings] = await Promise.all([
    trx.selectFrom('members').select(['member_id', 'family_id', 'alias', 'role', 'birth_date']).where('family_id', 'in', familyIds).orderBy('seq').execute(),
    trx.selectFrom('sessions').select(['session_id', 'family_id', 'held_on']).where('family_id', 'in', familyIds).execute(),
    trx
      .selectFrom('ratings')
      .innerJoin('sessions', (j) => j.onRef('sessions.session_id', '=', 'ratings.session_id').onRef('sessions.municipality_id', '=', 'ratings.municipality_id'))
      .select(['ratings.rating_id', 'ratings.family_id', 'ratings.session_id', 'sessions.held_on', 'ratings.created_at', 'ratings.member_id', 'ratings.instrument_code', 'ratings.rater', 'ratings.rater_member_id', 'ratings.items', 'ratings.total'])
      .where('ratings.family_id', 'in', familyIds)
      .execute(),
  ])
  return {
    members,
    sessions,
    ratings: ratings.map((r) => ({
      familyId: r.family_id,
      fact: {
        ratingId: r.rating_id,
        sessionId: r.session_id,
        heldOn: r.held_on,
        createdAt: new Date(r.created_at).toISOString(),
        memberId: r.member_id,
        instrument: r.instrument_code,
        rater: r.rater as Rater,
        raterMemberId: r.rater_member_id,
        items: r.items,
        total: r.total,
      } satisfies RatingFact,
    })),
  }
}

export type FamilyFacts = Awaited<ReturnType<typeof loadFamilyFacts>>

/** The anonymised key a series carries in reference_series: a one-way hash of its identity. */
export function referenceKeyOf(series: SeriesIdentity): string {
  return createHash('sha256').update(seriesKey(series)).digest('base64url').slice(0, 24)
}

const referenceCache = new Map<string, { version: string; index: ReferenceIndex; bandModels: Map<string, BandModel | null> }>()

/**
 * The municipality's reference series as an index by instrument. Parsing a few thousand rows is
 * most of a progress request's work, and the set changes only when recompute-bands runs, so the
 * parsed index is kept per municipality and reused while a one-row version check (count and
 * newest build time) says it is unchanged — correct across instances without a TTL.
 */
export async function loadReferenceIndex(trx: Trx, municipalityId: string): Promise<{ index: ReferenceIndex; bandModels: Map<string, BandModel | null> }> {
  const v = await trx
    .selectFrom('reference_series')
    .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.max('built_at').as('latest')])
    .executeTakeFirstOrThrow()
  const version = `${v.n}|${v.latest ? new Date(v.latest).getTime() : 0}`
  const hit = referenceCache.get(municipalityId)
  if (hit && hit.version === version) {
    if (hit.bandModels.size > 100_000) hit.bandModels.clear()
    return hit
  }
  const rows = await trx.selectFrom('reference_series').select(['series_key', 'instrument_code', 'intake', 'scores']).execute()
  const index = referenceIndex(rows.map((r) => ({ key: r.series_key, instrument: r.instrument_code, intake: r.intake, scores: r.scores })))
  if (referenceCache.size > 1000) referenceCache.clear()
  const entry = { version, index, bandModels: new Map<string, BandModel | null>() }
  referenceCache.set(municipalityId, entry)
  return entry
}

export interface ProgressContext {
  today: string
  instruments: InstrumentDef[]
  settings: { overdueDays: number; expectedBandMinSeries: number }
  reference: ReferenceIndex
  /** Band models computed for this reference set (see ProgressInput.bandModels). */
  bandModels?: Map<string, BandModel | null>
}

/** Progress (tenths) of each family from facts loaded once for all of them. */
export function progressOf(families: FamilyRow[], facts: FamilyFacts, ctx: ProgressContext, onlyMemberId?: string | null): Map<string, Progress> {
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
        reference: ctx.reference,
        bandModels: ctx.bandModels,
        referenceKeyOf,
      }),
    )
  }
  return out
}
