import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { $FamilyParams } from '../../contracts/families.js'
import { buildSeries } from '../../domain/series.js'
import { audit } from '../../plugins/audit.js'
import { eraseFamilyAudit } from '../../repositories/audit-events.js'
import { deleteReferenceSeriesByKeys, referenceKeyOf } from '../../repositories/band-models.js'
import { deleteFamily } from '../../repositories/families.js'
import { loadFamilyFacts } from '../../repositories/family-facts.js'
import { deleteIdempotencyRecordsOfFamily } from '../../repositories/idempotency.js'
import { familyFor } from '../access.js'
import { problems } from '../responses.js'

export default async function erasureRoutes(app: FastifyInstance) {
  app.withTypeProvider<ZodTypeProvider>().delete('/v1/families/:familyId', {
    schema: {
      operationId: 'eraseFamily',
      tags: ['privacy'],
      summary: 'Erase a family: members, sessions, ratings and their audit trail; only the fact of the erasure is kept',
      params: $FamilyParams,
      response: { 204: z.null().describe('Erased'), ...problems(404) },
    },
    handler: async (request, reply) => {
      await app.tenant(request, async (trx) => {
        const row = await familyFor(trx, request, request.params.familyId, { lock: true })
        const fid = row.family_id
        // Reference series derived from this family's ratings go too (matched by their hashed key).
        const facts = await loadFamilyFacts(trx, [fid])
        await deleteReferenceSeriesByKeys(trx, buildSeries(facts.ratings.map((x) => x.fact)).map(referenceKeyOf))
        // Stored idempotent responses hold the family's data as well.
        await deleteIdempotencyRecordsOfFamily(trx, fid, {
          memberIds: facts.members.map((m) => m.member_id),
          sessionIds: facts.sessions.map((s) => s.session_id),
        })
        await eraseFamilyAudit(trx, fid)
        await deleteFamily(trx, fid)
        await audit(trx, request, 'family.erase', fid, `family/${fid}`)
      })
      // After the commit: once the client has the 204, nothing of the family may be readable.
      return reply.code(204).send(null)
    },
  })
}
