import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { $AccessLog, $AccessLogQuery } from '../../contracts/access-log.js'
import { $FamilyParams } from '../../contracts/families.js'
import { audit } from '../../plugins/audit.js'
import { accessLogPage } from '../../repositories/access-log.js'
import { familyFor } from '../access.js'
import { decodeCursor, toPage } from '../cursor.js'
import { problems } from '../responses.js'

export default async function accessLogRoutes(app: FastifyInstance) {
  app.withTypeProvider<ZodTypeProvider>().get('/v1/families/:familyId/access-log', {
    config: { allow: ['api-client', 'family'] },
    schema: {
      operationId: 'getAccessLog',
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
        const p = request.principal
        const onlyMemberId = p.kind === 'family' && p.memberId ? p.memberId : null
        const result = await accessLogPage(trx, family.family_id, {
          onlyMemberId,
          after: decodeCursor(request.query.cursor, ['int']),
          limit: request.query.limit,
        })
        return { familyId: family.family_id, ...toPage(result) }
      }),
  })
}
