import { sql } from 'kysely'
import type { Trx } from '../db/kysely.js'
import type { MemberRow } from '../db/schema.js'
import type { Rater } from '../contracts/common.js'
import type { RatingFact } from '../domain/series.js'

/** The members, sessions and ratings of many families in two queries, whatever their number. */
export async function loadFamilyFacts(
  trx: Trx,
  familyIds: string[],
  known?: { members: Pick<MemberRow, 'member_id' | 'family_id' | 'alias' | 'role' | 'birth_date'>[] },
) {
  if (familyIds.length === 0) return { members: [], sessions: [], ratings: [] }
  // Sessions and their ratings in one statement: a session without ratings is one row of nulls.
  const [members, rows] = await Promise.all([
    known?.members ??
      trx.selectFrom('members').select(['member_id', 'family_id', 'alias', 'role', 'birth_date']).where('family_id', 'in', familyIds).orderBy('seq').execute(),
    trx
      .selectFrom('sessions')
      // The ratings' own family condition lets the planner reach them through their family index
      // for any number of families: joined on the session alone, two hundred families' sessions
      // (the rebuild's chunk) made it hash-join a scan of every rating of the municipality.
      .leftJoin('ratings', (j) =>
        j
          .onRef('ratings.municipality_id', '=', 'sessions.municipality_id')
          .onRef('ratings.family_id', '=', 'sessions.family_id')
          .onRef('ratings.session_id', '=', 'sessions.session_id')
          .on('ratings.family_id', 'in', familyIds),
      )
      .select([
        'sessions.session_id',
        'sessions.family_id',
        'sessions.held_on',
        'ratings.rating_id',
        'ratings.member_id',
        'ratings.instrument_code',
        'ratings.rater',
        'ratings.rater_member_id',
        'ratings.items',
        'ratings.total',
      ])
      // The instant as the ISO text Date#toISOString gives (milliseconds, truncated), formatted
      // by the database: parsing a Date per rating only to print it again was a hot spot.
      .select(sql<string | null>`to_char(ratings.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`.as('created_at'))
      .where('sessions.family_id', 'in', familyIds)
      .execute(),
  ])
  const sessions: { session_id: string; family_id: string; held_on: string }[] = []
  const ratings: { familyId: string; fact: RatingFact }[] = []
  const seen = new Set<string>()
  for (const r of rows) {
    if (!seen.has(r.session_id)) {
      seen.add(r.session_id)
      sessions.push({ session_id: r.session_id, family_id: r.family_id, held_on: r.held_on })
    }
    if (r.rating_id === null) continue
    ratings.push({
      familyId: r.family_id,
      fact: {
        ratingId: r.rating_id,
        sessionId: r.session_id,
        heldOn: r.held_on,
        createdAt: r.created_at!,
        memberId: r.member_id!,
        instrument: r.instrument_code!,
        rater: r.rater as Rater,
        raterMemberId: r.rater_member_id,
        items: r.items,
        total: r.total!,
      },
    })
  }
  return { members, sessions, ratings }
}

export type FamilyFacts = Awaited<ReturnType<typeof loadFamilyFacts>>
