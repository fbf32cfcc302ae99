import { existsSync } from 'node:fs'
import path from 'node:path'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import fastifyStatic from '@fastify/static'
import { projectRoot } from '../paths.js'

export const WIDGET_DIST = path.join(projectRoot, 'dist', 'widget')
export const DEMO_DIR = path.join(projectRoot, 'widget', 'demo')

/** Whether the demo host page is there to serve (a checkout has it; an installed package may not). */
export const hasDemoPage = (): boolean => existsSync(path.join(DEMO_DIR, 'index.html'))

/**
 * The widget bundle at /widget/ for any host page (CORS *, cross-origin resource policy, ETag,
 * a short cache with revalidation since the file names carry no hash), and the demo host page
 * at / and /demo/.
 */
async function widget(app: FastifyInstance, opts: { widgetDir?: string }) {
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

  if (hasDemoPage()) {
    await app.register(fastifyStatic, {
      root: DEMO_DIR,
      prefix: '/demo/',
      decorateReply: false,
      index: false,
      cacheControl: false,
      setHeaders: (res) => {
        res.setHeader('cache-control', 'no-cache')
      },
    })
    app.get('/', { schema: { hide: true } }, (_request, reply) => reply.redirect('/demo/index.html'))
  } else {
    app.get('/', { schema: { hide: true } }, async (_request, reply) =>
      reply
        .type('text/html; charset=utf-8')
        .send('<!doctype html><html lang="en"><title>Framgang</title><h1>Framgang</h1><p>The API is running. See <a href="/docs">/docs</a>.</p></html>'),
    )
  }
}

export default fp(widget, { name: 'widget' })
