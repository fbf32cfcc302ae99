import { sql, type QueryCreator, type RawBuilder } from 'kysely'
import type { Trx } from '../db/kysely.js'
import type { Database, FamilyRow, MemberRow, MunicipalityRow } from '../db/schema.js'
import type { CreateFamily, CreateMember, Family, ListFamiliesQuery, Member, UpdateFamily, UpdateMember } from '../contracts/families.js'
import { groupBy } from '../domain/group-by.js'
import type { StoredBand } from '../domain/band-models.js'
import type { BandModel } from '../domain/expected-band.js'
import type { Rater } from '../contracts/common.js'
import type { AuditInsert } from './audit-events.js'
import { keysetPage, type Position } from './keyset.js'

export function toMember(row: MemberRow): Member {
  return { id: row.member_id, alias: row.alias, role: row.role, birthDate: row.birth_date }
}

export function toFamily(row: FamilyRow, members: MemberRow[]): Family {
  return {
    id: row.family_id,
    externalRef: row.external_ref,
    coordinatorId: row.coordinator_id,
    startedOn: row.started_on,
    endedOn: row.ended_on,
    ending: row.ending,
    status: row.ended_on === null ? 'active' : 'ended',
    members: members.map(toMember),
    createdAt: new Date(row.created_at).toISOString(),
  }
}

/**
 * The list's position of a family: created_at in whole microseconds (what timestamptz holds; a JS
 * Date keeps milliseconds only, so a cursor carrying one would skip or repeat families).
 */
const createdMicros = sql<number>`(extract(epoch from created_at) * 1000000)::bigint`
const createdAtOfMicros = (micros: string | number | null) => sql`(timestamptz 'epoch' + ${micros}::bigint * interval '1 microsecond')`

/** With `lock`, the row stays locked until the transaction ends (see familyFor). */
export async function findFamilyRow(trx: Trx, familyId: string, options: { lock?: boolean } = {}): Promise<FamilyRow | undefined> {
  const q = trx.selectFrom('families').selectAll().where('family_id', '=', familyId).where('synthetic', '=', false)
  return (options.lock ? q.forUpdate() : q).executeTakeFirst()
}

/**
 * A family's row, its members and its series' stored band models in one statement (a read
 * path's round trips saved). Not for a
 * locked read: a statement that waits for a row lock sees the members as they were before the
 * wait, so a write reads its members after taking the lock (findFamilyRow with lock, membersOf).
 */
export async function findFamilyRowWithMembers(
  trx: Trx,
  familyId: string,
  options: { alongside?: AuditInsert } = {},
): Promise<{ row: FamilyRow; members: MemberRow[]; storedBands: StoredBand[] } | undefined> {
  // `alongside` (an audit event) is a data-modifying WITH: PostgreSQL runs it whether the
  // select reads it or not, in the same statement.
  const base: QueryCreator<Database> = options.alongside ? (trx.with('alongside', () => options.alongside!) as unknown as QueryCreator<Database>) : trx
  const found = await base
    .selectFrom('families')
    .selectAll('families')
    .select(membersJson(sql.ref('families.family_id')).as('members_json'))
    // The band model of each stored series, for the expected bands of its progress.
    .select(
      sql<StoredBandJson[]>`(SELECT coalesce(json_agg(json_build_object('member_id', s.member_id, 'instrument_code', s.instrument_code, 'rater', s.rater,
                                  'rater_member_id', s.rater_member_id, 'intake', s.intake, 'band_model', s.band_model)), '[]')
          FROM series_state s WHERE s.family_id = families.family_id)`.as('stored_bands'),
    )
    .where('family_id', '=', familyId)
    .where('synthetic', '=', false)
    .executeTakeFirst()
  if (!found) return undefined
  const { members_json, stored_bands, ...row } = found
  return {
    row,
    members: membersOfJson(members_json),
    storedBands: stored_bands.map((b) => ({
      series: { memberId: b.member_id, instrument: b.instrument_code, rater: b.rater as Rater, raterMemberId: b.rater_member_id },
      intake: b.intake,
      model: b.band_model,
    })),
  }
}

type StoredBandJson = {
  member_id: string
  instrument_code: string
  rater: string
  rater_member_id: string | null
  intake: number
  band_model: BandModel | null
}

/**
 * The municipality's row and a family's members in one statement. A write reads them once it
 * holds the family's lock, so both are as committed by then (a settings change or a member
 * correction that committed while this write waited for the lock is seen).
 */
