import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { sql } from 'kysely'
import { $AccessLog, $AccessLogQuery } from '../../contracts/access-log.js'
import { $FamilyParams } from '../../contracts/families.js'
import { audit } from '../../plugins/audit.js'
import { familyFor } from '../access.js'
import { decodeCursor, page } from '../cursor.js'
import { problems } from '../responses.js'

export default async function accessLogRoutes(app: FastifyInstance) {
  app.withTypeProvider<ZodTypeProvider>().get('/v1/families/:familyId/access-log', {
    config: { allow: ['api-client', 'family'] },
    schema: {
      tags: ['privacy'],
      summary: "Who read or changed this family's data, newest first",
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
