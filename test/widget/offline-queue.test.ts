import fc from 'fast-check'
import t from 'tap'
import type { Session } from '../../service/contracts/sessions.js'
import { ApiError, NetworkError } from '../../widget/api/client.js'
import {
  browserStore,
  maxServerErrorAttempts,
  newIdempotencyKey,
  OfflineQueue,
  outcomeOf,
  storageKey,
  type LockRunner,
  type QueuedSession,
  type SendOutcome,
} from '../../widget/form/offline-queue.js'

function memoryStorage() {
  const data = new Map<string, string>()
  return { getItem: (k: string) => data.get(k) ?? null, setItem: (k: string, v: string) => void data.set(k, v), data }
}

/** A lock like the Web Locks API with ifAvailable: a second holder gets null at once. */
function testLock(): LockRunner {
  let held = false
  return async (fn) => {
    if (held) return null
    held = true
    try {
      return await fn()
    } finally {
      held = false
    }
  }
}

const body = { heldOn: '2026-11-30', kind: 'home-visit' as const, ratings: [] }
const session = (key: string) => ({ id: key }) as unknown as Session
const entry = (key: string, queuedAt = `2026-11-30T10:00:0${key.length % 10}Z`) => ({
  key,
  apiBase: 'https://framgang.test',
  familyId: 'f1',
  body,
  aliases: ['Kari'],
  queuedAt,
})

t.test('entries survive in storage and replay with their own key, then are gone', async (t) => {
  const storage = memoryStorage()
  const queue = new OfflineQueue(browserStore(storage), testLock())
  queue.add(entry('k1', '2026-11-30T10:00:01Z'))
  queue.add(entry('k2', '2026-11-30T10:00:02Z'))
  t.ok(storage.data.get(storageKey)?.includes('"k1"'), 'kept in localStorage')
  const sent: string[] = []
  const report = await queue.replay(async (e) => {
    sent.push(e.key)
    return { kind: 'sent', session: session(e.key) }
  })
  t.same(sent, ['k1', 'k2'], 'oldest first, each with the key it was queued with')
  t.same(
    report.sent.map((s) => s.entry.key),
    ['k1', 'k2'],
  )
  t.equal(report.waiting, 0)
  t.same(queue.list(), [])
  const again = await queue.replay(async (e) => {
    sent.push(e.key)
    return { kind: 'sent', session: session(e.key) }
  })
  t.same(sent, ['k1', 'k2'], 'a second replay sends nothing')
  t.equal(again.sent.length, 0)
})

t.test('a replay that cannot get through stops and keeps everything waiting', async (t) => {
  const queue = new OfflineQueue(browserStore(memoryStorage()), testLock())
  queue.add(entry('a', '2026-11-30T10:00:01Z'))
  queue.add(entry('b', '2026-11-30T10:00:02Z'))
  let calls = 0
  const report = await queue.replay(async () => {
    calls++
    return { kind: 'retry', status: null, message: 'offline' }
  })
  t.equal(calls, 1, 'no point trying the rest while the connection is down')
  t.equal(report.waiting, 2)
  t.same(
    queue.list().map((e) => [e.key, e.attempts, e.state]),
    [
      ['a', 1, 'waiting'],
      ['b', 0, 'waiting'],
    ],
  )
})

t.test('a rejected entry is kept for the coordinator to see and is not retried', async (t) => {
  const queue = new OfflineQueue(browserStore(memoryStorage()), testLock())
  queue.add(entry('bad', '2026-11-30T10:00:01Z'))
  queue.add(entry('good', '2026-11-30T10:00:02Z'))
  const sent: string[] = []
  const report = await queue.replay(async (e): Promise<SendOutcome> => {
    sent.push(e.key)
    return e.key === 'bad' ? { kind: 'rejected', status: 422, message: 'CORS does not fit age 13: use ORS' } : { kind: 'sent', session: session(e.key) }
  })
  t.same(sent, ['bad', 'good'])
  t.same(
    report.rejected.map((e) => e.error),
    [{ status: 422, message: 'CORS does not fit age 13: use ORS' }],
  )
  await queue.replay(async (e) => {
    sent.push(e.key)
    return { kind: 'sent', session: session(e.key) }
  })
  t.same(sent, ['bad', 'good'], 'rejected entries wait for the coordinator, not for the network')
  queue.discard('bad')
  t.same(queue.list(), [])
})

t.test('a server fault that keeps coming back ends as rejected', async (t) => {
  const queue = new OfflineQueue(browserStore(memoryStorage()), testLock())
  queue.add(entry('x'))
  for (let i = 0; i < maxServerErrorAttempts; i++) {
    await queue.replay(async () => ({ kind: 'retry', status: 500, message: 'internal' }))
  }
  t.same(
    queue.list().map((e) => [e.state, e.attempts]),
    [['rejected', maxServerErrorAttempts]],
  )
})

