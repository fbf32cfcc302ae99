import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { $Caseload, type CaseloadItem } from '../../contracts/caseload.js'
import { $Id, $PageQuery } from '../../contracts/common.js'
import { todayIn } from '../../domain/calendar.js'
import { caseloadPage, caseloadPosition, caseloadStanding, compareCaseload, type CaseloadPosition } from '../../domain/caseload.js'
import { familyFlagList } from '../../domain/progress.js'
import { familiesAuditEvents } from '../../plugins/audit.js'
import { activeFamilyStates, caseloadDetails } from '../../repositories/family-state.js'
import { municipality } from '../../repositories/municipalities.js'
import { decodeCursor, encodeCursor } from '../cursor.js'
import { flagToPoints } from '../present-progress.js'
import { problems } from '../responses.js'

export default async function caseloadRoutes(app: FastifyInstance) {
  app.withTypeProvider<ZodTypeProvider>().get('/v1/caseload', {
    config: { allow: ['api-client', 'coordinator'] },
    schema: {
      operationId: 'getCaseload',
      tags: ['caseload'],
      summary: 'Active families with their open flags, most urgent first',
      description: 'Read from the stored state of the families in a fixed number of queries, whatever the caseload size; no rating is read.',
      querystring: $PageQuery.extend({ coordinatorId: $Id.optional() }),
      response: { 200: $Caseload, ...problems() },
    },
    handler: (request) =>
      app.tenant(request, async (trx) => {
        const p = request.principal
        const coordinatorId = p.kind === 'coordinator' ? p.coordinatorId : request.query.coordinatorId
        // The cursor is the sort position of the last item shown (domain/caseload.ts).
        const after = decodeCursor(request.query.cursor, ['int', 'int', 'date?', 'uuid']) as CaseloadPosition | null
        const [m, states] = await Promise.all([municipality(trx), activeFamilyStates(trx, coordinatorId)])
        const today = todayIn(m.time_zone)
        const standings = states.map((s) => ({ state: s, ...caseloadStanding(s, today, m.overdue_days) })).sort(compareCaseload)
        const { shown, more } = caseloadPage(standings, after, request.query.limit)
        const ids = shown.map((s) => s.familyId)
        // The families shown are audited by the statement that reads their details.
        const { externalRefs, flags } = await caseloadDetails(trx, ids, {
          alongside: ids.length > 0 ? familiesAuditEvents(trx, request, 'caseload.read', ids) : undefined,
        })
        const items: CaseloadItem[] = shown.map((s) => ({
          familyId: s.familyId,
          externalRef: externalRefs.get(s.familyId)!,
          coordinatorId: s.state.coordinatorId,
          lastSessionOn: s.lastSessionOn,
          sessionCount: s.state.sessionCount,
          severity: s.severity,
          flags: familyFlagList(flags.get(s.familyId) ?? [], s.overdue).map(flagToPoints),
        }))
        const last = items[items.length - 1]
        return { items, nextCursor: more && last ? encodeCursor(caseloadPosition(last)) : null }
      }),
  })
}
