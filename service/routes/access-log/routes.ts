import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { sql } from 'kysely'
import { $AccessLog, $AccessLogQuery } from '../../contracts/access-log.js'
import { $FamilyParams } from '../../contracts/families.js'
import { audit } from '../../plugins/audit.js'
import { familyFor } from '../access.js'
import { decodeCursor, page } from '../cursor.js'
import { problems } from '../responses.js'

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

export default async function accessLogRoutes(app: FastifyInstance) {
  app.withTypeProvider<ZodTypeProvider>().get('/v1/families/:familyId/access-log', {
    config: { allow: ['api-client', 'family'] },
    schema: {
      tags: ['privacy'],
      summary: "Who read or changed this family's data, newest first (a member's token: that member's events and its own)",
      params: $FamilyParams,
      querystring: $AccessLogQuery,
      response: { 200: $AccessLog, ...problems(404) },
    },
    handler: (request) =>
      app.tenant(request, async (trx) => {
        const family = await familyFor(trx, request, request.params.familyId)
        await audit(trx, request, 'access-log.read', family.family_id, `family/${family.family_id}/access-log`)
        const after = decodeCursor(request.query.cursor, ['int'])
        let q = trx
          .selectFrom('audit_events as e')
          .leftJoin('coordinators as c', (j) => j.on(sql<boolean>`c.coordinator_id::text = e.actor_id`).onRef('c.municipality_id', '=', 'e.municipality_id').on('e.actor_type', '=', 'coordinator'))
          .select(['e.audit_event_id', 'e.occurred_at', 'e.actor_type', 'e.actor_id', 'c.display_name', 'e.role', 'e.action', 'e.resource', 'e.request_id'])
          .where('e.family_id', '=', family.family_id)
        const p = request.principal
        if (p.kind === 'family' && p.memberId) q = q.where(memberEvents(family.family_id, p.memberId))
        if (after) q = q.where('e.audit_event_id', '<', String(after[0]))
        const rows = await q.orderBy('e.audit_event_id', 'desc').limit(request.query.limit + 1).execute()
        const result = page(rows, request.query.limit, (r) => [Number(r.audit_event_id)])
        return {
          familyId: family.family_id,
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
          nextCursor: result.nextCursor,
        }
      }),
  })
}
