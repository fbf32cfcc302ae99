import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { $Family, $FamilyParams } from '../../contracts/families.js'
import { $Session } from '../../contracts/sessions.js'
import { audit } from '../../plugins/audit.js'
import { membersOf, toFamily } from '../../repositories/families.js'
import { loadInstruments, toInstrument } from '../../repositories/instruments.js'
import { sessionsOfFamily } from '../../repositories/sessions.js'
import { familyFor } from '../access.js'
import { problems } from '../responses.js'
import { familyBundle } from './fhir.js'

const $Export = z.object({ exportedAt: z.string(), family: $Family, sessions: z.array($Session) })

export default async function exportRoutes(app: FastifyInstance) {
  app.withTypeProvider<ZodTypeProvider>().get('/v1/families/:familyId/export', {
    schema: {
      operationId: 'exportFamily',
      tags: ['privacy'],
      summary: 'Everything stored about a family: JSON, or a FHIR R4 Bundle with ?format=fhir',
      params: $FamilyParams,
      querystring: z.strictObject({ format: z.enum(['json', 'fhir']).default('json') }),
      response: { 200: z.union([$Export, z.object({ resourceType: z.literal('Bundle') }).loose()]), ...problems(404) },
    },
    handler: (request, reply) =>
      app.tenant(request, async (trx) => {
        const row = await familyFor(trx, request, request.params.familyId)
        const family = toFamily(row, await membersOf(trx, [row.family_id]))
        const sessions = await sessionsOfFamily(trx, row.family_id)
        const exportedAt = new Date().toISOString()
        await audit(trx, request, 'family.export', row.family_id, `family/${row.family_id}/export?format=${request.query.format}`)
        if (request.query.format === 'fhir') {
          reply.type('application/fhir+json; charset=utf-8')
          return familyBundle(
            family,
            sessions,
            (await loadInstruments(trx)).map((i) => toInstrument(i, 'nb')),
            exportedAt,
          )
        }
        return { exportedAt, family, sessions }
      }),
  })
}
