import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { isMigrated } from '../../db/migrate.js'
import { unavailable } from '../../plugins/problems.js'

export default async function healthRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>()
  const $Status = z.object({ status: z.enum(['ok']) })

  // Never shed (plugins/pressure.ts): a busy process is alive, and restarting it would not help.
  r.get('/health/live', {
    config: { rateLimit: false, loadShedding: false },
    schema: {
      operationId: 'getLiveness',
      tags: ['health'],
      summary: 'The process is up',
      response: { 200: $Status },
    },
    handler: async () => ({ status: 'ok' as const }),
  })

  // Shed under pressure like any route: a busy instance is not ready for more.
  r.get('/health/ready', {
    config: { rateLimit: false },
    schema: {
      operationId: 'getReadiness',
      tags: ['health'],
      summary: 'The database is reachable and migrated (else 503)',
      response: { 200: $Status },
    },
    handler: async () => {
      let ready = false
      try {
        ready = await isMigrated(app.pg.pool)
      } catch {
        // An unreachable database: not ready.
      }
      if (!ready) throw unavailable('The database is not reachable or not migrated')
      return { status: 'ok' as const }
    },
  })
}