t.test('two replays at once: the second does nothing, nothing is sent twice', async (t) => {
  const queue = new OfflineQueue(browserStore(memoryStorage()), testLock())
  queue.add(entry('only'))
  let release!: () => void
  const gate = new Promise<void>((r) => (release = r))
  const sent: string[] = []
  const send = async (e: QueuedSession): Promise<SendOutcome> => {
    sent.push(e.key)
    await gate
    return { kind: 'sent', session: session(e.key) }
  }
  const first = queue.replay(send)
  const second = await queue.replay(send)
  t.equal(second.ran, false)
  release()
  const report = await first
  t.equal(report.ran, true)
  t.same(sent, ['only'])
})

t.test('an entry another tab sent meanwhile is skipped', async (t) => {
  const storage = memoryStorage()
  const queue = new OfflineQueue(browserStore(storage), testLock())
  const otherTab = new OfflineQueue(browserStore(storage), testLock())
  queue.add(entry('k1', '2026-11-30T10:00:01Z'))
  queue.add(entry('k2', '2026-11-30T10:00:02Z'))
  const sent: string[] = []
  await queue.replay(async (e) => {
    sent.push(e.key)
    otherTab.discard('k2') // the other tab got k2 through while this one sent k1
    return { kind: 'sent', session: session(e.key) }
  })
  t.same(sent, ['k1'])
})

t.test('property: with any pattern of failures, each session reaches the service exactly once', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 1, max: 6 }),
      fc.array(fc.constantFrom<'ok' | 'offline' | 'busy' | 'lost-reply'>('ok', 'offline', 'busy', 'lost-reply'), { minLength: 1, maxLength: 40 }),
      async (count, script) => {
        const queue = new OfflineQueue(browserStore(memoryStorage()), testLock())
        for (let i = 0; i < count; i++) queue.add(entry(`key-${i}`, `2026-11-30T10:00:${String(i).padStart(2, '0')}Z`))
        // The service: stores by idempotency key and answers a repeat from the store.
        const stored = new Map<string, number>()
        let step = 0
        const send = async (e: QueuedSession): Promise<SendOutcome> => {
          const what = script[step++ % script.length]
          if (what === 'offline') return { kind: 'retry', status: null, message: 'offline' }
          if (what === 'busy') return { kind: 'retry', status: 409, message: 'in flight' }
          stored.set(e.key, (stored.get(e.key) ?? 0) + (stored.has(e.key) ? 0 : 1))
          if (what === 'lost-reply') return { kind: 'retry', status: null, message: 'connection reset' }
          return { kind: 'sent', session: session(e.key) }
        }
        const delivered: string[] = []
        for (let round = 0; round < 200 && queue.list().length; round++) {
          const report = await queue.replay(send)
          delivered.push(...report.sent.map((s) => s.entry.key))
          if (script.every((s) => s !== 'ok')) break
        }
        if (script.some((s) => s === 'ok')) {
          if (queue.list().length !== 0) return false
          if (new Set(delivered).size !== delivered.length || delivered.length !== count) return false
        }
        // Never more than one session per key at the service.
        return [...stored.values()].every((n) => n === 1)
      },
    ),
    { numRuns: 200 },
  )
})

t.test('which failures are worth retrying', async (t) => {
  const problem = (status: number) => new ApiError(status, { type: '/problems/x', title: 't', status, detail: 'd', instance: '/i' })
  t.equal(outcomeOf(new NetworkError(new TypeError('Failed to fetch'))).kind, 'retry')
  for (const s of [401, 408, 409, 425, 429, 500, 502, 503]) t.equal(outcomeOf(problem(s)).kind, 'retry', String(s))
  for (const s of [400, 403, 404, 422]) t.equal(outcomeOf(problem(s)).kind, 'rejected', String(s))
  const withErrors = new ApiError(422, {
    type: '/problems/rule',
    title: 't',
    status: 422,
    detail: 'd',
    instance: '/i',
    errors: [{ path: '/ratings/0/instrument', message: 'use ORS' }],
  })
  t.same(outcomeOf(withErrors), { kind: 'rejected', status: 422, message: 'use ORS' })
})

t.test('storage that throws falls back to memory', async (t) => {
  const store = browserStore(null)
  t.equal(store.persistent, false)
  const queue = new OfflineQueue(store, testLock())
  queue.add(entry('m'))
  t.equal(queue.list().length, 1)
  const broken = browserStore({ getItem: () => '{not json', setItem: () => {} })
  t.same(broken.load(), [])
})

t.test('idempotency keys are UUIDs, also without crypto.randomUUID', async (t) => {
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
  t.match(newIdempotencyKey(), uuid)
  const original = globalThis.crypto.randomUUID
  Object.defineProperty(globalThis.crypto, 'randomUUID', { value: undefined, configurable: true })
  try {
    const keys = new Set(Array.from({ length: 50 }, () => newIdempotencyKey()))
    t.equal(keys.size, 50)
    for (const k of keys) t.match(k, uuid)
  } finally {
    Object.defineProperty(globalThis.crypto, 'randomUUID', { value: original, configurable: true })
  }
})
