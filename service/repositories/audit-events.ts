import { sql } from 'kysely'
import type { Trx } from '../db/kysely.js'

/** Who acted, as the audit trail names them (plugins/audit.ts derives it from the request). */
export interface AuditActor {
  municipalityId: string
  actorType: 'api-client' | 'coordinator' | 'family'
  actorId: string
  role: string
  requestId: string
}

/** An audit_events row: who acted, what, on which family and resource. */
function eventRow(actor: AuditActor, action: string, familyId: string | null, resource: string | null, detail: unknown) {
  return {
    municipality_id: actor.municipalityId,
    actor_type: actor.actorType,
    actor_id: actor.actorId,
    role: actor.role,
    action,
    family_id: familyId,
    resource,
    request_id: actor.requestId,
    detail: detail === undefined ? null : JSON.stringify(detail),
  }
}

/**
 * The insert of one audit event, not yet sent: a read path sends it inside the statement that
 * reads (a data-modifying WITH), saving a round trip; the transaction still decides whether it
 * stays (an answer that fails later rolls it back with everything else).
 */
export function auditEventInsert(trx: Trx, actor: AuditActor, action: string, familyId: string | null, resource: string | null, detail?: unknown) {
  return trx.insertInto('audit_events').values(eventRow(actor, action, familyId, resource, detail))
}

export type AuditInsert = ReturnType<typeof auditEventInsert>

/** One event per family (`family/<id>`) in a single insert, not yet sent; familyIds must not be empty. */
export function familiesAuditInsert(trx: Trx, actor: AuditActor, action: string, familyIds: readonly string[]) {
  return trx.insertInto('audit_events').values(familyIds.map((familyId) => eventRow(actor, action, familyId, `family/${familyId}`, undefined)))
}

/** Removes a family's audit trail (an erasure keeps only the fact of itself; sql/ holds the function). */
export async function eraseFamilyAudit(trx: Trx, familyId: string): Promise<void> {
  await sql`SELECT framgang_erase_family_audit(${familyId}::uuid)`.execute(trx)
}
