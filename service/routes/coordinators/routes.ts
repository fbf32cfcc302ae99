import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { $Id, $Page, $PageQuery } from '../../contracts/common.js'
import { $Coordinator, $CreateCoordinator, $UpdateCoordinator } from '../../contracts/coordinators.js'
import type { CoordinatorRow } from '../../db/schema.js'
import { audit } from '../../plugins/audit.js'
import { createOnce } from '../../plugins/idempotency.js'
import { conflict, notFound } from '../../plugins/problems.js'
import { decodeCursor, page } from '../cursor.js'
import { $IdempotencyHeaders, problems } from '../responses.js'

const toCoordinator = (row: CoordinatorRow) => ({
  id: row.coordinator_id,
  externalRef: row.external_ref,
  displayName: row.display_name,
  active: row.active,
  createdAt: new Date(row.created_at).toISOString(),
})

const taken = () => conflict('externalRef is already used by another coordinator in this municipality', [{ path: '/externalRef', message: 'already used in this municipality' }])

export default async function coordinatorRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>()
  const tags = ['coordinators']

  r.post('/v1/coordinators', {
    schema: {
      tags,
      summary: 'Register a coordinator',
      headers: $IdempotencyHeaders,
      body: $CreateCoordinator,
      response: { 201: $Coordinator, ...problems(409, 422) },
    },
    handler: (request, reply) =>
      createOnce(app, request, reply, async (trx) => {
        const b = request.body
        const clash = await trx.selectFrom('coordinators').select('coordinator_id').where('external_ref', '=', b.externalRef).executeTakeFirst()
        if (clash) throw taken()
        const row = await trx
          .insertInto('coordinators')
          .values({ municipality_id: request.principal.municipalityId, external_ref: b.externalRef, display_name: b.displayName, active: b.active })
          .returningAll()
          .executeTakeFirstOrThrow()
        await audit(trx, request, 'coordinator.create', null, `coordinator/${row.coordinator_id}`)
        return { body: toCoordinator(row), location: `/v1/coordinators/${row.coordinator_id}` }
      }),
  })

  r.get('/v1/coordinators', {
    schema: { tags, summary: 'List coordinators', querystring: $PageQuery.extend({ active: z.enum(['true', 'false']).optional() }), response: { 200: $Page($Coordinator), ...problems() } },
    handler: (request) =>
      app.tenant(request, async (trx) => {
        const after = decodeCursor(request.query.cursor, ['uuid'])
        let q = trx.selectFrom('coordinators').selectAll()
        if (request.query.active) q = q.where('active', '=', request.query.active === 'true')
        if (after) q = q.where('coordinator_id', '>', String(after[0]))
        const rows = await q.orderBy('coordinator_id').limit(request.query.limit + 1).execute()
        const result = page(rows, request.query.limit, (row) => [row.coordinator_id])
        return { items: result.items.map(toCoordinator), nextCursor: result.nextCursor }
      }),
  })

  r.get('/v1/coordinators/:id', {
    schema: { tags, summary: 'One coordinator', params: z.strictObject({ id: $Id }), response: { 200: $Coordinator, ...problems(404) } },
    handler: (request) =>
      app.tenant(request, async (trx) => {
        const row = await trx.selectFrom('coordinators').selectAll().where('coordinator_id', '=', request.params.id).executeTakeFirst()
        if (!row) throw notFound('The coordinator')
        return toCoordinator(row)
      }),
  })

  r.patch('/v1/coordinators/:id', {
    schema: { tags, summary: 'Rename or deactivate a coordinator', params: z.strictObject({ id: $Id }), body: $UpdateCoordinator, response: { 200: $Coordinator, ...problems(404, 409) } },
    handler: (request) =>
      app.tenant(request, async (trx) => {
        const b = request.body
        if (b.externalRef !== undefined) {
          const clash = await trx.selectFrom('coordinators').select('coordinator_id').where('external_ref', '=', b.externalRef).where('coordinator_id', '<>', request.params.id).executeTakeFirst()
          if (clash) throw taken()
        }
        const row = await trx
          .updateTable('coordinators')
          .set({
            ...(b.externalRef !== undefined && { external_ref: b.externalRef }),
            ...(b.displayName !== undefined && { display_name: b.displayName }),
            ...(b.active !== undefined && { active: b.active }),
          })
          .where('coordinator_id', '=', request.params.id)
          .returningAll()
          .executeTakeFirst()
        if (!row) throw notFound('The coordinator')
        await audit(trx, request, 'coordinator.update', null, `coordinator/${row.coordinator_id}`)
        return toCoordinator(row)
      }),
  })
}
