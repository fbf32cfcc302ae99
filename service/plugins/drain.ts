import type { Socket } from 'node:net'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { unavailable } from './problems.js'

/** Seconds a caller is asked to wait: long enough for a load balancer to route elsewhere. */
const RETRY_AFTER_SECONDS = 2

/**
 * Closing drains instead of cutting (app.close(), which server.ts calls on SIGTERM):
 * - the listener stops accepting connections, and kept-alive sockets that are idle are closed
 *   at once (Node's server.close() does that; Fastify's default forceCloseConnections 'idle');
 * - a socket that is busy gets `Connection: close` on its last answer, so the client opens its
 *   next request elsewhere instead of reusing a socket that is about to go, and is closed as
 *   soon as it is idle, so no kept-alive socket holds the close until the grace period ends;
 * - requests already being processed finish;
 * - what still arrives on an open socket (a request pipelined behind one in flight, or written
 *   just as the signal came) is answered 503 problem+json with Retry-After, never run. Fastify's
 *   own answer for that is plain JSON, so app.ts turns it off (return503OnClosing: false).
 */
async function drain(app: FastifyInstance) {
  let draining = false
  /** Requests received on a socket and not yet answered. */
  const open = new WeakMap<Socket, number>()

  app.addHook('onRequest', async (request) => {
    const socket = request.raw.socket
    open.set(socket, (open.get(socket) ?? 0) + 1)
    if (draining) throw unavailable('The service is shutting down; retry after the time in Retry-After', RETRY_AFTER_SECONDS)
  })

  app.addHook('onSend', async (request, reply, payload) => {
    // Not while another request waits behind this one on the socket: that one answers with
    // Connection: close (Fastify adds it while closing), and closing now would drop it unanswered.
    if (draining && (open.get(request.raw.socket) ?? 0) <= 1) reply.header('connection', 'close')
    return payload
  })

  app.addHook('onResponse', async (request) => {
    const socket = request.raw.socket
    const left = (open.get(socket) ?? 1) - 1
    if (left > 0) open.set(socket, left)
    else open.delete(socket)
    // A socket whose answer was already on its way when closing began stays kept-alive; close
    // it once Node has seen the answer finish.
    if (draining) setImmediate(() => app.server.closeIdleConnections())
  })

  app.addHook('preClose', async () => {
    draining = true
    // One turn of the event loop first: a request already in the socket's buffer when the signal
    // came is read and answered 503 instead of being reset with the idle sockets.
    await new Promise((resolve) => setImmediate(resolve))
  })
}

export default fp(drain, { name: 'drain', dependencies: ['problems'] })
