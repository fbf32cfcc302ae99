import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { $CreateEmbedToken, $EmbedToken } from '../../contracts/embed-tokens.js'
import { audit } from '../../plugins/audit.js'
import { notFound, ruleBroken } from '../../plugins/problems.js'
import type { EmbedClaims } from '../../plugins/tokens.js'
import { coordinatorActive } from '../../repositories/coordinators.js'
import { familyIdExists, familyOfMember } from '../../repositories/families.js'
import { familyOfSession } from '../../repositories/sessions.js'
import { problems } from '../responses.js'

export default async function embedTokenRoutes(app: FastifyInstance) {
  app.withTypeProvider<ZodTypeProvider>().post('/v1/embed-tokens', {
    schema: {
      operationId: 'createEmbedToken',
      tags: ['embed-tokens'],
      summary: 'Mint a short-lived token for the widget in a browser (coordinator or family)',
      body: $CreateEmbedToken,
      response: { 201: $EmbedToken, ...problems(404, 422) },
    },
    handler: async (request, reply) => {
      const b = request.body
      const p = request.principal
      if (p.kind !== 'api-client') throw new Error('embed tokens are minted by API clients only')
      // The token names the API client that minted it, so revoking that client ends the token.
      const grant = { mun: p.municipalityId, client_id: p.apiClientId }
      const claims = await app.tenant(request, async (trx): Promise<EmbedClaims> => {
        if (b.role === 'coordinator') {
          const active = await coordinatorActive(trx, b.coordinatorId)
          if (active === undefined) throw notFound('The coordinator')
          if (!active) throw ruleBroken([{ path: '/coordinatorId', message: 'this coordinator is not active' }])
          await audit(trx, request, 'embed-token.issue', null, `coordinator/${b.coordinatorId}`)
          return { ...grant, role: 'coordinator', coordinatorId: b.coordinatorId }
        }
        if (!(await familyIdExists(trx, b.familyId))) throw notFound('The family')
        if (b.memberId) {
          const memberFamily = await familyOfMember(trx, b.memberId)
          if (memberFamily === undefined) throw notFound('The member')
          if (memberFamily !== b.familyId) throw ruleBroken([{ path: '/memberId', message: 'this member is not in the family' }])
        }
        if (b.sessionId) {
          const sessionFamily = await familyOfSession(trx, b.sessionId)
          if (sessionFamily === undefined) throw notFound('The session')
          if (sessionFamily !== b.familyId) throw ruleBroken([{ path: '/sessionId', message: 'this session is not one of the family’s' }])
        }
        // A member's token is an event of that member (the access log of a member's token lists it).
        await audit(trx, request, 'embed-token.issue', b.familyId, b.memberId ? `member/${b.memberId}` : `family/${b.familyId}`)
        return {
          ...grant,
          role: 'family',
          familyId: b.familyId,
          ...(b.memberId && { memberId: b.memberId }),
          ...(b.sessionId && { sessionId: b.sessionId }),
          ...(b.scopes?.length && { scope: b.scopes.join(' ') }),
        }
      })
      reply.code(201)
      return app.tokens.issue(claims, b.ttlSeconds)
    },
  })
}
