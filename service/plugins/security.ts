import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import helmet from '@fastify/helmet'
import rateLimit from '@fastify/rate-limit'
import type { Config } from '../config.js'
import { principalKey } from './auth.js'

/**
 * Security headers and rate limiting. The API's CSP forbids everything (it serves JSON); the
 * demo page, /docs and the widget get what they need per route (set in onRoute below, before
 * their routes are added). The rate limit counts per API client or token subject, after
 * authentication, so one municipality's host system cannot starve another's.
 */
async function security(app: FastifyInstance, opts: { config: Config }) {
  app.addHook('onRoute', (route) => {
    const url = route.url
    if (url.startsWith('/docs')) {
      route.helmet = { contentSecurityPolicy: { directives: { 'default-src': ["'self'"], 'script-src': ["'self'"], 'style-src': ["'self'", "'unsafe-inline'"], 'img-src': ["'self'", 'data:'] } } }
    } else if (url.startsWith('/widget')) {
      route.helmet = { crossOriginResourcePolicy: { policy: 'cross-origin' } }
    } else if (url === '/' || url.startsWith('/demo')) {
      route.helmet = { contentSecurityPolicy: { directives: { 'default-src': ["'self'"], 'script-src': ["'self'"], 'style-src': ["'self'"], 'img-src': ["'self'", 'data:'], 'connect-src': ["'self'"] } } }
    }
  })
  await app.register(helmet, {
    global: true,
    contentSecurityPolicy: { directives: { 'default-src': ["'none'"], 'frame-ancestors': ["'none'"] } },
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
