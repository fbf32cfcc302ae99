import { sql } from 'kysely'
import type { Trx } from '../db/kysely.js'
import type { AccessEvent } from '../contracts/access-log.js'
import { keysetPage, type Position } from './keyset.js'

/**
 * The events a family token bound to one member sees of its family's log:
 * - its own: what a token bound to this member did;
 * - the member's: events on the member (`member/<id>`, `member/<id>/…`) or on one of the member's
 *   ratings (a rating of the member now, or one whose corrected or removed value was the
 *   member's), whoever acted;
 * - the family's as a whole (`family/<id>`, `family/<id>/…`, `session/<id>`) when the
 *   municipality's side acted (API clients, coordinators, the system): those read or changed the
 *   member's data along with the rest.
 * Left out: other members' events, what other family tokens did to the family as a whole, and
 * events on a rating that can no longer be tied to a member (removed with its session). Unknown
 * kinds of resource are left out too, until they are placed here.
 */
function memberEvents(familyId: string, memberId: string) {
  return sql<boolean>`(
    (e.actor_type = 'family' AND e.actor_id = ${memberId})
    OR e.resource = ${`member/${memberId}`} OR e.resource LIKE ${`member/${memberId}/%`}
    OR e.resource IN (
      SELECT 'rating/' || r.rating_id FROM ratings r WHERE r.family_id = ${familyId} AND r.member_id = ${memberId}
      UNION ALL
      SELECT d.resource FROM audit_events d
       WHERE d.family_id = ${familyId} AND d.action IN ('rating.correct', 'rating.delete') AND d.detail -> 'previous' ->> 'memberId' = ${memberId})
    OR (e.actor_type <> 'family'
        AND (e.resource = ${`family/${familyId}`} OR e.resource LIKE ${`family/${familyId}/%`} OR e.resource LIKE 'session/%')))`
}

/**
 * A family's audit events, newest first, with the names of the coordinators who acted; only
 * those a member's token may see when `onlyMemberId` is given. `after` is the position a
 * previous page ended at.
 */
export async function accessLogPage(
  trx: Trx,
  familyId: string,
  { onlyMemberId, after, limit }: { onlyMemberId: string | null; after: Position | null; limit: number },
): Promise<{ items: AccessEvent[]; next: Position | null }> {
  let q = trx
    .selectFrom('audit_events as e')
    .leftJoin('coordinators as c', (j) =>
      j
        .on(sql<boolean>`c.coordinator_id::text = e.actor_id`)
        .onRef('c.municipality_id', '=', 'e.municipality_id')
        .on('e.actor_type', '=', 'coordinator'),
    )
    .select(['e.audit_event_id', 'e.occurred_at', 'e.actor_type', 'e.actor_id', 'c.display_name', 'e.role', 'e.action', 'e.resource', 'e.request_id'])
    .where('e.family_id', '=', familyId)
  if (onlyMemberId) q = q.where(memberEvents(familyId, onlyMemberId))
  if (after) q = q.where('e.audit_event_id', '<', String(after[0]))
  const rows = await q
    .orderBy('e.audit_event_id', 'desc')
    .limit(limit + 1)
    .execute()
  const result = keysetPage(rows, limit, (r) => [Number(r.audit_event_id)])
  return {
    items: result.items.map((r) => ({
      id: String(r.audit_event_id),
      occurredAt: new Date(r.occurred_at).toISOString(),
      actorType: r.actor_type,
      actorId: r.actor_id,
      actorName: r.display_name,
      role: r.role,
      action: r.action,
      resource: r.resource,
      requestId: r.request_id,
    })),
    next: result.next,
  }
}
