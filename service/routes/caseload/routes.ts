import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { $Caseload, type CaseloadItem } from '../../contracts/caseload.js'
import { $Id, $PageQuery } from '../../contracts/common.js'
import { compareCaseload } from '../../domain/caseload.js'
import { severityOf, severityRank } from '../../domain/severity.js'
import { auditFamilies } from '../../plugins/audit.js'
import { decodeCursor, encodeCursor } from '../cursor.js'
import { flagToPoints } from '../progress/present.js'
import { loadFamilyFacts } from '../progress/repository.js'
import { progressContext, progressWithBands } from '../progress/routes.js'
import { problems } from '../responses.js'

export default async function caseloadRoutes(app: FastifyInstance) {
  app.withTypeProvider<ZodTypeProvider>().get('/v1/caseload', {
    config: { allow: ['api-client', 'coordinator'] },
    schema: {
      tags: ['caseload'],
      summary: 'Active families with their open flags, most urgent first',
      description: 'Answered in a fixed number of queries whatever the caseload size.',
      querystring: $PageQuery.extend({ coordinatorId: $Id.optional() }),
      response: { 200: $Caseload, ...problems() },
    },
    handler: (request) =>
      app.tenant(request, async (trx) => {
        const p = request.principal
        const coordinatorId = p.kind === 'coordinator' ? p.coordinatorId : request.query.coordinatorId
        let q = trx.selectFrom('families').selectAll().where('ended_on', 'is', null).where('synthetic', '=', false)
        if (coordinatorId) q = q.where('coordinator_id', '=', coordinatorId)
        const families = await q.execute()
        const ids = families.map((f) => f.family_id)
        const [ctx, facts] = await Promise.all([progressContext(trx), loadFamilyFacts(trx, ids)])
        const progress = await progressWithBands(trx, families, facts, ctx)
        const lastSession = new Map<string, { on: string; count: number }>()
        for (const s of facts.sessions) {
          const seen = lastSession.get(s.family_id)
          lastSession.set(s.family_id, { on: !seen || s.held_on > seen.on ? s.held_on : seen.on, count: (seen?.count ?? 0) + 1 })
        }
        const items: CaseloadItem[] = families
          .map((f) => {
            const flags = progress.get(f.family_id)!.flags
            return {
              familyId: f.family_id,
              externalRef: f.external_ref,
              coordinatorId: f.coordinator_id,
              lastSessionOn: lastSession.get(f.family_id)?.on ?? null,
              sessionCount: lastSession.get(f.family_id)?.count ?? 0,
              severity: severityOf(flags),
              flags: flags.map(flagToPoints),
            }
          })
          .sort(compareCaseload)

        // The cursor is the sort position of the last item shown, so a page boundary holds when
        // families are added meanwhile.
        const after = decodeCursor(request.query.cursor, ['int', 'int', 'date?', 'uuid'])
        const start = after
          ? items.findIndex(
              (item) =>
                compareCaseload(item, {
                  familyId: String(after[3]),
                  severity: [null, 'notice', 'warning', 'alert'][Number(after[0])] as CaseloadItem['severity'],
                  flags: new Array(Number(after[1])),
                  lastSessionOn: after[2] === null ? null : String(after[2]),
                }) > 0,
            )
          : 0
        const pageItems = start < 0 ? [] : items.slice(start, start + request.query.limit)
        const last = pageItems[pageItems.length - 1]
        const more = start >= 0 && start + request.query.limit < items.length
        await auditFamilies(trx, request, 'caseload.read', pageItems.map((i) => i.familyId))
        return {
          items: pageItems,
          nextCursor: more && last ? encodeCursor([severityRank(last.severity), last.flags.length, last.lastSessionOn, last.familyId]) : null,
        }
      }),
  })
}
