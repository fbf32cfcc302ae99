import type { FastifyRequest } from 'fastify'
import type { Trx } from '../db/kysely.js'
import { auditEventInsert, familiesAuditInsert, type AuditActor } from '../repositories/audit-events.js'
import type { Principal } from './auth.js'

function actorOf(request: FastifyRequest): AuditActor {
  const p: Principal = request.principal
  const who =
    p.kind === 'api-client'
      ? { actorType: 'api-client' as const, actorId: p.apiClientId, role: 'api-client' }
      : p.kind === 'coordinator'
        ? { actorType: 'coordinator' as const, actorId: p.coordinatorId, role: 'coordinator' }
        : { actorType: 'family' as const, actorId: p.memberId ?? p.familyId, role: p.scopes.includes('self-report') ? 'family-self-report' : 'family' }
  return { municipalityId: p.municipalityId, requestId: request.id, ...who }
}

/**
 * Records who did what to which family, in the caller's transaction so the trail and the change
 * commit or fail together. `resource` is an id path such as `session/<uuid>`, never personal data.
 */
export async function audit(
  trx: Trx,
  request: FastifyRequest,
  action: string,
  familyId: string | null,
  resource: string | null = null,
  detail?: unknown,
): Promise<void> {
  await auditEvent(trx, request, action, familyId, resource, detail).execute()
}

/** The insert of one audit event, not yet sent (see auditEventInsert). */
export function auditEvent(trx: Trx, request: FastifyRequest, action: string, familyId: string | null, resource: string | null = null, detail?: unknown) {
  return auditEventInsert(trx, actorOf(request), action, familyId, resource, detail)
}

/** One audit event per family in a single insert (a list, a caseload or a report reads many families). */
export async function auditFamilies(trx: Trx, request: FastifyRequest, action: string, familyIds: string[]): Promise<void> {
  if (familyIds.length === 0) return
  await familiesAuditEvents(trx, request, action, familyIds).execute()
}

/** The insert of auditFamilies, not yet sent (see auditEvent); familyIds must not be empty. */
export function familiesAuditEvents(trx: Trx, request: FastifyRequest, action: string, familyIds: string[]) {
  return familiesAuditInsert(trx, actorOf(request), action, familyIds)
}
