import { createHash } from 'node:crypto'
import type { Trx } from '../../db/kysely.js'
import type { FamilyRow, MemberRow } from '../../db/schema.js'
import type { Rater } from '../../contracts/common.js'
import type { Progress } from '../../contracts/progress.js'
import { groupBy } from '../group-by.js'
import { buildProgress } from '../../domain/progress.js'
import type { BandModelOf } from '../../domain/band-models.js'
import { buildSeries, seriesKey, type RatingFact, type SeriesIdentity } from '../../domain/series.js'
import type { InstrumentDef } from '../../domain/instruments.js'

/** The members, sessions and ratings of many families in three queries, whatever their number. */
export async function loadFamilyFacts(trx: Trx, familyIds: string[], known?: { members: Pick<MemberRow, 'member_id' | 'family_id' | 'alias' | 'role' | 'birth_date'>[] }) {
  if (familyIds.length === 0) return { members: [], sessions: [], ratings: [] }
  const [members, sessions, ratings] = await Promise.all([
    known?.members ?? trx.selectFrom('members').select(['member_id', 'family_id', 'alias', 'role', 'birth_date']).where('family_id', 'in', familyIds).orderBy('seq').execute(),
    trx.selectFrom('sessions').select(['session_id', 'family_id', 'held_on']).where('family_id', 'in', familyIds).execute(),
    trx
      .selectFrom('ratings')
      .innerJoin('sessions', (j) => j.onRef('sessions.municipality_id', '=', 'ratings.municipality_id').onRef('sessions.family_id', '=', 'ratings.family_id').onRef('sessions.session_id', '=', 'ratings.session_id'))
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

export interface ProgressContext {
  today: string
  instruments: InstrumentDef[]
  settings: { overdueDays: number; expectedBandMinSeries: number }
}

/** The outcome series of the families (identity and intake), whose band models a payload needs. */
export function seriesIntakes(facts: FamilyFacts) {
  return buildSeries(facts.ratings.map((r) => r.fact)).map((s) => ({ memberId: s.memberId, instrument: s.instrument, rater: s.rater, raterMemberId: s.raterMemberId, intake: s.points[0].total }))
}

/** Progress (tenths) of each family from facts loaded once for all of them. */
export function progressOf(families: FamilyRow[], facts: FamilyFacts, ctx: ProgressContext, bandModelOf: BandModelOf, onlyMemberId?: string | null): Map<string, Progress> {
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
