import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { audit } from '../../plugins/audit.js'
import { rebuildReferenceSeries } from '../../expected-bands/reference-series.js'
import { rebuildMunicipalityState } from '../../state/stored-state.js'
import { problems } from '../responses.js'

export const $RecomputeCounts = z.object({
  families: z.number().int(),
  series: z.number().int().describe('reference series rebuilt from the municipality’s own outcome series (≥ 3 points)'),
  byInstrument: z.record(z.string(), z.number().int()),
  synthetic: z.number().int().describe('synthetic reference series kept (demo cohort, pooled series)'),
  models: z.number().int().describe('band models stored: one per instrument and intake within reach of the cohort'),
})

export default async function expectedBandRoutes(app: FastifyInstance) {
  app.withTypeProvider<ZodTypeProvider>().post('/v1/expected-bands/recompute', {
    schema: {
      operationId: 'recomputeExpectedBands',
      tags: ['expected-bands'],
      summary: "Rebuild the municipality's expected-band reference series and fit its band models",
      response: { 200: $RecomputeCounts, ...problems() },
    },
    handler: (request) =>
      app.tenant(request, async (trx) => {
        const counts = await rebuildReferenceSeries(trx, request.principal.municipalityId)
        // New bands, new flags: the stored state is rebuilt before the answer, in this transaction.
        await rebuildMunicipalityState(trx, request.principal.municipalityId)
        await audit(trx, request, 'expected-bands.recompute', null, 'expected-bands')
        return counts
      }),
  })
}
