import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod'
import { jsonPointer, MAX_ECHOED_NAME } from './json-pointer.js'
import { isDatabaseUnavailable, RETRY_AFTER_SECONDS } from '../db/connection-errors.js'

export interface FieldError {
  path: string
  message: string
}

export const TITLES: Record<string, string> = {
  validation: 'The request is not valid',
  unauthorized: 'Authentication is required',
  forbidden: 'Not allowed for this principal',
  'not-found': 'Not found',
  conflict: 'Conflict',
  rule: 'The request breaks a rule',
  'rate-limited': 'Too many requests',
  unavailable: 'Service unavailable',
  internal: 'Internal error',
}

export type ProblemType = keyof typeof TITLES

/** An RFC 9457 problem. Throw it anywhere in a request; the error handler renders it. */
export class Problem extends Error {
  constructor(
    readonly status: number,
    readonly type: ProblemType,
    detail: string,
    readonly errors?: FieldError[],
    readonly headers: Record<string, string> = {},
  ) {
    super(detail)
  }
}

export const badRequest = (detail: string, errors: FieldError[]) => new Problem(400, 'validation', detail, errors)
export const ruleBroken = (errors: FieldError[], detail = errors.map((e) => `${e.path || '/'}: ${e.message}`).join('; ')) =>
  new Problem(422, 'rule', detail, errors)
export const notFound = (what: string) => new Problem(404, 'not-found', `${what} was not found`)
export const conflict = (detail: string, errors?: FieldError[]) => new Problem(409, 'conflict', detail, errors)
export const forbidden = (detail: string) => new Problem(403, 'forbidden', detail)
export const unauthorized = (detail: string) => new Problem(401, 'unauthorized', detail, undefined, { 'www-authenticate': 'Bearer' })
/** 503 with Retry-After: the request did not complete and may be retried as it is. */
export const unavailable = (detail: string, retryAfterSeconds = RETRY_AFTER_SECONDS) =>
  new Problem(503, 'unavailable', detail, undefined, { 'retry-after': String(retryAfterSeconds) })

/**
 * Longer paths are never a route of the service (the longest, with two ids, has 94 characters)
 * and are not repeated back, in answers or logs.
 */
export const MAX_ECHOED_PATH = 128

/** The request's path, or, for a path too long to repeat, the request's id (also in the logs). */
export function instanceOf(request: FastifyRequest): string {
  const path = request.url.split('?')[0]
  return path.length <= MAX_ECHOED_PATH ? path : `urn:uuid:${request.id}`
}

function body(request: FastifyRequest, status: number, type: ProblemType, detail: string, errors?: FieldError[]): Record<string, unknown> {
  const out: Record<string, unknown> = {
    type: `/problems/${type}`,
    title: TITLES[type],
    status,
    detail,
    instance: instanceOf(request),
  }
  if (errors && (status === 400 || status === 422 || errors.length > 0)) out.errors = errors
  return out
}

/** A Problem's body for the request, where an answer is replaced after the error handler (onSend). */
export function problemBody(request: FastifyRequest, problem: Problem): Record<string, unknown> {
  return body(request, problem.status, problem.type, problem.message, problem.errors)
}

function send(reply: FastifyReply, request: FastifyRequest, status: number, type: ProblemType, detail: string, errors?: FieldError[]) {
  return reply
    .code(status)
    .type('application/problem+json; charset=utf-8')
    .send(body(request, status, type, detail, errors))
}

function pointer(instancePath: string, extra?: string): string {
  const base = instancePath === '/' ? '' : instancePath
  // A segment too long to repeat back ends the pointer at the object that holds it.
  const long = base.split('/').findIndex((segment) => segment.length > MAX_ECHOED_NAME)
  if (long > 0) return base.split('/').slice(0, long).join('/')
  return extra === undefined ? base : `${base}${jsonPointer([extra])}`
}

const PLACES: Record<string, string> = { body: '', querystring: 'query parameter ', params: 'path parameter ', headers: 'header ' }

/** Turns zod issues from the type provider into field errors with JSON Pointers into the request. */
function fieldErrors(err: FastifyError): FieldError[] {
  const context = (err as FastifyError & { validationContext?: string }).validationContext ?? 'body'
  const place = PLACES[context] ?? ''
  const out: FieldError[] = []
  for (const v of err.validation ?? []) {
    const params = (v.params ?? {}) as { keys?: string[] }
    if (v.keyword === 'unrecognized_keys' && Array.isArray(params.keys)) {
      for (const key of params.keys) {
        const named = key.length <= MAX_ECHOED_NAME ? `'${key}'` : `(a name of ${key.length} characters)`
        out.push({ path: pointer(v.instancePath, key), message: `${place}unknown field ${named} is not allowed`.trimStart() })
      }
    } else {
      out.push({ path: pointer(v.instancePath), message: `${place}${v.message ?? 'is not valid'}`.trimStart() })
    }
  }
  return out
}

