import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { asApp, inMunicipality } from '../db/kysely.js'
import { allowedOrigins, originRegisteredAnywhere } from '../repositories/allowed-origins.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** Forget cached origins after a municipality changes its allowedOrigins. */
    forgetOrigins(): void
  }
}

const ALLOW_HEADERS = 'Authorization, Content-Type, Idempotency-Key'
const ALLOW_METHODS = 'GET, POST, PUT, PATCH, DELETE'
const EXPOSE_HEADERS = 'Location, Retry-After'
const CACHE_MS = 30_000

/**
 * CORS for /v1 exactly as docs/api.md says: a preflight (no credential) is answered for an origin
 * some municipality registered; a real response allows the origin only when the caller's own
 * municipality registered it (or, before anyone is authenticated, when any did). @fastify/cors
 * decides before authentication and not on error responses, so this small hook pair does it.
 * Origins are cached for 30 s per process to keep a lookup off every request.
 */
async function cors(app: FastifyInstance) {
  const anywhere = new Map<string, { ok: boolean; at: number }>()
  const byMunicipality = new Map<string, { origins: Set<string>; at: number }>()
  const fresh = (at: number) => Date.now() - at < CACHE_MS
  app.decorate('forgetOrigins', () => {
    anywhere.clear()
    byMunicipality.clear()
  })

  // When the database cannot be read, a cached answer however old is better than none.
  async function registeredAnywhere(origin: string): Promise<boolean> {
    const hit = anywhere.get(origin)
    if (hit && fresh(hit.at)) return hit.ok
    let ok: boolean
    try {
      ok = await asApp(app.db, (trx) => originRegisteredAnywhere(trx, origin))
    } catch (err) {
      if (hit) return hit.ok
      throw err
    }
    if (anywhere.size > 10_000) anywhere.clear()
    anywhere.set(origin, { ok, at: Date.now() })
    return ok
  }

  async function registeredBy(municipalityId: string, origin: string): Promise<boolean> {
    let hit = byMunicipality.get(municipalityId)
    if (!hit || !fresh(hit.at)) {
      try {
        hit = { origins: new Set(await inMunicipality(app.db, municipalityId, allowedOrigins)), at: Date.now() }
        byMunicipality.set(municipalityId, hit)
      } catch (err) {
        if (!hit) throw err
      }
    }
    return hit.origins.has(origin)
  }

  const originOf = (request: FastifyRequest) => {
    const o = request.headers.origin
    return typeof o === 'string' && o !== 'null' ? o.toLowerCase() : null
  }
  const isApi = (request: FastifyRequest) => request.url.startsWith('/v1/')

  app.options('/v1/*', { schema: { hide: true } }, async (request, reply) => {
    const origin = originOf(request)
    reply.header('vary', 'Origin')
    if (origin && (await registeredAnywhere(origin))) {
      reply
        .header('access-control-allow-origin', origin)
        .header('access-control-allow-methods', ALLOW_METHODS)
        .header('access-control-allow-headers', ALLOW_HEADERS)
        .header('access-control-max-age', '600')
    }
    return reply.code(204).send()
  })

  app.addHook('onSend', async (request, reply, payload) => {
    if (!isApi(request) || request.method === 'OPTIONS') return payload
    reply.header('vary', 'Origin')
    reply.header('access-control-expose-headers', EXPOSE_HEADERS)
    const origin = originOf(request)
    if (!origin) return payload
    const principal = request.principal
    let allowed = false
    try {
      if (reply.statusCode === 503) {
        // A 503 (shed under load, shutting down, no database) is answered from the caches alone,
        // however old: a lookup would wait for a connection of the pool that is the bottleneck,
        // or the database that is gone. Without a cached answer the origin is not allowed.
        allowed = principal ? (byMunicipality.get(principal.municipalityId)?.origins.has(origin) ?? false) : (anywhere.get(origin)?.ok ?? false)
      } else {
        allowed = principal ? await registeredBy(principal.municipalityId, origin) : await registeredAnywhere(origin)
      }
    } catch (err) {
      // This hook also runs on the answer to a failure, often the database's own (503): a
      // second failure here would replace that answer with Fastify's bare 500 quoting the
      // driver. Without the lookup the origin is not allowed, which is the safe side.
      request.log.warn({ err: { code: (err as { code?: unknown }).code } }, 'allowed origins could not be read; answering without Access-Control-Allow-Origin')
    }
    if (allowed) reply.header('access-control-allow-origin', origin)
    return payload
  })
}

export default fp(cors, { name: 'cors', dependencies: ['database'] })