export async function municipalityAndMembers(trx: Trx, familyId: string): Promise<{ municipality: MunicipalityRow; members: MemberRow[] }> {
  const { members_json, ...municipality } = await trx
    .selectFrom('municipalities')
    .selectAll('municipalities')
    .select(membersJson(sql`${familyId}::uuid`).as('members_json'))
    .executeTakeFirstOrThrow()
  return { municipality, members: membersOfJson(members_json) }
}

/** A member row as json_build_object gives it: the instant as ISO text. */
type MemberJson = Omit<MemberRow, 'created_at'> & { created_at: string }

/** The members of one family as a JSON array in entry order, for a statement that reads more. */
const membersJson = (familyId: RawBuilder<unknown> | ReturnType<typeof sql.ref>) =>
  sql<MemberJson[]>`(SELECT coalesce(json_agg(json_build_object('municipality_id', m.municipality_id, 'member_id', m.member_id, 'family_id', m.family_id,
                             'alias', m.alias, 'role', m.role, 'birth_date', m.birth_date, 'created_at', m.created_at, 'seq', m.seq) ORDER BY m.seq), '[]')
      FROM members m WHERE m.family_id = ${familyId})`

const membersOfJson = (rows: MemberJson[]): MemberRow[] => rows.map((m) => ({ ...m, created_at: new Date(m.created_at) }))

export async function membersOf(trx: Trx, familyIds: string[]): Promise<MemberRow[]> {
  if (familyIds.length === 0) return []
  return trx.selectFrom('members').selectAll().where('family_id', 'in', familyIds).orderBy('seq').execute()
}

export async function findFamily(trx: Trx, familyId: string): Promise<Family | undefined> {
  const row = await findFamilyRow(trx, familyId)
  if (!row) return undefined
  return toFamily(row, await membersOf(trx, [familyId]))
}

/** The date of the family's latest session, or null before the first. */
export async function lastSessionOn(trx: Trx, familyId: string): Promise<string | null> {
  const row = await trx
    .selectFrom('sessions')
    .select((eb) => eb.fn.max('held_on').as('last'))
    .where('family_id', '=', familyId)
    .executeTakeFirst()
  return (row?.last as string | null | undefined) ?? null
}

export async function externalRefTaken(trx: Trx, externalRef: string, exceptFamilyId?: string): Promise<boolean> {
  let q = trx.selectFrom('families').select('family_id').where('external_ref', '=', externalRef)
  if (exceptFamilyId) q = q.where('family_id', '<>', exceptFamilyId)
  return (await q.executeTakeFirst()) !== undefined
}

