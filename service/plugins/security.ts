import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import helmet from '@fastify/helmet'
import rateLimit from '@fastify/rate-limit'
import type { Config } from '../config.js'
import { principalKey } from './auth.js'

/**
 * A page's CSP (/docs, the demo): its own resources only, no plugins, no inline script, no
 * framing by other sites. Each page adds what it needs to this.
 */
const PAGE_DIRECTIVES = {
  'default-src': ["'self'"],
  'base-uri': ["'self'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'self'"],
  'object-src': ["'none'"],
  'script-src': ["'self'"],
  'script-src-attr': ["'none'"],
  'img-src': ["'self'", 'data:'],
  'upgrade-insecure-requests': [],
}

/**
 * The API's CSP: it answers JSON, which loads nothing, may be framed by nothing and has no base
 * URL or form to abuse. Every policy is written out in full (useDefaults: false): helmet's
 * defaults would add `style-src 'unsafe-inline'`, https: fonts and more to each.
 */
const API_DIRECTIVES = { 'default-src': ["'none'"], 'base-uri': ["'none'"], 'form-action': ["'none'"], 'frame-ancestors': ["'none'"] }

/**
 * Security headers, caching and rate limiting. The API's CSP forbids everything (it serves
 * JSON); the demo page, /docs and the widget get what they need per route (set in onRoute below,
 * before their routes are added). Every /v1 answer, errors included, is `Cache-Control:
 * no-store`: it may carry personal data (a family, its progress, its export, its access log) and
 * no browser, proxy or shared cache may keep it. The rate limit counts per API client or token
 * subject, after authentication, so one municipality's host system cannot starve another's.
 */
async function security(app: FastifyInstance, opts: { config: Config }) {
  app.addHook('onRoute', (route) => {
    const url = route.url
    if (url.startsWith('/docs')) {
      // Swagger UI sets inline styles (style attributes) as it renders; its scripts are files.
      route.helmet = { contentSecurityPolicy: { useDefaults: false, directives: { ...PAGE_DIRECTIVES, 'style-src': ["'self'", "'unsafe-inline'"] } } }
    } else if (url.startsWith('/widget')) {
      route.helmet = { crossOriginResourcePolicy: { policy: 'cross-origin' } }
    } else if (url === '/' || url.startsWith('/demo')) {
      // The demo is a host page as strict as the strictest the widget must work on.
      route.helmet = { contentSecurityPolicy: { useDefaults: false, directives: { ...PAGE_DIRECTIVES, 'style-src': ["'self'"], 'connect-src': ["'self'"] } } }
    }
  })
  // Set as the request arrives, so an answer that fails late keeps it, and again as it leaves,
  // so nothing on the way replaces it.
  const isApi = (url: string) => url === '/v1' || url.startsWith('/v1/') || url.startsWith('/v1?')
  app.addHook('onRequest', async (request, reply) => {
    if (isApi(request.url)) reply.header('cache-control', 'no-store')
  })
  app.addHook('onSend', async (request, reply, payload) => {
    if (isApi(request.url)) reply.header('cache-control', 'no-store')
    return payload
  })
  await app.register(helmet, {
    global: true,
    contentSecurityPolicy: { useDefaults: false, directives: API_DIRECTIVES },
    crossOriginResourcePolicy: { policy: 'same-origin' },
    hsts: { maxAge: 31_536_000, includeSubDomains: true },
  })
  await app.register(rateLimit, {
    global: true,
    hook: 'preHandler',
    max: opts.config.rateLimit.max,
    timeWindow: opts.config.rateLimit.windowSeconds * 1000,
    allowList: (request) => !request.url.startsWith('/v1/') || request.method === 'OPTIONS',
    keyGenerator: (request) => (request.principal ? principalKey(request.principal) : `ip:${request.ip}`),
    errorResponseBuilder: (_request, context) => Object.assign(new Error(`Rate limit exceeded, retry in ${context.after}`), { statusCode: 429 }),
  })
}

export default fp(security, { name: 'security' })
