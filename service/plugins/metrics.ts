import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client'

declare module 'fastify' {
  interface FastifyInstance {
    metrics: {
      /** This app's own registry: several apps in one process (the tests) never share one. */
      registry: Registry
      /** Requests answered 503 by the load shedding (plugins/pressure.ts), by reason. */
      shed: Counter<'reason'>
    }
  }
}

/** The route label of a request that matched no route: its path may hold anything. */
export const UNMATCHED = 'unmatched'

/**
 * Prometheus metrics: requests and their latency by method, route and status; the pg pool; and,
 * when a metrics server will read them, the process's own (CPU, memory, GC, event-loop lag).
 * The route is the template (`/v1/families/:familyId/progress`), never the URL: ids and query
 * strings name families and people, and a label per id would also grow without bound.
 * Nothing here is served by the API itself: startMetricsServer serves it on a port of its own,
 * which only the operators' network reaches.
 */
async function metrics(app: FastifyInstance, opts: { processMetrics: boolean; poolSize: number }) {
  const registry = new Registry()
  // The process-wide collectors start a GC observer and an event-loop histogram that live as
  // long as the process; an app whose metrics nobody scrapes (tests, the CLI) does without.
  if (opts.processMetrics) collectDefaultMetrics({ register: registry })

  const labelNames = ['method', 'route', 'status_code'] as const
  const requests = new Counter({
    name: 'framgang_http_requests_total',
    help: 'HTTP requests answered, by method, route template and status code.',
    labelNames,
    registers: [registry],
  })
  const duration = new Histogram({
    name: 'framgang_http_request_duration_seconds',
    help: 'Time from receiving a request to its answer being sent, by method, route template and status code.',
    labelNames,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  })
  const shed = new Counter({
    name: 'framgang_http_requests_shed_total',
    help: 'Requests answered 503 because the process was under pressure, by reason.',
    labelNames: ['reason'],
    registers: [registry],
  })

  // Read when scraped, so they cost nothing between scrapes.
  const pool = app.pg.pool
  const poolGauge = (name: string, help: string, read: () => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read())
      },
    })
  poolGauge('framgang_db_pool_max_clients', 'Connections the database pool may open (DB_POOL_SIZE).', () => opts.poolSize)
  poolGauge('framgang_db_pool_total_clients', 'Connections the database pool holds open, busy or idle.', () => pool.totalCount)
  poolGauge('framgang_db_pool_idle_clients', 'Open connections of the database pool that are idle.', () => pool.idleCount)
  poolGauge('framgang_db_pool_waiting_clients', 'Queries waiting for a connection of the database pool.', () => pool.waitingCount)

  app.addHook('onResponse', async (request, reply) => {
    const labels = { method: request.method, route: request.routeOptions.url ?? UNMATCHED, status_code: reply.statusCode }
    requests.inc(labels)
    duration.observe(labels, reply.elapsedTime / 1000)
  })

  app.decorate('metrics', { registry, shed })
}

export default fp(metrics, { name: 'metrics', dependencies: ['database'] })

export interface MetricsServer {
  /** Where it listens (the port chosen when 0 was asked for). */
  address: AddressInfo
  close(): Promise<void>
}

/**
 * `GET /metrics` in Prometheus's text format on a listener of its own (METRICS_PORT on
 * METRICS_HOST), apart from the API: the API faces the internet through a load balancer, the
 * metrics show the service's traffic and are for the operators' network only. Plain node:http:
 * one route, no hooks of the API's (auth, CORS, rate limit, load shedding) in the way of a
 * scrape when the service is busiest.
 */
export async function startMetricsServer(registry: Registry, { port, host }: { port: number; host: string }): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found: metrics are at GET /metrics\n')
      return
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store' }).end(req.method === 'HEAD' ? undefined : text),
      () => res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('The metrics could not be collected\n'),
    )
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  return {
    address: server.address() as AddressInfo,
    close: () =>
      new Promise<void>((resolve) => {
        // A scraper keeps its connection alive between scrapes; it need not hold the shutdown.
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}
