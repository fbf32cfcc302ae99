import type { FastifyRequest } from 'fastify'
import type { Trx } from '../db/kysely.js'
import type { FamilyRow } from '../db/schema.js'
import { notFound } from '../plugins/problems.js'
import { findFamilyRow, findFamilyRowWithMembers } from '../repositories/families.js'

/**
 * The family if this principal may see it, else 404 (never 403, so ids cannot be probed):
 * API clients see their municipality (RLS already scopes the query), coordinators the families
 * currently assigned to them, family tokens their own family.
 *
 * Every write locks the family row first (`lock`), so writes to one family — a session logged,
 * the family ended, the family erased — happen one after another: a rule checked against the
 * family still holds at commit, and nothing is written into a family being erased.
 */
/** familyFor with the family's members read in the same statement (reads only: see findFamilyRowWithMembers). */
export async function familyWithMembersFor(
  trx: Trx,
  request: FastifyRequest,
  familyId: string,
  options: Parameters<typeof findFamilyRowWithMembers>[2] = {},
): Promise<NonNullable<Awaited<ReturnType<typeof findFamilyRowWithMembers>>>> {
  const found = await findFamilyRowWithMembers(trx, familyId, options)
  if (!visibleTo(request, found?.row)) throw notFound('The family')
  return found!
}

function visibleTo(request: FastifyRequest, row: FamilyRow | undefined): row is FamilyRow {
  const p = request.principal
  return (
    row !== undefined &&
    (p.kind === 'api-client' || (p.kind === 'coordinator' && row.coordinator_id === p.coordinatorId) || (p.kind === 'family' && row.family_id === p.familyId))
  )
}

export async function familyFor(trx: Trx, request: FastifyRequest, familyId: string, options: { lock?: boolean } = {}): Promise<FamilyRow> {
  const row = await findFamilyRow(trx, familyId, options)
  if (!visibleTo(request, row)) throw notFound('The family')
  return row
}
