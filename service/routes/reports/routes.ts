import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { $OutcomeReport, $OutcomeReportQuery, type OutcomeReport } from '../../contracts/reports.js'
import { outcomeReport, type OutcomeCell } from '../../domain/report.js'
import { buildSeries } from '../../domain/series.js'
import { audit } from '../../plugins/audit.js'
import { ruleBroken } from '../../plugins/problems.js'
import { groupBy } from '../group-by.js'
import { loadBandModels } from '../expected-bands/repository.js'
import { loadFamilyFacts, seriesIntakes } from '../progress/repository.js'
import { progressContext } from '../progress/routes.js'
import { problems } from '../responses.js'
import { toPointsOrNull } from '../score-units.js'

/** Score means are in tenths inside the domain. */
function cellToPoints<C extends OutcomeCell>(c: C): C {
  return { ...c, meanIntakeOutcome: toPointsOrNull(c.meanIntakeOutcome), meanIntakeAlliance: toPointsOrNull(c.meanIntakeAlliance) }
}

function yearBefore(date: string): string {
  const d = new Date(`${date}T00:00:00Z`)
  d.setUTCFullYear(d.getUTCFullYear() - 1)
  d.setUTCDate(d.getUTCDate() + 1)
  return d.toISOString().slice(0, 10)
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
        const ctx = await progressContext(trx)
        const to = request.query.to ?? ctx.today
        const from = request.query.from ?? yearBefore(to)
        if (from > to) throw ruleBroken([{ path: '/from', message: `from (${from}) is after to (${to})` }])
        let q = trx.selectFrom('families').selectAll().where('synthetic', '=', false)
        if (request.query.coordinatorId) q = q.where('coordinator_id', '=', request.query.coordinatorId)
        const families = await q.execute()
        const facts = await loadFamilyFacts(trx, families.map((f) => f.family_id))
        const seriesByMember = groupBy(buildSeries(facts.ratings.map((r) => r.fact)), (s) => s.memberId)
        const report = outcomeReport({
          from,
          to,
          families: families.map((f) => ({ id: f.family_id, startedOn: f.started_on, ending: f.ending })),
          members: facts.members.map((m) => ({ id: m.member_id, familyId: m.family_id, birthDate: m.birth_date, series: seriesByMember.get(m.member_id) ?? [] })),
          instruments: ctx.instruments,
          bandModelOf: await loadBandModels(trx, seriesIntakes(facts), ctx.instruments, ctx.settings.expectedBandMinSeries),
          ageGroup: request.query.ageGroup,
        })
        await audit(trx, request, 'report.read', null, 'reports/outcomes')
        return { from: report.from, to: report.to, groups: report.groups.map(cellToPoints), all: cellToPoints(report.all) }
      }),
  })
}
