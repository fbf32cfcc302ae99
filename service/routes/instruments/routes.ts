import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { $Instrument, $InstrumentsQuery } from '../../contracts/instruments.js'
import { loadInstruments, toInstrument } from '../../repositories/instruments.js'
import { municipality } from '../../repositories/municipalities.js'
import { problems } from '../responses.js'

export default async function instrumentRoutes(app: FastifyInstance) {
  app.withTypeProvider<ZodTypeProvider>().get('/v1/instruments', {
    config: { allow: ['api-client', 'coordinator', 'family'] },
    schema: {
      operationId: 'listInstruments',
      tags: ['instruments'],
      summary: 'Instruments with labels in a language and the thresholds in force',
      querystring: $InstrumentsQuery,
      response: { 200: z.object({ items: z.array($Instrument) }), ...problems() },
    },
    handler: (request) =>
      app.tenant(request, async (trx) => ({ items: (await loadInstruments(trx, await municipality(trx))).map((i) => toInstrument(i, request.query.lang)) })),
  })
}