export async function insertFamily(trx: Trx, municipalityId: string, input: CreateFamily): Promise<Family> {
  const family = await trx
    .insertInto('families')
    .values({
      municipality_id: municipalityId,
      external_ref: input.externalRef,
      coordinator_id: input.coordinatorId,
      started_on: input.startedOn,
      ended_on: null,
      ending: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow()
  const members: MemberRow[] = []
  for (const m of input.members) members.push(await insertMember(trx, municipalityId, family.family_id, m))
  return toFamily(family, members)
}

export async function insertMember(trx: Trx, municipalityId: string, familyId: string, m: CreateMember): Promise<MemberRow> {
  return trx
    .insertInto('members')
    .values({ municipality_id: municipalityId, family_id: familyId, alias: m.alias, role: m.role, birth_date: m.birthDate })
    .returningAll()
    .executeTakeFirstOrThrow()
}

export async function updateMember(trx: Trx, familyId: string, memberId: string, patch: UpdateMember): Promise<MemberRow | undefined> {
  return trx
    .updateTable('members')
    .set({
      ...(patch.alias !== undefined && { alias: patch.alias }),
      ...(patch.role !== undefined && { role: patch.role }),
      ...(patch.birthDate !== undefined && { birth_date: patch.birthDate }),
    })
    .where('family_id', '=', familyId)
    .where('member_id', '=', memberId)
    .returningAll()
    .executeTakeFirst()
}

export async function updateFamily(trx: Trx, familyId: string, patch: UpdateFamily): Promise<void> {
  await trx
    .updateTable('families')
    .set({
      ...(patch.coordinatorId !== undefined && { coordinator_id: patch.coordinatorId }),
      ...(patch.externalRef !== undefined && { external_ref: patch.externalRef }),
      ...(patch.endedOn !== undefined && { ended_on: patch.endedOn }),
      ...(patch.ending !== undefined && { ending: patch.ending }),
    })
    .where('family_id', '=', familyId)
    .execute()
}

/** A page of families in the order they were created; `after` is the position a previous page ended at. */
export async function listFamilies(
  trx: Trx,
  filter: Pick<ListFamiliesQuery, 'coordinatorId' | 'status' | 'externalRef'>,
  { after, limit }: { after: Position | null; limit: number },
): Promise<{ items: Family[]; next: Position | null }> {
  let q = trx.selectFrom('families').selectAll().select(createdMicros.as('created_us')).where('synthetic', '=', false)
  if (filter.coordinatorId) q = q.where('coordinator_id', '=', filter.coordinatorId)
  if (filter.status === 'active') q = q.where('ended_on', 'is', null)
  if (filter.status === 'ended') q = q.where('ended_on', 'is not', null)
  if (filter.externalRef) q = q.where('external_ref', '=', filter.externalRef)
  // Compared and ordered on the columns themselves, so the index families_created serves both.
  if (after) q = q.where(sql<boolean>`(created_at, family_id) > (${createdAtOfMicros(after[0])}, ${after[1]}::uuid)`)
  const rows = await q
    .orderBy('created_at')
    .orderBy('family_id')
    .limit(limit + 1)
    .execute()
  const result = keysetPage(rows, limit, (r) => [r.created_us, r.family_id])
  const members = await membersOf(
    trx,
    result.items.map((r) => r.family_id),
  )
  const byFamily = groupBy(members, (m) => m.family_id)
  return { items: result.items.map((r) => toFamily(r, byFamily.get(r.family_id) ?? [])), next: result.next }
}

/** What the age rules need of a member's ratings: each rating with its session's date. */
export async function ratingsOfMember(
  trx: Trx,
  familyId: string,
  memberId: string,
): Promise<{ heldOn: string; instrument: string; rater: string; overrideReason: string | null }[]> {
  const rows = await trx
    .selectFrom('ratings')
    .innerJoin('sessions', (j) =>
      j
        .onRef('sessions.municipality_id', '=', 'ratings.municipality_id')
        .onRef('sessions.family_id', '=', 'ratings.family_id')
        .onRef('sessions.session_id', '=', 'ratings.session_id'),
    )
    .select(['sessions.held_on', 'ratings.instrument_code', 'ratings.rater', 'ratings.override_reason'])
    .where('ratings.family_id', '=', familyId)
    .where('ratings.member_id', '=', memberId)
    .execute()
  return rows.map((r) => ({ heldOn: r.held_on, instrument: r.instrument_code, rater: r.rater, overrideReason: r.override_reason }))
}

/** A family's id by its external reference (the host system's case number), if it is in this municipality. */
export async function familyIdByExternalRef(trx: Trx, externalRef: string): Promise<string | undefined> {
  return (await trx.selectFrom('families').select('family_id').where('external_ref', '=', externalRef).executeTakeFirst())?.family_id
}

/** Whether a family of this municipality (not a synthetic one) has this id. */
export async function familyIdExists(trx: Trx, familyId: string): Promise<boolean> {
  return (
    (await trx.selectFrom('families').select('family_id').where('family_id', '=', familyId).where('synthetic', '=', false).executeTakeFirst()) !== undefined
  )
}

/** The family a member belongs to, if the member exists. */
export async function familyOfMember(trx: Trx, memberId: string): Promise<string | undefined> {
  return (await trx.selectFrom('members').select(['member_id', 'family_id']).where('member_id', '=', memberId).executeTakeFirst())?.family_id
}

/** Deletes a family; its members, sessions, ratings and stored state go with it (their foreign keys cascade). */
export async function deleteFamily(trx: Trx, familyId: string): Promise<void> {
  await trx.deleteFrom('families').where('family_id', '=', familyId).execute()
}

/** The ids of every (not synthetic) family of the municipality, in id order. */
export async function familyIds(trx: Trx): Promise<string[]> {
  return (await trx.selectFrom('families').select('family_id').where('synthetic', '=', false).orderBy('family_id').execute()).map((f) => f.family_id)
}

/**
 * Every (not synthetic) family row of the municipality, locked against writes until the
 * transaction ends, in one order (a state rebuild: see rebuildMunicipalityState).
 */
export async function lockAllFamilies(trx: Trx): Promise<FamilyRow[]> {
  return trx.selectFrom('families').selectAll().where('synthetic', '=', false).orderBy('family_id').forNoKeyUpdate().execute()
}

/** The rows of these families that are not synthetic, in id order. */
export async function familyRows(trx: Trx, ids: readonly string[]): Promise<FamilyRow[]> {
  return trx.selectFrom('families').selectAll().where('family_id', 'in', ids).where('synthetic', '=', false).orderBy('family_id').execute()
}

/** A family's row whatever it is (synthetic ones too), for deciding whether it has stored state. */
export async function anyFamilyRow(trx: Trx, familyId: string): Promise<FamilyRow | undefined> {
  return trx.selectFrom('families').selectAll().where('family_id', '=', familyId).executeTakeFirst()
}
