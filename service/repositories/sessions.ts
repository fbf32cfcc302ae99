import { sql, type OperationNodeSource } from 'kysely'
import type { Trx } from '../db/kysely.js'
import type { RatingRow, SessionRow } from '../db/schema.js'
import type { Rating, Session, UpdateSession } from '../contracts/sessions.js'
import type { SessionKind, Rater } from '../contracts/common.js'
import { groupBy } from '../domain/group-by.js'
import type { RatingValues } from '../domain/rating-rules.js'
import { toPoints } from '../domain/score-units.js'
import { keysetPage, type Position } from './keyset.js'

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

/** A stored rating's values as the rating rules see them (tenths). */
export function toRatingValues(row: RatingRow): RatingValues {
  return {
    memberId: row.member_id,
    instrument: row.instrument_code,
    rater: row.rater as Rater,
    raterMemberId: row.rater_member_id,
    items: row.items,
    total: row.total,
    overrideReason: row.override_reason,
  }
}

/** The rating's own columns. */
function ratingColumns(v: RatingValues) {
  return {
    member_id: v.memberId,
    instrument_code: v.instrument,
    rater: v.rater,
    rater_member_id: v.raterMemberId,
    items: v.items,
    total: v.total,
    override_reason: v.overrideReason,
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

/**
 * A session and its ratings in one statement: the session is inserted in a CTE and each rating
 * takes its id from it (the ratings' foreign key is checked at the statement's end, when the
 * session is there). The answer is one row per rating with the session's own columns, or one
 * row of the session alone when it has no ratings. `alongside` (the audit event) is one more
 * data-modifying WITH of the same statement; `input.id` names the session (else the database does).
 */
export async function insertSession(
  trx: Trx,
  municipalityId: string,
  familyId: string,
  input: { heldOn: string; kind: string; note?: string; id?: string },
  ratings: RatingValues[],
  options: { alongside?: OperationNodeSource } = {},
): Promise<Session> {
  type Row = RatingRow & {
    s_session_id: string
    s_family_id: string
    s_held_on: string
    s_kind: string
    s_note: string | null
    s_created_at: Date
    s_municipality_id: string
  }
  const r = await sql<Row>`
    WITH ${options.alongside ? sql`alongside AS (${options.alongside}),` : sql``} s AS (
      INSERT INTO sessions (municipality_id, family_id, session_id, held_on, kind, note)
      VALUES (${municipalityId}::uuid, ${familyId}::uuid, coalesce(${input.id ?? null}::uuid, gen_random_uuid()), ${input.heldOn}::date, ${input.kind}, ${input.note ?? null})
      RETURNING *
    ), r AS (
      INSERT INTO ratings (municipality_id, family_id, session_id, member_id, instrument_code, rater, rater_member_id, items, total, override_reason)
      SELECT s.municipality_id, s.family_id, s.session_id, v.member_id, v.instrument_code, v.rater, v.rater_member_id, v.items, v.total, v.override_reason
        FROM s, jsonb_populate_recordset(NULL::ratings, ${JSON.stringify(ratings.map(ratingColumns))}::jsonb) v
      RETURNING *
    )
    SELECT r.*, s.municipality_id AS s_municipality_id, s.session_id AS s_session_id, s.family_id AS s_family_id, s.held_on AS s_held_on,
           s.kind AS s_kind, s.note AS s_note, s.created_at AS s_created_at
      FROM s LEFT JOIN r ON true
     ORDER BY r.seq`.execute(trx)
  const first = r.rows[0]
  const session: SessionRow = {
    municipality_id: first.s_municipality_id,
    session_id: first.s_session_id,
    family_id: first.s_family_id,
    held_on: first.s_held_on,
    kind: first.s_kind,
    note: first.s_note,
    created_at: first.s_created_at,
  }
  const rows = r.rows.filter((x) => x.rating_id !== null)
  return toSession(session, rows)
}

export async function insertRatings(trx: Trx, municipalityId: string, familyId: string, sessionId: string, ratings: RatingValues[]): Promise<RatingRow[]> {
  if (ratings.length === 0) return []
  return trx
    .insertInto('ratings')
    .values(ratings.map((r) => ({ ...ratingColumns(r), municipality_id: municipalityId, family_id: familyId, session_id: sessionId })))
    .returningAll()
    .execute()
}

const createdMicros = sql<number>`(extract(epoch from created_at) * 1000000)::bigint`

/** Newest first: by date, then by when it was logged; `after` is the position a previous page ended at. */
export async function listSessions(
  trx: Trx,
  familyId: string,
  { after, limit }: { after: Position | null; limit: number },
): Promise<{ items: Session[]; next: Position | null }> {
  let q = trx.selectFrom('sessions').selectAll().select(createdMicros.as('created_us')).where('family_id', '=', familyId)
  if (after) q = q.where(sql<boolean>`(held_on, ${createdMicros}, session_id) < (${after[0]}::date, ${after[1]}::bigint, ${after[2]}::uuid)`)
  const rows = await q
    .orderBy('held_on', 'desc')
    .orderBy(createdMicros, 'desc')
    .orderBy('session_id', 'desc')
    .limit(limit + 1)
    .execute()
  const result = keysetPage(rows, limit, (r) => [r.held_on, r.created_us, r.session_id])
  const ratings = groupBy(
    await ratingsOf(
      trx,
      result.items.map((s) => s.session_id),
    ),
    (r) => r.session_id,
  )
  return {
    items: result.items.map((s) => toSession(s, ratings.get(s.session_id) ?? [])),
    next: result.next,
  }
}

/** Every session of a family with its ratings, oldest first (the family's export). */
export async function sessionsOfFamily(trx: Trx, familyId: string): Promise<Session[]> {
  const rows = await trx.selectFrom('sessions').selectAll().where('family_id', '=', familyId).orderBy('held_on').orderBy('created_at').execute()
  const ratings = groupBy(
    await ratingsOf(
      trx,
      rows.map((s) => s.session_id),
    ),
    (x) => x.session_id,
  )
  return rows.map((s) => toSession(s, ratings.get(s.session_id) ?? []))
}

/** The family a session belongs to, if the session exists. */
export async function familyOfSession(trx: Trx, sessionId: string): Promise<string | undefined> {
  return (await trx.selectFrom('sessions').select(['session_id', 'family_id']).where('session_id', '=', sessionId).executeTakeFirst())?.family_id
}

export async function updateSession(trx: Trx, sessionId: string, patch: UpdateSession): Promise<SessionRow> {
  return trx
    .updateTable('sessions')
    .set({
      ...(patch.heldOn !== undefined && { held_on: patch.heldOn }),
      ...(patch.kind !== undefined && { kind: patch.kind }),
      ...(patch.note !== undefined && { note: patch.note }),
    })
    .where('session_id', '=', sessionId)
    .returningAll()
    .executeTakeFirstOrThrow()
}

/** Deletes a session; its ratings go with it (their foreign key cascades). */
export async function deleteSession(trx: Trx, sessionId: string): Promise<void> {
  await trx.deleteFrom('sessions').where('session_id', '=', sessionId).execute()
}

export async function updateRating(trx: Trx, ratingId: string, values: RatingValues): Promise<RatingRow> {
  return trx.updateTable('ratings').set(ratingColumns(values)).where('rating_id', '=', ratingId).returningAll().executeTakeFirstOrThrow()
}

/** Deletes one rating of a session; the row as it was, or undefined when there was none. */
export async function deleteRating(trx: Trx, sessionId: string, ratingId: string): Promise<RatingRow | undefined> {
  return trx.deleteFrom('ratings').where('session_id', '=', sessionId).where('rating_id', '=', ratingId).returningAll().executeTakeFirst()
}
