import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { $ApiClient, $CreateApiClient, $CreatedApiClient } from '../../contracts/api-clients.js'
import { $Id } from '../../contracts/common.js'
import { audit } from '../../plugins/audit.js'
import { createOnce } from '../../plugins/idempotency.js'
import { notFound } from '../../plugins/problems.js'
import { createApiClient, findApiClient, listApiClients, revokeApiClient } from '../../repositories/api-clients.js'
import { $IdempotencyHeaders, problems } from '../responses.js'

export default async function apiClientRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>()
  const tags = ['api-clients']

  r.get('/v1/api-clients', {
    schema: {
      operationId: 'listApiClients',
      tags,
      summary: "The municipality's API clients (never their keys)",
      response: { 200: z.object({ items: z.array($ApiClient) }), ...problems() },
    },
    handler: (request) => app.tenant(request, async (trx) => ({ items: await listApiClients(trx) })),
  })

  r.post('/v1/api-clients', {
    schema: {
      operationId: 'createApiClient',
      tags,
      summary: 'Create an API client; its key is shown once',
      headers: $IdempotencyHeaders,
      body: $CreateApiClient,
      response: { 201: $CreatedApiClient, ...problems(409, 422) },
    },
    handler: (request, reply) =>
      createOnce(
        app,
        request,
        reply,
        async (trx) => {
          const client = await createApiClient(trx, request.principal.municipalityId, request.body.name)
          await audit(trx, request, 'api-client.create', null, `api-client/${client.id}`)
          return { body: client, location: `/v1/api-clients/${client.id}` }
        },
        (body) => ({ ...body, apiKey: null }),
      ),
  })

  r.get('/v1/api-clients/:id', {
    schema: {
      operationId: 'getApiClient',
      tags,
      summary: 'One API client (never its key)',
      params: z.strictObject({ id: $Id }),
      response: { 200: $ApiClient, ...problems(404) },
    },
    handler: (request) =>
      app.tenant(request, async (trx) => {
        const client = await findApiClient(trx, request.params.id)
        if (!client) throw notFound('The API client')
        return client
      }),
  })

  r.delete('/v1/api-clients/:id', {
    schema: {
      operationId: 'revokeApiClient',
      tags,
      summary: 'Revoke an API client',
      params: z.strictObject({ id: $Id }),
      response: { 204: z.null().describe('Revoked'), ...problems(404) },
    },
    handler: async (request, reply) => {
      await app.tenant(request, async (trx) => {
        if (!(await revokeApiClient(trx, request.params.id))) throw notFound('The API client')
        await audit(trx, request, 'api-client.revoke', null, `api-client/${request.params.id}`)
      })
      // After the commit: once the client has the 204, the revoked key must already fail (other
      // instances' caches check every key again inside each request's transaction).
      app.forgetApiClient(request.params.id)
      return reply.code(204).send(null)
    },
  })
}
