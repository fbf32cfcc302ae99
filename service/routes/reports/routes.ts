import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { $OutcomeReport, $OutcomeReportQuery, type OutcomeReport } from '../../contracts/reports.js'
import { twelveMonthsEndingOn } from '../../domain/calendar.js'
import { aggregateOutcomes, type OutcomeCell } from '../../domain/report.js'
import { audit } from '../../plugins/audit.js'
import { ruleBroken } from '../../plugins/problems.js'
import { reportInputs } from '../../state/repository.js'
import { municipalityToday } from '../settings/repository.js'
import { problems } from '../responses.js'
import { toPointsOrNull } from '../score-units.js'

/** Score means are in tenths inside the domain. */
function cellToPoints<C extends OutcomeCell>(c: C): C {
  return { ...c, meanIntakeOutcome: toPointsOrNull(c.meanIntakeOutcome), meanIntakeAlliance: toPointsOrNull(c.meanIntakeAlliance) }
}

export default async function reportRoutes(app: FastifyInstance) {
  app.withTypeProvider<ZodTypeProvider>().get('/v1/reports/outcomes', {
    schema: {
      tags: ['reports'],
      summary: 'Aggregate outcomes per age group, with small cells suppressed',
      querystring: $OutcomeReportQuery,
      response: { 200: $OutcomeReport, ...problems(422) },
    },
    handler: (request) =>
      app.tenant(request, async (trx): Promise<OutcomeReport> => {
        const to = request.query.to ?? (await municipalityToday(trx))
        const from = request.query.from ?? twelveMonthsEndingOn(to)
        if (from > to) throw ruleBroken([{ path: '/from', message: `from (${from}) is after to (${to})` }])
        const report = aggregateOutcomes({ from, to, ageGroup: request.query.ageGroup, ...(await reportInputs(trx, { from, to, coordinatorId: request.query.coordinatorId })) })
        await audit(trx, request, 'report.read', null, 'reports/outcomes')
        return { from: report.from, to: report.to, groups: report.groups.map(cellToPoints), all: cellToPoints(report.all) }
      }),
  })
}
