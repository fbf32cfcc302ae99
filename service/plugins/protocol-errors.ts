import { randomUUID } from 'node:crypto'
import { STATUS_CODES } from 'node:http'
import type { Socket } from 'node:net'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { Problem, problemBody, TITLES, type ProblemType } from './problems.js'

/**
 * Errors raised before a route runs, where Fastify's error handler is never reached, answered as
 * problem+json like every other error (docs/api.md). Nothing the client sent is repeated back or
 * logged: at this stage it may be anything, of any size.
 */

/** The longest path parameter the router takes (Fastify's maxParamLength); ids are 36 characters. */
export const MAX_PARAM_LENGTH = 100

/** How Node's HTTP parser errors map to answers; anything else is malformed HTTP, a 400. */
const CLIENT_ERRORS: Record<string, { status: number; detail: string }> = {
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, detail: 'The request did not arrive in time' },
  HPE_HEADER_OVERFLOW: { status: 431, detail: 'The request headers are larger than the server takes (16 KB in all)' },
  HPE_CHUNK_EXTENSIONS_OVERFLOW: { status: 413, detail: 'The chunk extensions of the body are larger than the server takes' },
}
const MALFORMED = { status: 400, detail: 'The request is not well-formed HTTP/1.1' }

/** Grace for the client to read the answer before the connection is closed for good. */
const LINGER_MS = 1000

/**
 * Fastify's clientErrorHandler: there is no request or reply yet, so the answer is written on the
 * socket as raw HTTP, and the connection is closed (what follows on it cannot be trusted).
 */
export function clientErrorHandler(this: FastifyInstance, err: NodeJS.ErrnoException, socket: Socket): void {
  // A connection reset leaves nobody to answer.
  if (err.code === 'ECONNRESET' || socket.destroyed) return
  const { status, detail } = CLIENT_ERRORS[err.code ?? ''] ?? MALFORMED
  // The code only: the error also carries the raw bytes that failed to parse.
  this.log.debug({ code: err.code, status }, 'malformed HTTP request')
  // An answer already under way on this connection would be corrupted by another.
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } | null })._httpMessage
  if (!socket.writable || inFlight?.headersSent) {
    socket.destroy()
    return
  }
  const type: ProblemType = 'validation'
  const body = JSON.stringify({
    type: `/problems/${type}`,
    title: TITLES[type],
    status,
    detail,
    // The request could not be read (or not to its end): the occurrence gets an id of its own.
    instance: `urn:uuid:${randomUUID()}`,
    errors: [{ path: '', message: detail }],
  })
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/problem+json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  )
  // Closing at once, with unread input, would reset the connection and could discard the answer
  // before the client reads it; a short linger lets it arrive.
  setTimeout(() => socket.destroy(), LINGER_MS).unref()
}

/** Fastify's frameworkErrors: router errors, answered before any hook or handler runs. */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  let problem: Problem
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    const message = `path parameter is longer than ${MAX_PARAM_LENGTH} characters`
    problem = new Problem(400, 'validation', `A path parameter is longer than ${MAX_PARAM_LENGTH} characters; ids are 36`, [{ path: '', message }])
  } else if (error.code === 'FST_ERR_BAD_URL') {
    const message = 'path is not a valid URL: a percent-encoded part is not UTF-8 text'
    problem = new Problem(400, 'validation', 'The path is not a valid URL', [{ path: '', message }])
  } else {
    request.log.error({ err: { code: error.code } }, 'request failed in the router')
    problem = new Problem(500, 'internal', 'Something went wrong on our side; the request was not completed')
  }
  // The path is what failed, so it is not the instance either: the request's id is.
  reply
    .code(problem.status)
    .type('application/problem+json; charset=utf-8')
    .send({ ...problemBody(request, problem), instance: `urn:uuid:${request.id}` })
}
