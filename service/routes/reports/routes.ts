import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { $OutcomeReport, $OutcomeReportQuery, type OutcomeReport } from '../../contracts/reports.js'
import { aggregateOutcomes, defaultFrom, reportPeriod, type OutcomeCell } from '../../domain/report.js'
import { toPointsOrNull } from '../../domain/score-units.js'
import { audit } from '../../plugins/audit.js'
import { ruleBroken } from '../../plugins/problems.js'
import { municipalityToday } from '../../repositories/municipalities.js'
import { reportInputs } from '../../repositories/reports.js'
import { problems } from '../responses.js'

/** Score means are in tenths inside the domain. */
function cellToPoints<C extends OutcomeCell>(c: C): C {
  return { ...c, meanIntakeOutcome: toPointsOrNull(c.meanIntakeOutcome), meanIntakeAlliance: toPointsOrNull(c.meanIntakeAlliance) }
}

export default async function reportRoutes(app: FastifyInstance) {
  app.withTypeProvider<ZodTypeProvider>().get('/v1/reports/outcomes', {
    schema: {
      operationId: 'getOutcomeReport',
      tags: ['reports'],
      summary: 'Aggregate outcomes per age group, with small cells suppressed',
      querystring: $OutcomeReportQuery,
      response: { 200: $OutcomeReport, ...problems(422) },
    },
    handler: (request) =>
      app.tenant(request, async (trx): Promise<OutcomeReport> => {
        const to = request.query.to ?? (await municipalityToday(trx))
        const from = request.query.from ?? defaultFrom(to)
        if (from > to) throw ruleBroken([{ path: '/from', message: `from (${from}) is after to (${to})` }])
        // Every person of the municipality: each answer is weighed against the broader ones.
        const period = reportPeriod({ from, to })
        const { coordinatorId, ageGroup } = request.query
        const report = aggregateOutcomes({ ...period, ageGroup, coordinatorId, ...(await reportInputs(trx, period)) })
        await audit(trx, request, 'report.read', null, 'reports/outcomes')
        return { from: report.from, to: report.to, groups: report.groups.map(cellToPoints), all: cellToPoints(report.all) }
      }),
  })
}
