import type { Session, CreateSession } from '../../service/contracts/sessions.js'
import { ApiError, NetworkError } from '../api/client.js'

/**
 * Sessions that could not be sent yet, kept in the browser until the connection returns.
 *
 * Each entry keeps the Idempotency-Key it was first sent with and is replayed with that same
 * key, so a request that did reach the service before the connection dropped is answered from
 * the service's idempotency record instead of creating a second session. Within a page one
 * replay runs at a time; across tabs the Web Locks API serialises them; an entry is read again
 * just before it is sent and removed as soon as the service has it, so it is never sent twice.
 */

export interface QueuedSession {
  key: string
  apiBase: string
  familyId: string
  body: CreateSession
  /** Who took part, to tell the coordinator what is waiting without another request. */
  aliases: string[]
  queuedAt: string
  attempts: number
  state: 'waiting' | 'rejected'
  error: { status: number | null; message: string } | null
}

export interface QueueStore {
  load(): QueuedSession[]
  save(entries: QueuedSession[]): void
  /** False when entries live only in memory (storage blocked): they are lost on reload. */
  readonly persistent: boolean
}

export const storageKey = 'framgang.offline-sessions.v1'

/** localStorage when the page may use it, memory otherwise (a sandboxed iframe, blocked storage). */
export function browserStore(storage: Pick<Storage, 'getItem' | 'setItem'> | null = safeLocalStorage()): QueueStore {
  let memory: QueuedSession[] = []
  if (!storage) {
    return { persistent: false, load: () => memory.map((e) => ({ ...e })), save: (e) => void (memory = e) }
  }
  return {
    persistent: true,
    load() {
      try {
        const parsed = JSON.parse(storage.getItem(storageKey) ?? '[]')
        return Array.isArray(parsed) ? (parsed as QueuedSession[]) : []
      } catch {
        return []
      }
    },
    save(entries) {
      storage.setItem(storageKey, JSON.stringify(entries))
    },
  }
}

function safeLocalStorage(): Storage | null {
  try {
    const s = globalThis.localStorage
    const probe = `${storageKey}.probe`
    s.setItem(probe, '1')
    s.removeItem(probe)
    return s
  } catch {
    return null
  }
}

export type SendOutcome =
  { kind: 'sent'; session: Session } | { kind: 'retry'; status: number | null; message: string } | { kind: 'rejected'; status: number | null; message: string }

export type Sender = (entry: QueuedSession) => Promise<SendOutcome>

/** A 5xx that keeps coming back is a fault, not a pause: after this many tries the coordinator decides. */
export const maxServerErrorAttempts = 5

/**
 * What to do after a failed send. Worth trying again later: no connection, 401 without a fresh
 * token, 408, 409 (the same key still in flight), 425, 429 and 5xx. Anything else (400, 403, 404,
 * 422) will fail the same way every time: the coordinator has to see it.
 */
export function outcomeOf(error: unknown): SendOutcome {
  if (error instanceof NetworkError) return { kind: 'retry', status: null, message: error.message }
  if (error instanceof ApiError) {
    const s = error.status
    const message = error.problem?.errors?.map((e) => e.message).join('; ') || error.message
    if (s === 401 || s === 408 || s === 409 || s === 425 || s === 429 || s >= 500) return { kind: 'retry', status: s, message }
    return { kind: 'rejected', status: s, message }
  }
  return { kind: 'retry', status: null, message: String(error) }
}

/** Runs `fn` while holding the queue lock, or returns null at once when another holder has it. */
export type LockRunner = <T>(fn: () => Promise<T>) => Promise<T | null>

let pageLockHeld = false
/** One replay per page at a time, and one per origin where the Web Locks API exists. */
export const defaultLock: LockRunner = async (fn) => {
  if (pageLockHeld) return null
  pageLockHeld = true
  try {
    const locks = (globalThis.navigator as Navigator | undefined)?.locks
    if (!locks) return await fn()
    return await locks.request(storageKey, { ifAvailable: true }, async (lock) => (lock ? fn() : null))
  } finally {
    pageLockHeld = false
  }
}

