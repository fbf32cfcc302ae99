import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { $Id } from '../../contracts/common.js'
import { $FamilyParams } from '../../contracts/families.js'
import { $FamilyProgress, $Progress } from '../../contracts/progress.js'
import { familyView } from '../../domain/family-view.js'
import { auditEvent } from '../../plugins/audit.js'
import { notFound } from '../../plugins/problems.js'
import { progressContext, progressWithBands } from '../../progress/progress.js'
import { loadFamilyFacts } from '../../repositories/family-facts.js'
import { familyWithMembersFor } from '../access.js'
import { familyProgressToPoints, progressToPoints } from '../present-progress.js'
import { problems } from '../responses.js'
import { compiledSerializer } from '../serialize.js'

export default async function progressRoutes(app: FastifyInstance) {
  // The largest answer the API gives on a hot path: see compiledSerializer.
  const serializeProgress = compiledSerializer($Progress)
  const serializeFamilyProgress = compiledSerializer($FamilyProgress)
  app.withTypeProvider<ZodTypeProvider>().get('/v1/families/:familyId/progress', {
    config: { allow: ['api-client', 'coordinator', 'family'] },
    schema: {
      operationId: 'getFamilyProgress',
      tags: ['progress'],
      summary: "Each member's series with status, trend, expected band and flags; the family view for family tokens",
      params: $FamilyParams,
      querystring: z.strictObject({ memberId: $Id.optional().describe("only this member's series") }),
      response: { 200: z.union([$Progress, $FamilyProgress]), ...problems(404) },
    },
    handler: (request, reply) =>
      app.tenant(request, async (trx) => {
        const p = request.principal
        // A family token bound to one member sees that member only.
        const bound = p.kind === 'family' ? p.memberId : null
        if (bound && request.query.memberId && request.query.memberId !== bound) throw notFound('The member')
        const memberId = bound ?? request.query.memberId ?? null
        const familyId = request.params.familyId
        // The read is audited by the statement that reads the family; a 404 below rolls it back.
        const read = auditEvent(trx, request, 'progress.read', familyId, memberId ? `member/${memberId}/progress` : `family/${familyId}/progress`)
        const { row: family, members, storedBands } = await familyWithMembersFor(trx, request, familyId, { alongside: read })
        const [ctx, facts] = await Promise.all([progressContext(trx), loadFamilyFacts(trx, [family.family_id], { members })])
        if (memberId && !facts.members.some((m) => m.member_id === memberId)) throw notFound('The member')
        const progress = (await progressWithBands(trx, [family], facts, ctx, memberId, storedBands)).get(family.family_id)!
        if (p.kind === 'family') {
          reply.serializer(serializeFamilyProgress).type('application/json; charset=utf-8')
          return familyProgressToPoints(familyView(progress, { showAlliance: ctx.showAllianceToFamilies }))
        }
        reply.serializer(serializeProgress).type('application/json; charset=utf-8')
        return progressToPoints(progress)
      }),
  })
}
