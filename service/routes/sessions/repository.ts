import { sql } from 'kysely'
import type { Trx } from '../../db/kysely.js'
import type { RatingRow, SessionRow } from '../../db/schema.js'
import type { Rating, Session } from '../../contracts/sessions.js'
import type { SessionKind, Rater } from '../../contracts/common.js'
import { decodeCursor, page } from '../cursor.js'
import { groupBy } from '../group-by.js'
import { toPoints } from '../score-units.js'
import type { RatingValues } from './rules.js'

export function toRating(row: RatingRow): Rating {
  return {
    id: row.rating_id,
    sessionId: row.session_id,
    memberId: row.member_id,
    instrument: row.instrument_code,
    rater: row.rater as Rater,
    raterMemberId: row.rater_member_id,
    items: row.items === null ? null : row.items.map(toPoints),
    total: toPoints(row.total),
    instrumentOverride: row.override_reason === null ? null : { reason: row.override_reason },
    createdAt: new Date(row.created_at).toISOString(),
  }
}

export function toSession(row: SessionRow, ratings: RatingRow[]): Session {
  return {
    id: row.session_id,
    familyId: row.family_id,
    heldOn: row.held_on,
    kind: row.kind as SessionKind,
    note: row.note,
    ratings: ratings.map(toRating),
    createdAt: new Date(row.created_at).toISOString(),
  }
}

export async function findSessionRow(trx: Trx, sessionId: string): Promise<SessionRow | undefined> {
  return trx.selectFrom('sessions').selectAll().where('session_id', '=', sessionId).executeTakeFirst()
}

export async function ratingsOf(trx: Trx, sessionIds: string[]): Promise<RatingRow[]> {
  if (sessionIds.length === 0) return []
  return trx.selectFrom('ratings').selectAll().where('session_id', 'in', sessionIds).orderBy('seq').execute()
}

export async function insertSession(
  trx: Trx,
  municipalityId: string,
  familyId: string,
  input: { heldOn: string; kind: string; note?: string },
  ratings: RatingValues[],
): Promise<Session> {
  const session = await trx
    .insertInto('sessions')
    .values({ municipality_id: municipalityId, family_id: familyId, held_on: input.heldOn, kind: input.kind, note: input.note ?? null })
    .returningAll()
    .executeTakeFirstOrThrow()
  const rows = await insertRatings(trx, municipalityId, familyId, session.session_id, ratings)
  return toSession(session, rows)
}

export async function insertRatings(trx: Trx, municipalityId: string, familyId: string, sessionId: string, ratings: RatingValues[]): Promise<RatingRow[]> {
  if (ratings.length === 0) return []
  return trx
    .insertInto('ratings')
    .values(ratings.map((r) => ({ ...r, municipality_id: municipalityId, family_id: familyId, session_id: sessionId })))
    .returningAll()
    .execute()
}

const createdMicros = sql<number>`(extract(epoch from created_at) * 1000000)::bigint`

/** Newest first: by date, then by when it was logged. */
export async function listSessions(trx: Trx, familyId: string, query: { limit: number; cursor?: string }) {
  const after = decodeCursor(query.cursor, ['date', 'int', 'uuid'])
  let q = trx.selectFrom('sessions').selectAll().select(createdMicros.as('created_us')).where('family_id', '=', familyId)
  if (after) q = q.where(sql<boolean>`(held_on, ${createdMicros}, session_id) < (${after[0]}::date, ${after[1]}::bigint, ${after[2]}::uuid)`)
  const rows = await q.orderBy('held_on', 'desc').orderBy(createdMicros, 'desc').orderBy('session_id', 'desc').limit(query.limit + 1).execute()
  const result = page(rows, query.limit, (r) => [r.held_on, r.created_us, r.session_id])
  const ratings = groupBy(await ratingsOf(trx, result.items.map((s) => s.session_id)), (r) => r.session_id)
  return {
    items: result.items.map((s) => toSession(s, ratings.get(s.session_id) ?? [])),
    nextCursor: result.nextCursor,
  }
}
