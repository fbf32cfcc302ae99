import type { FastifyRequest } from 'fastify'
import type { Trx } from '../db/kysely.js'
import type { Principal } from './auth.js'

function actor(p: Principal): { actor_type: Principal['kind']; actor_id: string; role: string } {
  switch (p.kind) {
    case 'api-client':
      return { actor_type: 'api-client', actor_id: p.apiClientId, role: 'api-client' }
    case 'coordinator':
      return { actor_type: 'coordinator', actor_id: p.coordinatorId, role: 'coordinator' }
    case 'family':
      return { actor_type: 'family', actor_id: p.memberId ?? p.familyId, role: p.scopes.includes('self-report') ? 'family-self-report' : 'family' }
  }
}

/**
 * Records who did what to which family, in the caller's transaction so the trail and the change
 * commit or fail together. `resource` is an id path such as `session/<uuid>`, never personal data.
 */
export async function audit(trx: Trx, request: FastifyRequest, action: string, familyId: string | null, resource: string | null = null, detail?: unknown): Promise<void> {
  await auditEvent(trx, request, action, familyId, resource, detail).execute()
}

/**
 * The insert of one audit event, not yet sent: a read path sends it inside the statement that
 * reads (a data-modifying WITH), saving a round trip; the transaction still decides whether it
 * stays (an answer that fails later rolls it back with everything else).
 */
export function auditEvent(trx: Trx, request: FastifyRequest, action: string, familyId: string | null, resource: string | null = null, detail?: unknown) {
  return trx
    .insertInto('audit_events')
    .values({
      municipality_id: request.principal.municipalityId,
      ...actor(request.principal),
      action,
      family_id: familyId,
      resource,
      request_id: request.id,
      detail: detail === undefined ? null : JSON.stringify(detail),
    })
}

/** One audit event per family in a single insert (a caseload or report reads many families). */
export async function auditFamilies(trx: Trx, request: FastifyRequest, action: string, familyIds: string[]): Promise<void> {
  if (familyIds.length === 0) return
  await familiesAuditEvents(trx, request, action, familyIds).execute()
}

/** The insert of auditFamilies, not yet sent (see auditEvent); familyIds must not be empty. */
export function familiesAuditEvents(trx: Trx, request: FastifyRequest, action: string, familyIds: string[]) {
  const who = actor(request.principal)
  return trx
    .insertInto('audit_events')
    .values(familyIds.map((familyId) => ({ municipality_id: request.principal.municipalityId, ...who, action, family_id: familyId, resource: `family/${familyId}`, request_id: request.id, detail: null })))
}
