import { existsSync } from 'node:fs'
import path from 'node:path'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import fastifyStatic from '@fastify/static'
import { inMunicipality } from '../db/kysely.js'
import { projectRoot } from '../paths.js'
import { notFound } from './problems.js'
import type { EmbedClaims } from './tokens.js'

export const WIDGET_DIST = path.join(projectRoot, 'dist', 'widget')
export const DEMO_DIR = path.join(projectRoot, 'widget', 'demo')

/**
 * The widget bundle at /widget/ for any host page (CORS *, cross-origin resource policy, ETag,
 * a short cache with revalidation since the file names carry no hash), and the demo host page
 * at / and /demo/.
 */
async function widget(app: FastifyInstance, opts: { demoMunicipalityId?: string | null; widgetDir?: string }) {
  const widgetDir = opts.widgetDir ?? WIDGET_DIST
  if (existsSync(widgetDir)) {
    await app.register(fastifyStatic, {
      root: widgetDir,
      prefix: '/widget/',
      etag: true,
      lastModified: true,
      cacheControl: false,
      allowedPath: (p) => /^\/framgang(\.iife)?\.js$/.test(p),
      setHeaders: (res) => {
        res.setHeader('access-control-allow-origin', '*')
        res.setHeader('cache-control', 'public, max-age=300, stale-while-revalidate=86400')
      },
    })
  } else {
    app.log.warn(`no widget bundle in ${widgetDir}: run npm run build`)
  }

  if (existsSync(path.join(DEMO_DIR, 'index.html'))) {
    await app.register(fastifyStatic, { root: DEMO_DIR, prefix: '/demo/', decorateReply: false, index: false, cacheControl: false, setHeaders: (res) => res.setHeader('cache-control', 'no-cache') })
    app.get('/', { schema: { hide: true } }, (_request, reply) => reply.redirect('/demo/index.html'))
    if (opts.demoMunicipalityId) registerDemoTokens(app, opts.demoMunicipalityId)
  } else {
    app.get('/', { schema: { hide: true } }, async (_request, reply) =>
      reply.type('text/html; charset=utf-8').send('<!doctype html><html lang="en"><title>Framgang</title><h1>Framgang</h1><p>The API is running. See <a href="/docs">/docs</a>.</p></html>'),
    )
  }
}

/**
 * The demo page's stand-in for a host system's backend: it mints short-lived embed tokens for the
 * demo municipality only (first demo coordinator; first demo family). Registered only when the
 * server seeded the demo (the embedded default), never for a real municipality.
 */
function registerDemoTokens(app: FastifyInstance, municipalityId: string) {
  app.get<{ Querystring: { role?: string; familyId?: string } }>('/demo/token', { schema: { hide: true } }, async (request, reply) => {
    const role = request.query.role === 'family' ? 'family' : 'coordinator'
    const wanted = /^[0-9a-f-]{36}$/i.test(request.query.familyId ?? '') ? request.query.familyId : undefined
    const facts = await inMunicipality(app.db, municipalityId, async (trx) => {
      const coordinator = await trx.selectFrom('coordinators').select('coordinator_id').where('external_ref', '=', 'DEMO-C1').executeTakeFirst()
      const family = wanted
        ? await trx.selectFrom('families').select('family_id').where('family_id', '=', wanted).executeTakeFirst()
        : await trx.selectFrom('families').select('family_id').where('external_ref', '=', 'DEMO-1001').executeTakeFirst()
      // The demo page stands in for the host backend that holds the demo API key: its tokens
      // name that client, so they end with it like any other.
      const client = await trx.selectFrom('api_clients').select('api_client_id').where('revoked_at', 'is', null).orderBy('created_at').orderBy('api_client_id').executeTakeFirst()
      return coordinator && family && client ? { coordinatorId: coordinator.coordinator_id, familyId: family.family_id, apiClientId: client.api_client_id } : null
    })
    if (!facts) throw notFound('The demo family')
    const grant = { mun: municipalityId, client_id: facts.apiClientId }
    const claims: EmbedClaims = role === 'coordinator' ? { ...grant, role, coordinatorId: facts.coordinatorId } : { ...grant, role, familyId: facts.familyId }
    reply.header('cache-control', 'no-store')
    return { ...(await app.tokens.issue(claims, 600)), role, coordinatorId: facts.coordinatorId, familyId: facts.familyId }
  })
}

export default fp(widget, { name: 'widget' })