/**
 * Handlers check uniqueness before they insert, but two concurrent requests can both pass the
 * check; the database's unique constraint then refuses the second. That is the same conflict the
 * check reports, not a server error. Constraint names never reach the client.
 */
const UNIQUE_CONSTRAINTS: Record<string, { status: number; type: ProblemType; path: string; message: string }> = {
  coordinators_municipality_id_external_ref_key: {
    status: 409,
    type: 'conflict',
    path: '/externalRef',
    message: 'externalRef is already used by another coordinator in this municipality',
  },
  families_municipality_id_external_ref_key: {
    status: 409,
    type: 'conflict',
    path: '/externalRef',
    message: 'externalRef is already used by another family in this municipality',
  },
  ratings_one_per_rater: {
    status: 422,
    type: 'rule',
    path: '',
    message: 'this session already has a rating of this member with this instrument by this rater',
  },
}

function uniqueViolation(err: unknown): { status: number; type: ProblemType; path: string; message: string } | null {
  const e = err as { code?: unknown; constraint?: unknown }
  if (e.code !== '23505') return null
  return (
    UNIQUE_CONSTRAINTS[String(e.constraint)] ?? {
      status: 409,
      type: 'conflict',
      path: '',
      message: 'the request conflicts with a change made at the same time; read the current state and retry',
    }
  )
}

/**
 * The one error handler: every 4xx/5xx leaves as application/problem+json, 5xx without internals.
 * Logs carry the request id and error code, never request bodies (they hold personal data).
 */
async function problems(app: FastifyInstance) {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (err instanceof Problem) {
      for (const [k, v] of Object.entries(err.headers)) reply.header(k, v)
      return send(reply, request, err.status, err.type, err.message, err.errors)
    }
    if (hasZodFastifySchemaValidationErrors(err)) {
      const errors = fieldErrors(err)
      return send(reply, request, 400, 'validation', errors.map((e) => `${e.path || '/'}: ${e.message}`).join('; '), errors)
    }
    if (isDatabaseUnavailable(err)) {
      // The database is down, restarting or failing over: nothing was stored, a retry is safe.
      // The driver's message names hosts and ports; the client gets none of it.
      const code = typeof err.code === 'string' ? err.code : undefined
      request.log.warn({ err: { code, message: code && /^[0-9A-Z]{5}$/.test(code) ? undefined : err.message } }, 'request failed: the database is unavailable')
      reply.header('retry-after', String(RETRY_AFTER_SECONDS))
      return send(reply, request, 503, 'unavailable', 'The service cannot reach its database right now; retry after the time in Retry-After')
    }
    const unique = uniqueViolation(err)
    if (unique) return send(reply, request, unique.status, unique.type, unique.message, [{ path: unique.path, message: unique.message }])
    const sqlstate = typeof err.code === 'string' && /^[0-9A-Z]{5}$/.test(err.code) ? err.code : null
    if (sqlstate?.startsWith('22')) {
      // A data exception: a value PostgreSQL cannot take (out of range, malformed). Bad input.
      return send(reply, request, 400, 'validation', 'A value in the request cannot be stored', [{ path: '', message: 'a value is out of range or not valid' }])
    }
    if (sqlstate === '23503') {
      // A referenced record went away meanwhile (a concurrent delete).
      return send(reply, request, 409, 'conflict', 'Something this request refers to was removed at the same time; read the current state and retry')
    }
    const status = err.statusCode ?? 500
    if (status === 429) {
      return send(reply, request, 429, 'rate-limited', 'Too many requests; retry after the time in Retry-After')
    }
    if (status >= 400 && status < 500) {
      // Fastify's own client errors: malformed JSON, too large, wrong content type, empty body.
      const type: ProblemType = status === 401 ? 'unauthorized' : status === 404 ? 'not-found' : status === 403 ? 'forbidden' : 'validation'
      const detail = err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err instanceof SyntaxError ? 'The body is not valid JSON' : err.message
      return send(reply, request, status, type, detail, type === 'validation' ? [{ path: '', message: detail }] : undefined)
    }
    // A database message can quote the input (personal data): log its code and place only.
    request.log.error(
      { err: sqlstate ? { code: sqlstate, routine: (err as { routine?: string }).routine } : { code: err.code, message: err.message, stack: err.stack } },
      'request failed',
    )
    if (status === 503) {
      reply.header('retry-after', String(RETRY_AFTER_SECONDS))
      return send(reply, request, 503, 'unavailable', 'The service is not available right now')
    }
    return send(reply, request, 500, 'internal', 'Something went wrong on our side; the request was not completed')
  })

  app.setNotFoundHandler((request, reply) => {
    const path = instanceOf(request)
    return send(reply, request, 404, 'not-found', path.startsWith('/') ? `No route ${request.method} ${path}` : `No route ${request.method} for this path`)
  })
}

export default fp(problems, { name: 'problems' })
