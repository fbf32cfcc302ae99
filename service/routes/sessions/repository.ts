import { sql, type OperationNodeSource } from 'kysely'
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
  type Row = RatingRow & { s_session_id: string; s_family_id: string; s_held_on: string; s_kind: string; s_note: string | null; s_created_at: Date; s_municipality_id: string }
  const r = await sql<Row>`
    WITH ${options.alongside ? sql`alongside AS (${options.alongside}),` : sql``} s AS (
      INSERT INTO sessions (municipality_id, family_id, session_id, held_on, kind, note)
      VALUES (${municipalityId}::uuid, ${familyId}::uuid, coalesce(${input.id ?? null}::uuid, gen_random_uuid()), ${input.heldOn}::date, ${input.kind}, ${input.note ?? null})
      RETURNING *
    ), r AS (
      INSERT INTO ratings (municipality_id, family_id, session_id, member_id, instrument_code, rater, rater_member_id, items, total, override_reason)
      SELECT s.municipality_id, s.family_id, s.session_id, v.member_id, v.instrument_code, v.rater, v.rater_member_id, v.items, v.total, v.override_reason
        FROM s, jsonb_populate_recordset(NULL::ratings, ${JSON.stringify(ratings)}::jsonb) v
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
