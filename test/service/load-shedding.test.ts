import type { LightMyRequestResponse } from 'fastify'
import type { PoolClient } from 'pg'
import t, { type Test } from 'tap'
import { testApp, type TestApp } from '../helpers/app.js'
import { assertProblem } from '../helpers/fixtures.js'
import { sleep, waitFor } from '../reliability/harness.js'

/**
 * Load shedding under real pressure: the pool's connections held so queries queue for one, and
 * the event loop kept busy. Each wait is bounded and polls for a state; nothing is timed.
 */
t.setTimeout(90_000)

const ORIGIN = 'https://vert.example'
const RETRY_AFTER = '7'

/** The shed counter's value for a reason (0 before anything was shed for it). */
async function shedCount(ctx: TestApp, reason: string): Promise<number> {
  const { values } = await ctx.app.metrics.shed.get()
  return values.find((v) => v.labels.reason === reason)?.value ?? 0
}

/**
 * A set-up request, repeated while it is shed: with a low MAX_EVENT_LOOP_DELAY_MS a machine busy
 * with other tests is already under pressure now and then, before the test adds its own.
 */
const unshed = (request: () => Promise<LightMyRequestResponse>) =>
  waitFor(
    'an answer that is not shed',
    async () => {
      const res = await request()
      return res.statusCode === 503 ? null : res
    },
    20_000,
    20,
  )

/** An origin the test's municipality registered, seen once so the CORS cache holds it. */
async function registerOrigin(t: Test, ctx: TestApp) {
  t.equal((await unshed(() => ctx.call('PATCH', '/v1/settings', { body: { allowedOrigins: [ORIGIN] } }))).statusCode, 200, 'origin registered')
  const seen = await unshed(() => ctx.call('GET', '/v1/families', { key: null, headers: { origin: ORIGIN } }))
  t.equal(seen.headers['access-control-allow-origin'], ORIGIN, 'and allowed, before any pressure')
}

/** What every shed answer is: a 503 problem with the configured Retry-After, never cached. */
function assertShed(t: Test, res: LightMyRequestResponse, what: string) {
  t.comment(what)
  assertProblem(t, res, { status: 503, type: 'unavailable', mentions: /too busy/ })
  t.equal(res.headers['retry-after'], RETRY_AFTER, `${what}: Retry-After is PRESSURE_RETRY_AFTER_SECONDS`)
}

t.test('queries queueing for a database connection past MAX_DB_WAITING_CLIENTS: 503s, live stays up, ready does not, then recovery', async (t) => {
  const ctx = await testApp(t, {
    DB_POOL_SIZE: '2',
    MAX_DB_WAITING_CLIENTS: '2',
    PRESSURE_SAMPLE_INTERVAL_MS: '20',
    PRESSURE_RETRY_AFTER_SECONDS: RETRY_AFTER,
  })
  await registerOrigin(t, ctx)
  t.equal((await ctx.call('GET', '/health/ready')).statusCode, 200, 'ready before')

  // Every connection of the app's pool taken, and three more asked for: three waiting, over two.
  const pool = ctx.app.pg.pool
  const held: PoolClient[] = [await pool.connect(), await pool.connect()]
  const waiting = [pool.connect(), pool.connect(), pool.connect()]
  let released = false
  const release = async () => {
    if (released) return
    released = true
    for (const c of held) c.release()
    // Each waiter gets a connection only when one before it gives its own back.
    await Promise.all(waiting.map(async (c) => (await c).release()))
  }
  t.teardown(release)
  t.equal(pool.waitingCount, 3, 'three queries wait for a connection')
  await waitFor('the pressure to be noticed', () => ctx.app.isUnderPressure(), 10_000, 10)

  // None of these may reach the database: a request that did would wait for a connection forever.
  const api = await ctx.call('GET', '/v1/families', { headers: { origin: ORIGIN } })
  assertShed(t, api, 'an API request')
  t.equal(api.headers['access-control-allow-origin'], ORIGIN, 'readable by the registered origin (from the cache, without a query)')
  t.match(String(api.headers['access-control-expose-headers']), /Retry-After/, 'which may read Retry-After')
  t.equal(api.headers['cache-control'], 'no-store', 'not cached')
  const stranger = await ctx.call('GET', '/v1/families', { headers: { origin: 'https://nobody.example' } })
  assertShed(t, stranger, 'the same from an origin nobody registered')
  t.notOk('access-control-allow-origin' in stranger.headers, 'which gets no Access-Control-Allow-Origin')
  assertShed(t, await ctx.call('POST', '/v1/coordinators', { body: { externalRef: 'C', displayName: 'Kari' } }), 'a write')
  assertShed(t, await ctx.call('GET', '/health/ready'), '/health/ready: a busy instance is not ready for more')
  const live = await ctx.call('GET', '/health/live')
  t.equal(live.statusCode, 200, '/health/live answers 200: a busy process is alive')
  t.equal(await shedCount(ctx, 'db_waiting_clients'), 4, 'four requests counted as shed for db_waiting_clients')
  t.equal(pool.waitingCount, 3, 'and none of them joined the queue')

  await release()
  await waitFor('the service to take requests again', async () => (await ctx.call('GET', '/v1/families')).statusCode === 200, 10_000, 20)
  t.equal((await ctx.call('GET', '/health/ready')).statusCode, 200, 'ready again')
  t.equal((await ctx.call('POST', '/v1/coordinators', { body: { externalRef: 'C', displayName: 'Kari' } })).statusCode, 201, 'writes land again')
})

