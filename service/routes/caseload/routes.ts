import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { $Caseload, type CaseloadItem } from '../../contracts/caseload.js'
import { $Id, $PageQuery, type Severity } from '../../contracts/common.js'
import { caseloadStanding, compareCaseload } from '../../domain/caseload.js'
import { familyFlagList } from '../../domain/progress.js'
import { severityRank } from '../../domain/severity.js'
import { familiesAuditEvents } from '../../plugins/audit.js'
import { activeFamilyStates, caseloadDetails } from '../../state/repository.js'
import { todayIn } from '../calendar.js'
import { decodeCursor, encodeCursor } from '../cursor.js'
import { flagToPoints } from '../progress/present.js'
import { problems } from '../responses.js'
import { municipality } from '../settings/repository.js'

export default async function caseloadRoutes(app: FastifyInstance) {
  app.withTypeProvider<ZodTypeProvider>().get('/v1/caseload', {
    config: { allow: ['api-client', 'coordinator'] },
    schema: {
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
        const after = decodeCursor(request.query.cursor, ['int', 'int', 'date?', 'uuid'])
        const [m, states] = await Promise.all([municipality(trx), activeFamilyStates(trx, coordinatorId)])
        const today = todayIn(m.time_zone)
        const standings = states
          .map((s) => ({
            state: s,
            ...caseloadStanding(
              { familyId: s.family_id, active: s.active, startedOn: s.started_on, lastSessionOn: s.last_session_on, lastSessionId: s.last_session_id, severity: s.severity as Severity | null, flagCount: s.flag_count },
              today,
              m.overdue_days,
            ),
          }))
          .sort(compareCaseload)

        // The cursor is the sort position of the last item shown, so a page boundary holds when
        // families are added meanwhile.
        const start = after
          ? standings.findIndex(
              (item) =>
                compareCaseload(item, {
                  familyId: String(after[3]),
                  severity: [null, 'notice', 'warning', 'alert'][Number(after[0])] as Severity | null,
                  flags: new Array(Number(after[1])),
                  lastSessionOn: after[2] === null ? null : String(after[2]),
                }) > 0,
            )
          : 0
        const shown = start < 0 ? [] : standings.slice(start, start + request.query.limit)
        const more = start >= 0 && start + request.query.limit < standings.length
        const ids = shown.map((s) => s.familyId)
        // The families shown are audited by the statement that reads their details.
        const { externalRefs, flags } = await caseloadDetails(trx, ids, { alongside: ids.length > 0 ? familiesAuditEvents(trx, request, 'caseload.read', ids) : undefined })
        const items: CaseloadItem[] = shown.map((s) => ({
          familyId: s.familyId,
          externalRef: externalRefs.get(s.familyId)!,
          coordinatorId: s.state.coordinator_id,
          lastSessionOn: s.lastSessionOn,
          sessionCount: s.state.session_count,
          severity: s.severity,
          flags: familyFlagList(flags.get(s.familyId) ?? [], s.overdue).map(flagToPoints),
        }))
        const last = items[items.length - 1]
        return {
          items,
          nextCursor: more && last ? encodeCursor([severityRank(last.severity), last.flags.length, last.lastSessionOn, last.familyId]) : null,
        }
      }),
  })
}
