import t from 'tap'
import { loadConfig } from '../../service/config.js'
import { startService } from '../reliability/harness.js'

/** The metrics and load-shedding variables: defaults, parsing, and a bad value named. */

t.test('defaults: no metrics server, shedding on with its limits', async (t) => {
  const c = loadConfig({ DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/framgang' })
  t.same(c.metrics, { port: undefined, host: '127.0.0.1' }, 'no METRICS_PORT, no metrics server; loopback when there is one')
  t.same(c.pressure, { maxEventLoopDelayMs: 1000, maxEventLoopUtilization: 0.98, maxDbWaitingClients: 50, sampleIntervalMs: 1000, retryAfterSeconds: 2 })
})

t.test('with the embedded database, whose work is the event loop busy, utilization sheds nothing unless asked', async (t) => {
  t.equal(loadConfig({}).pressure.maxEventLoopUtilization, 0, 'off by default')
  t.equal(loadConfig({ MAX_EVENT_LOOP_UTILIZATION: '0.95' }).pressure.maxEventLoopUtilization, 0.95, 'on when set')
  t.equal(loadConfig({}).pressure.maxEventLoopDelayMs, 1000, 'the delay check stays on')
})

t.test('values are parsed', async (t) => {
  const c = loadConfig({
    METRICS_PORT: '9464',
    METRICS_HOST: '0.0.0.0',
    MAX_EVENT_LOOP_DELAY_MS: '250',
    MAX_EVENT_LOOP_UTILIZATION: '0.9',
    MAX_DB_WAITING_CLIENTS: '0',
    PRESSURE_SAMPLE_INTERVAL_MS: '500',
    PRESSURE_RETRY_AFTER_SECONDS: '5',
  })
  t.same(c.metrics, { port: 9464, host: '0.0.0.0' })
  t.same(c.pressure, { maxEventLoopDelayMs: 250, maxEventLoopUtilization: 0.9, maxDbWaitingClients: 0, sampleIntervalMs: 500, retryAfterSeconds: 5 })
  t.equal(loadConfig({ METRICS_PORT: '' }).metrics.port, undefined, 'an empty METRICS_PORT is none, not port 0')
  t.equal(loadConfig({ METRICS_PORT: '0' }).metrics.port, 0, '0 is any free port, as for PORT')
  t.equal(loadConfig({ MAX_EVENT_LOOP_UTILIZATION: '1' }).pressure.maxEventLoopUtilization, 1, 'utilization up to 1')
})

t.test('a bad value is refused, naming the variable', async (t) => {
  const bad: [string, Record<string, string>][] = [
    ['METRICS_PORT', { METRICS_PORT: 'nine' }],
    ['METRICS_PORT', { METRICS_PORT: '70000' }],
    ['METRICS_PORT', { METRICS_PORT: '3000' }],
    ['METRICS_PORT', { METRICS_PORT: '8080', PORT: '8080' }],
    ['METRICS_HOST', { METRICS_HOST: '' }],
    ['MAX_EVENT_LOOP_DELAY_MS', { MAX_EVENT_LOOP_DELAY_MS: '-1' }],
    ['MAX_EVENT_LOOP_DELAY_MS', { MAX_EVENT_LOOP_DELAY_MS: '1.5' }],
    ['MAX_EVENT_LOOP_UTILIZATION', { MAX_EVENT_LOOP_UTILIZATION: '1.5' }],
    ['MAX_EVENT_LOOP_UTILIZATION', { MAX_EVENT_LOOP_UTILIZATION: 'high' }],
    ['MAX_DB_WAITING_CLIENTS', { MAX_DB_WAITING_CLIENTS: '-3' }],
    ['PRESSURE_SAMPLE_INTERVAL_MS', { PRESSURE_SAMPLE_INTERVAL_MS: '5' }],
    ['PRESSURE_RETRY_AFTER_SECONDS', { PRESSURE_RETRY_AFTER_SECONDS: '0' }],
  ]
  for (const [name, env] of bad) {
    t.throws(() => loadConfig(env), { message: new RegExp(`^Invalid configuration: .*${name}`) }, `${JSON.stringify(env)} → names ${name}`)
  }
})

t.test('the service does not start with a bad value, and says which', async (t) => {
  const svc = await startService({ DATABASE_URL: 'postgres://postgres@127.0.0.1:1/unused', MAX_EVENT_LOOP_UTILIZATION: '2' })
  t.teardown(() => svc.kill())
  t.equal(await svc.exited, 1, 'exit 1')
  t.match(svc.output(), /^error: Invalid configuration: MAX_EVENT_LOOP_UTILIZATION: /m, 'one line naming the variable')
})
