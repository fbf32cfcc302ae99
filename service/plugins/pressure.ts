import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import underPressure from '@fastify/under-pressure'
import type { Config } from '../config.js'
import { unavailable } from './problems.js'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** false: the route answers even under pressure. */
    loadShedding?: boolean
  }
}

/** under-pressure's names for what it found, as the shed counter's reason label. */
const REASONS: Record<string, string> = {
  eventLoopDelay: 'event_loop_delay',
  eventLoopUtilization: 'event_loop_utilization',
  healthCheck: 'db_waiting_clients',
}

/** One warning per this long while shedding, not one per request shed. */
const LOG_EVERY_MS = 10_000

/**
 * Load shedding: when the process is behind, new requests get a 503 problem with Retry-After at
 * once instead of queueing behind the work it cannot finish, so latency stays bounded for what
 * it accepts and the caller (or the load balancer) retries elsewhere or later.
 * @fastify/under-pressure samples every PRESSURE_SAMPLE_INTERVAL_MS:
 * - the event loop's mean delay over the interval (MAX_EVENT_LOOP_DELAY_MS): every request waits
 *   that long before it even starts;
 * - its utilization over the interval (MAX_EVENT_LOOP_UTILIZATION, 0–1): busy all the time;
 * - queries waiting for a database connection (MAX_DB_WAITING_CLIENTS): the pool is the
 *   bottleneck, and each request accepted now would only lengthen the queue. This goes through
 *   under-pressure's healthCheck, sampled at the same interval.
 * A limit of 0 turns its check off. The decision is taken as the request arrives (onRequest),
 * before authentication or any query, so a shed request costs next to nothing.
 * /health/live is never shed (config.loadShedding false): a busy process is alive, and a liveness
 * probe failing under load would restart the instances that are doing the work. /health/ready is
 * shed like any route: a busy instance is not ready for more, and the load balancer should send
 * new requests to another.
 */
async function pressure(app: FastifyInstance, opts: { config: Config }) {
  const { maxEventLoopDelayMs, maxEventLoopUtilization, maxDbWaitingClients, sampleIntervalMs, retryAfterSeconds } = opts.config.pressure
  const pool = app.pg.pool
  let lastLogged = 0
  let shedSinceLog = 0

  await app.register(underPressure, {
    sampleInterval: sampleIntervalMs,
    maxEventLoopDelay: maxEventLoopDelayMs,
    maxEventLoopUtilization,
    // Over the last interval, not since the start: a process busy for a minute after a quiet
    // week is busy now.
    eventLoopUtilizationMode: 'interval',
    ...(maxDbWaitingClients > 0 && {
      healthCheck: async () => pool.waitingCount <= maxDbWaitingClients,
      healthCheckInterval: sampleIntervalMs,
    }),
    // Called only for a request that arrives while a check fails.
    pressureHandler: async (request: FastifyRequest, _reply, type, value) => {
      if (request.routeOptions.config.loadShedding === false) return
      const reason = REASONS[type] ?? type
      app.metrics.shed.inc({ reason })
      shedSinceLog++
      if (Date.now() - lastLogged >= LOG_EVERY_MS) {
        const measured = type === 'healthCheck' ? pool.waitingCount : value
        request.log.warn({ reason, value: measured, shed: shedSinceLog }, 'under pressure: shedding load with 503')
        lastLogged = Date.now()
        shedSinceLog = 0
      }
      throw unavailable('The service is too busy to take this request now; retry after the time in Retry-After', retryAfterSeconds)
    },
  })
}

export default fp(pressure, { name: 'pressure', dependencies: ['problems', 'database', 'metrics'] })
