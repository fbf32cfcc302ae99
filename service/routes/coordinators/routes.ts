import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { $Id, $Page, $PageQuery } from '../../contracts/common.js'
import { $Coordinator, $CreateCoordinator, $UpdateCoordinator } from '../../contracts/coordinators.js'
import { audit } from '../../plugins/audit.js'
import { createOnce } from '../../plugins/idempotency.js'
import { conflict, notFound } from '../../plugins/problems.js'
import * as coordinators from '../../repositories/coordinators.js'
import { decodeCursor, toPage } from '../cursor.js'
import { $IdempotencyHeaders, problems } from '../responses.js'

const taken = () =>
  conflict('externalRef is already used by another coordinator in this municipality', [{ path: '/externalRef', message: 'already used in this municipality' }])

export default async function coordinatorRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>()
  const tags = ['coordinators']

  r.post('/v1/coordinators', {
    schema: {
      operationId: 'createCoordinator',
      tags,
      summary: 'Register a coordinator',
      headers: $IdempotencyHeaders,
      body: $CreateCoordinator,
      response: { 201: $Coordinator, ...problems(409, 422) },
    },
    handler: (request, reply) =>
      createOnce(app, request, reply, async (trx) => {
        const b = request.body
        if (await coordinators.coordinatorRefTaken(trx, b.externalRef)) throw taken()
        const coordinator = await coordinators.insertCoordinator(trx, request.principal.municipalityId, b)
        await audit(trx, request, 'coordinator.create', null, `coordinator/${coordinator.id}`)
        return { body: coordinator, location: `/v1/coordinators/${coordinator.id}` }
      }),
  })

  r.get('/v1/coordinators', {
    schema: {
      operationId: 'listCoordinators',
      tags,
      summary: 'List coordinators',
      querystring: $PageQuery.extend({ active: z.enum(['true', 'false']).optional() }),
      response: { 200: $Page($Coordinator), ...problems() },
    },
    handler: (request) =>
      app.tenant(request, async (trx) => {
        const { active, cursor, limit } = request.query
        const filter = active === undefined ? {} : { active: active === 'true' }
        return toPage(await coordinators.listCoordinators(trx, filter, { after: decodeCursor(cursor, ['uuid']), limit }))
      }),
  })

  r.get('/v1/coordinators/:id', {
    schema: {
      operationId: 'getCoordinator',
      tags,
      summary: 'One coordinator',
      params: z.strictObject({ id: $Id }),
      response: { 200: $Coordinator, ...problems(404) },
    },
    handler: (request) =>
      app.tenant(request, async (trx) => {
        const coordinator = await coordinators.findCoordinator(trx, request.params.id)
        if (!coordinator) throw notFound('The coordinator')
        return coordinator
      }),
  })

  r.patch('/v1/coordinators/:id', {
    schema: {
      operationId: 'updateCoordinator',
      tags,
      summary: 'Rename or deactivate a coordinator',
      params: z.strictObject({ id: $Id }),
      body: $UpdateCoordinator,
      response: { 200: $Coordinator, ...problems(404, 409) },
    },
    handler: (request) =>
      app.tenant(request, async (trx) => {
        const b = request.body
        if (b.externalRef !== undefined && (await coordinators.coordinatorRefTaken(trx, b.externalRef, request.params.id))) throw taken()
        const coordinator = await coordinators.updateCoordinator(trx, request.params.id, b)
        if (!coordinator) throw notFound('The coordinator')
        await audit(trx, request, 'coordinator.update', null, `coordinator/${coordinator.id}`)
        return coordinator
      }),
  })
}
