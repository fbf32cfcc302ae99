import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { $Settings, $UpdateSettings } from '../../contracts/settings.js'
import { audit } from '../../plugins/audit.js'
import { isValidTimeZone } from '../../domain/calendar.js'
import { ruleBroken, type FieldError } from '../../plugins/problems.js'
import { instrumentCodes } from '../../repositories/instruments.js'
import { readSettings, writeSettings } from '../../repositories/settings.js'
import { rebuildMunicipalityState } from '../../state/stored-state.js'
import { problems } from '../responses.js'

export default async function settingsRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>()
  const tags = ['settings']

  r.get('/v1/settings', {
    schema: {
      operationId: 'getSettings',
      tags,
      summary: "The municipality's settings",
      response: { 200: $Settings, ...problems() },
    },
    handler: (request) => app.tenant(request, (trx) => readSettings(trx)),
  })

  r.patch('/v1/settings', {
    schema: {
      operationId: 'updateSettings',
      tags,
      summary: "Change the municipality's settings and threshold overrides",
      body: $UpdateSettings,
      response: { 200: $Settings, ...problems(422) },
    },
    handler: async (request) => {
      const settings = await app.tenant(request, async (trx) => {
        const patch = request.body
        const errors: FieldError[] = []
        if (patch.timeZone !== undefined && !isValidTimeZone(patch.timeZone))
          errors.push({ path: '/timeZone', message: 'not an IANA time zone (e.g. Europe/Oslo)' })
        const codes = Object.keys(patch.thresholds ?? {})
        if (codes.length) {
          const known = await instrumentCodes(trx)
          for (const code of codes) if (!known.has(code)) errors.push({ path: `/thresholds/${code}`, message: `no instrument ${code}` })
        }
        if (errors.length) throw ruleBroken(errors)
        await writeSettings(trx, request.principal.municipalityId, patch)
        // Stored state follows the thresholds and the band minimum: rebuilt before the answer, in
        // this transaction, so no reader sees state computed under other settings.
        if (patch.thresholds !== undefined || patch.expectedBandMinSeries !== undefined) await rebuildMunicipalityState(trx, request.principal.municipalityId)
        await audit(trx, request, 'settings.update', null, 'settings')
        return readSettings(trx)
      })
      // After the commit: forgetting earlier would let a request in between cache the old origins.
      if (request.body.allowedOrigins) app.forgetOrigins()
      return settings
    },
  })
}
