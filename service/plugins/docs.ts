import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import { jsonSchemaTransform } from 'fastify-type-provider-zod'

/** OpenAPI 3.1 generated from the route schemas, at /docs (UI) and /docs/json. */
async function docs(app: FastifyInstance) {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Framgang API',
        version: '1.0.0',
        description:
          'Feedback-informed session tracking for family coordinators. Authenticate with `Authorization: Bearer <API key or embed token>`. Errors are application/problem+json (RFC 9457). Creating POSTs require an Idempotency-Key header.',
        // The project is not published under an open licence; a municipality's agreement says
        // how it may be used.
        license: { name: 'Proprietary', identifier: 'LicenseRef-Framgang-Proprietary' },
        contact: { name: 'Framgang' },
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
  })
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    uiConfig: { docExpansion: 'list', deepLinking: false },
    // The server is the one the document was fetched from (behind a load balancer with
    // TRUST_PROXY, the address the caller used), so a client generated from it calls the same
    // deployment.
    transformSpecification: (spec, request) => ({ ...spec, servers: [{ url: `${request.protocol}://${request.host}` }] }),
  })
}

export default fp(docs, { name: 'docs' })