export interface ReplayReport {
  sent: { entry: QueuedSession; session: Session }[]
  rejected: QueuedSession[]
  waiting: number
  /** False when another replay held the lock, so this one did nothing. */
  ran: boolean
}

export class OfflineQueue {
  constructor(
    readonly store: QueueStore = browserStore(),
    private readonly lock: LockRunner = defaultLock,
  ) {}

  list(filter: (e: QueuedSession) => boolean = () => true): QueuedSession[] {
    return this.store.load().filter(filter)
  }

  add(entry: Omit<QueuedSession, 'attempts' | 'state' | 'error' | 'queuedAt'> & Partial<QueuedSession>): QueuedSession {
    const full: QueuedSession = { attempts: 0, state: 'waiting', error: null, queuedAt: new Date().toISOString(), ...entry }
    const entries = this.store.load().filter((e) => e.key !== full.key)
    entries.push(full)
    this.store.save(entries)
    return full
  }

  discard(key: string): void {
    this.store.save(this.store.load().filter((e) => e.key !== key))
  }

  private patch(key: string, change: Partial<QueuedSession> | null): void {
    const entries = this.store.load()
    const i = entries.findIndex((e) => e.key === key)
    if (i < 0) return
    if (change === null) entries.splice(i, 1)
    else entries[i] = { ...entries[i], ...change }
    this.store.save(entries)
  }

  /**
   * Sends every waiting entry that `filter` accepts, oldest first. Stops at the first entry that
   * must wait (the connection is probably still gone) and leaves the rest for the next replay.
   */
  async replay(send: Sender, filter: (e: QueuedSession) => boolean = () => true): Promise<ReplayReport> {
    const report: ReplayReport = { sent: [], rejected: [], waiting: 0, ran: false }
    const done = await this.lock(async () => {
      report.ran = true
      const candidates = this.store
        .load()
        .filter((e) => e.state === 'waiting' && filter(e))
        .sort((a, b) => a.queuedAt.localeCompare(b.queuedAt))
      for (const candidate of candidates) {
        // Read again: another tab may have sent or discarded it while this one waited.
        const current = this.store.load().find((e) => e.key === candidate.key)
        if (!current || current.state !== 'waiting') continue
        let outcome: SendOutcome
        try {
          outcome = await send(current)
        } catch (error) {
          outcome = outcomeOf(error)
        }
        if (outcome.kind === 'sent') {
          this.patch(current.key, null)
          report.sent.push({ entry: current, session: outcome.session })
          continue
        }
        const attempts = current.attempts + 1
        const serverFault = outcome.kind === 'retry' && outcome.status !== null && outcome.status >= 500
        if (outcome.kind === 'rejected' || (serverFault && attempts >= maxServerErrorAttempts)) {
          const error = { status: outcome.status, message: outcome.message }
          this.patch(current.key, { attempts, state: 'rejected', error })
          report.rejected.push({ ...current, attempts, state: 'rejected', error })
          continue
        }
        this.patch(current.key, { attempts, error: { status: outcome.status, message: outcome.message } })
        break
      }
      return true
    })
    report.ran = done === true
    report.waiting = this.store.load().filter((e) => e.state === 'waiting' && filter(e)).length
    return report
  }
}

/** A UUID for the Idempotency-Key; crypto.randomUUID needs a secure context, so fall back to getRandomValues. */
export function newIdempotencyKey(): string {
  const c = globalThis.crypto
  if (typeof c?.randomUUID === 'function') return c.randomUUID()
  const b = c.getRandomValues(new Uint8Array(16))
  b[6] = (b[6] & 0x0f) | 0x40
  b[8] = (b[8] & 0x3f) | 0x80
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
}
