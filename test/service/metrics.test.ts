import { randomUUID } from 'node:crypto'
import net from 'node:net'
import t from 'tap'
import { startMetricsServer, type MetricsServer } from '../../service/plugins/metrics.js'
import { freshDatabase } from '../helpers/database.js'
import { testApp } from '../helpers/app.js'
import { assertProblem, createFamily } from '../helpers/fixtures.js'
import { freePort } from '../helpers/ports.js'
import { isAnswer, request, show, startService, waitFor } from '../reliability/harness.js'

t.setTimeout(120_000)

interface Sample {
  name: string
  labels: Record<string, string>
  value: number
}

/** Prometheus's text format, the samples only (no # HELP / # TYPE lines). */
function samples(text: string): Sample[] {
  const out: Sample[] = []
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line)
    if (!m) continue
    const labels: Record<string, string> = {}
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2]
    out.push({ name: m[1], labels, value: Number(m[3]) })
  }
  return out
}

const find = (all: Sample[], name: string, labels: Record<string, string> = {}) =>
  all.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))

/** Whether anything accepts a TCP connection at host:port. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port })
    socket.once('connect', () => (socket.destroy(), resolve(true)))
    socket.once('error', () => resolve(false))
  })
}

t.test('the metrics server shows requests by route template and status, the pool and the event loop, and no ids', async (t) => {
  const ctx = await testApp(t, { METRICS_PORT: String(await freePort()), DB_POOL_SIZE: '7' })
  t.equal(ctx.config.metrics.host, '127.0.0.1', 'METRICS_HOST defaults to the loopback address')
  const metrics = await startMetricsServer(ctx.app.metrics.registry, { port: ctx.config.metrics.port!, host: ctx.config.metrics.host })
  t.teardown(() => metrics.close())
  t.equal(metrics.address.address, '127.0.0.1', 'listening on the configured host')
  t.equal(metrics.address.port, ctx.config.metrics.port, 'on METRICS_PORT')

  const family = await createFamily(t, ctx)
  for (let i = 0; i < 3; i++) t.equal((await ctx.call('GET', `/v1/families/${family.id}/progress`)).statusCode, 200, 'progress')
  const stranger = randomUUID()
  t.equal((await ctx.call('GET', `/v1/families/${stranger}/progress`)).statusCode, 404, 'another family: 404 on a route that exists')
  t.equal((await ctx.call('GET', `/v1/nothing-here/${family.id}?externalRef=CASE-1234`)).statusCode, 404, 'no such route')
  t.equal((await ctx.call('GET', '/health/live')).statusCode, 200, 'live')

  const res = await request(`http://127.0.0.1:${metrics.address.port}`, 'GET', '/metrics')
  if (!isAnswer(res)) throw new Error(`no answer from the metrics server: ${show(res)}`)
  t.equal(res.status, 200, 'GET /metrics on the metrics port')
  t.match(String(res.headers['content-type']), /^text\/plain; version=0\.0\.4/, "Prometheus's text format")
  const text = res.body
  const all = samples(text)

  const progress = { method: 'GET', route: '/v1/families/:familyId/progress' }
  t.equal(
    find(all, 'framgang_http_requests_total', { ...progress, status_code: '200' })[0]?.value,
    3,
    'three 200s on the progress route, counted by its template',
  )
  t.equal(find(all, 'framgang_http_requests_total', { ...progress, status_code: '404' })[0]?.value, 1, 'and one 404 on it')
  t.equal(
    find(all, 'framgang_http_requests_total', { method: 'GET', route: 'unmatched', status_code: '404' })[0]?.value,
    1,
    'a path that matched no route is `unmatched`',
  )
  t.equal(find(all, 'framgang_http_requests_total', { method: 'POST', route: '/v1/families', status_code: '201' })[0]?.value, 1, 'the family created')
  t.equal(find(all, 'framgang_http_requests_total', { method: 'GET', route: '/health/live', status_code: '200' })[0]?.value, 1, 'the probe')
  t.equal(
    find(all, 'framgang_http_request_duration_seconds_count', { ...progress, status_code: '200' })[0]?.value,
    3,
    'the latency histogram counts the same requests',
  )
  const buckets = find(all, 'framgang_http_request_duration_seconds_bucket', { ...progress, status_code: '200' })
  t.ok(buckets.length >= 10, 'with buckets')
  t.equal(buckets.find((b) => b.labels.le === '+Inf')?.value, 3, 'every request within +Inf')
  t.ok(find(all, 'framgang_http_request_duration_seconds_sum', { ...progress, status_code: '200' })[0]?.value > 0, 'and a sum of seconds')

  const routes = new Set(find(all, 'framgang_http_requests_total').map((s) => s.labels.route))
  for (const route of routes) t.ok(route === 'unmatched' || /^\/[a-z0-9/:._*-]*$/i.test(route), `route label is a template: ${route}`)
  for (const secret of [family.id, stranger, ctx.municipality.municipalityId, ctx.municipality.apiKey, 'CASE-1234', 'nothing-here', 'externalRef']) {
    t.notOk(text.includes(secret), `the output never holds ${secret.slice(0, 12)}…`)
  }
  t.same(
    Object.keys(find(all, 'framgang_http_requests_total')[0].labels).sort(),
    ['method', 'route', 'status_code'],
    'labelled by method, route and status only',
  )

  t.equal(find(all, 'framgang_db_pool_max_clients')[0]?.value, 7, 'the pool size (DB_POOL_SIZE)')
  t.ok(find(all, 'framgang_db_pool_total_clients')[0]?.value >= 1, 'the connections the pool holds')
  t.ok(find(all, 'framgang_db_pool_idle_clients')[0]?.value >= 0, 'idle ones')
  t.equal(find(all, 'framgang_db_pool_waiting_clients')[0]?.value, 0, 'no query waiting for a connection')
  for (const name of ['nodejs_eventloop_lag_seconds', 'nodejs_eventloop_lag_p99_seconds', 'process_cpu_seconds_total', 'nodejs_heap_size_used_bytes']) {
    t.equal(find(all, name).length, 1, `the process's own: ${name}`)
  }
  t.match(text, /^# TYPE framgang_http_requests_shed_total counter$/m, 'the shed counter is there before anything is shed')

  const other = await request(`http://127.0.0.1:${metrics.address.port}`, 'GET', '/')
  t.equal(isAnswer(other) && other.status, 404, 'the metrics server serves /metrics only')
})

t.test('the API does not serve /metrics', async (t) => {
  const ctx = await testApp(t, { METRICS_PORT: String(await freePort()) })
  for (const url of ['/metrics', '/metrics?x=1', '/v1/metrics']) assertProblem(t, await ctx.call('GET', url, { key: null }), { status: 404, type: 'not-found' })
})

t.test('METRICS_HOST is the address the metrics server is bound to, and no other', async (t) => {
  const ctx = await testApp(t, { METRICS_PORT: String(await freePort()), METRICS_HOST: '127.0.0.2' })
  let metrics: MetricsServer
  try {
    metrics = await startMetricsServer(ctx.app.metrics.registry, { port: ctx.config.metrics.port!, host: ctx.config.metrics.host })
  } catch (err) {
    // Linux routes all of 127.0.0.0/8 to the loopback interface; other systems may not.
    if ((err as NodeJS.ErrnoException).code === 'EADDRNOTAVAIL') {
      t.comment('skipped: 127.0.0.2 is not a local address here')
      return
    }
    throw err
  }
  t.teardown(() => metrics.close())
  t.equal(metrics.address.address, '127.0.0.2', 'bound to METRICS_HOST')
  t.ok(await accepts('127.0.0.2', metrics.address.port), 'reachable there')
  t.notOk(await accepts('127.0.0.1', metrics.address.port), 'not on another address of the machine')
})

t.test('the service started with METRICS_PORT serves metrics beside the API and closes both on SIGTERM', async (t) => {
  const database = await freshDatabase()
  t.teardown(() => database.close())
  const metricsPort = await freePort()
  const svc = await startService({
    DATABASE_URL: database.connectionString,
    DATA_DIR: `/tmp/framgang-metrics-${process.pid}`,
    METRICS_PORT: String(metricsPort),
  })
  t.teardown(() => svc.kill())
  await svc.waitForOutput(/Framgang is running at/, 60_000)
  t.match(svc.output(), `Metrics for Prometheus at http://127.0.0.1:${metricsPort}/metrics`, 'says where the metrics are')

  t.equal(
    await waitFor(
      'the probe',
      async () => {
        const r = await request(svc.base, 'GET', '/health/ready')
        return isAnswer(r) && r.status
      },
      10_000,
    ),
    200,
    'ready',
  )
  const scraped = await request(`http://127.0.0.1:${metricsPort}`, 'GET', '/metrics')
  if (!isAnswer(scraped)) throw new Error(`no answer from the metrics server: ${show(scraped)}`)
  t.equal(scraped.status, 200, 'the metrics port answers')
  t.match(scraped.body, /framgang_http_requests_total\{method="GET",route="\/health\/ready",status_code="200"\} 1/, 'with the probe counted')
  const onApi = await request(svc.base, 'GET', '/metrics')
  t.equal(isAnswer(onApi) && onApi.status, 404, 'the API port does not serve them')

  svc.child.kill('SIGTERM')
  t.equal(await svc.exited, 0, 'exit 0 on SIGTERM')
  t.notOk(await accepts('127.0.0.1', metricsPort), 'the metrics port is closed')
})
