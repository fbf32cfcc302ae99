import type { Trx } from '../db/kysely.js'
import type { CoordinatorRow } from '../db/schema.js'
import type { Coordinator, CreateCoordinator, UpdateCoordinator } from '../contracts/coordinators.js'
import { keysetPage, type Position } from './keyset.js'

const toCoordinator = (row: CoordinatorRow): Coordinator => ({
  id: row.coordinator_id,
  externalRef: row.external_ref,
  displayName: row.display_name,
  active: row.active,
  createdAt: new Date(row.created_at).toISOString(),
})

/** Whether another coordinator of the municipality has this external reference. */
export async function coordinatorRefTaken(trx: Trx, externalRef: string, exceptCoordinatorId?: string): Promise<boolean> {
  let q = trx.selectFrom('coordinators').select('coordinator_id').where('external_ref', '=', externalRef)
  if (exceptCoordinatorId) q = q.where('coordinator_id', '<>', exceptCoordinatorId)
  return (await q.executeTakeFirst()) !== undefined
}

export async function coordinatorExists(trx: Trx, coordinatorId: string): Promise<boolean> {
  const row = await trx.selectFrom('coordinators').select('coordinator_id').where('coordinator_id', '=', coordinatorId).executeTakeFirst()
  return row !== undefined
}

export async function insertCoordinator(trx: Trx, municipalityId: string, input: CreateCoordinator): Promise<Coordinator> {
  const row = await trx
    .insertInto('coordinators')
    .values({ municipality_id: municipalityId, external_ref: input.externalRef, display_name: input.displayName, active: input.active })
    .returningAll()
    .executeTakeFirstOrThrow()
  return toCoordinator(row)
}

/** Coordinators by id; `after` is the position a previous page ended at. */
export async function listCoordinators(
  trx: Trx,
  filter: { active?: boolean },
  { after, limit }: { after: Position | null; limit: number },
): Promise<{ items: Coordinator[]; next: Position | null }> {
  let q = trx.selectFrom('coordinators').selectAll()
  if (filter.active !== undefined) q = q.where('active', '=', filter.active)
  if (after) q = q.where('coordinator_id', '>', String(after[0]))
  const rows = await q
    .orderBy('coordinator_id')
    .limit(limit + 1)
    .execute()
  const result = keysetPage(rows, limit, (row) => [row.coordinator_id])
  return { items: result.items.map(toCoordinator), next: result.next }
}

export async function findCoordinator(trx: Trx, coordinatorId: string): Promise<Coordinator | undefined> {
  const row = await trx.selectFrom('coordinators').selectAll().where('coordinator_id', '=', coordinatorId).executeTakeFirst()
  return row && toCoordinator(row)
}

/** The coordinator as changed, or undefined when there is none with this id. */
export async function updateCoordinator(trx: Trx, coordinatorId: string, patch: UpdateCoordinator): Promise<Coordinator | undefined> {
  const row = await trx
    .updateTable('coordinators')
    .set({
      ...(patch.externalRef !== undefined && { external_ref: patch.externalRef }),
      ...(patch.displayName !== undefined && { display_name: patch.displayName }),
      ...(patch.active !== undefined && { active: patch.active }),
    })
    .where('coordinator_id', '=', coordinatorId)
    .returningAll()
    .executeTakeFirst()
  return row && toCoordinator(row)
}

/** Whether a coordinator exists and is active (undefined: no such coordinator). */
export async function coordinatorActive(trx: Trx, coordinatorId: string): Promise<boolean | undefined> {
  return (await trx.selectFrom('coordinators').select(['coordinator_id', 'active']).where('coordinator_id', '=', coordinatorId).executeTakeFirst())?.active
}

/** A coordinator's id by external reference, creating the coordinator when there is none (the demo's seed). */
export async function coordinatorIdByRef(
  trx: Trx,
  municipalityId: string,
  externalRef: string,
  displayName: string,
): Promise<{ coordinatorId: string; created: boolean }> {
  const existing = await trx.selectFrom('coordinators').select('coordinator_id').where('external_ref', '=', externalRef).executeTakeFirst()
  if (existing) return { coordinatorId: existing.coordinator_id, created: false }
  const row = await trx
    .insertInto('coordinators')
    .values({ municipality_id: municipalityId, external_ref: externalRef, display_name: displayName })
    .returning('coordinator_id')
    .executeTakeFirstOrThrow()
  return { coordinatorId: row.coordinator_id, created: true }
}