t.test('an event loop behind by more than MAX_EVENT_LOOP_DELAY_MS: 503s, live stays up, ready does not, then recovery', async (t) => {
  const ctx = await testApp(t, {
    MAX_EVENT_LOOP_DELAY_MS: '50',
    PRESSURE_SAMPLE_INTERVAL_MS: '100',
    PRESSURE_RETRY_AFTER_SECONDS: RETRY_AFTER,
  })
  await registerOrigin(t, ctx)

  // Busy for 300 ms out of every 320: the loop's mean delay is far over 50 ms in every sample.
  let blocking = true
  const block = () => {
    if (!blocking) return
    const until = Date.now() + 300
    while (Date.now() < until) {
      // a synchronous computation the process cannot yield from
    }
    setTimeout(block, 20)
  }
  setTimeout(block, 0)
  t.teardown(() => {
    blocking = false
  })
  await waitFor('the pressure to be noticed', () => ctx.app.isUnderPressure(), 10_000, 10)

  const api = await ctx.call('GET', '/v1/families', { headers: { origin: ORIGIN } })
  assertShed(t, api, 'an API request')
  t.equal(api.headers['access-control-allow-origin'], ORIGIN, 'readable by the registered origin')
  assertShed(t, await ctx.call('GET', '/health/ready'), '/health/ready')
  t.equal((await ctx.call('GET', '/health/live')).statusCode, 200, '/health/live answers 200')
  t.ok((await shedCount(ctx, 'event_loop_delay')) >= 2, 'counted as shed for event_loop_delay')

  blocking = false
  await waitFor('the service to take requests again', async () => (await ctx.call('GET', '/v1/families')).statusCode === 200, 10_000, 20)
  t.equal((await unshed(() => ctx.call('GET', '/health/ready'))).statusCode, 200, 'ready again')
})

t.test('a limit of 0 turns its check off', async (t) => {
  const ctx = await testApp(t, {
    DB_POOL_SIZE: '1',
    MAX_DB_WAITING_CLIENTS: '0',
    MAX_EVENT_LOOP_DELAY_MS: '0',
    MAX_EVENT_LOOP_UTILIZATION: '0',
    PRESSURE_SAMPLE_INTERVAL_MS: '10',
  })
  const pool = ctx.app.pg.pool
  const held = await pool.connect()
  const waiting = [pool.connect(), pool.connect(), pool.connect()]
  t.teardown(async () => {
    held.release()
    await Promise.all(waiting.map(async (c) => (await c).release()))
  })
  // Many sample intervals pass with queries queued; nothing is shed.
  await sleep(200)
  t.notOk(ctx.app.isUnderPressure(), 'never under pressure')
  t.equal((await ctx.call('GET', '/health/live')).statusCode, 200, 'live')
  assertProblem(t, await ctx.call('GET', '/nothing-here', { key: null }), { status: 404, type: 'not-found' })
  t.equal(await shedCount(ctx, 'db_waiting_clients'), 0, 'nothing shed')
})
