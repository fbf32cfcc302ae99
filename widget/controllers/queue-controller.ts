import { html, nothing, type ReactiveController, type ReactiveControllerHost, type TemplateResult } from 'lit'
import type { Session } from '../../service/contracts/sessions.js'
import { request, type ApiHost } from '../api/client.js'
import { outcomeOf, type OfflineQueue, type QueuedSession, type SendOutcome } from '../form/offline-queue.js'
import type { Catalogue, Formatters } from '../i18n/index.js'

/** Retry waiting sessions this often while any wait (besides on `online` and when the tab is shown again). */
const retryEveryMs = 30_000

export type QueueHost = ReactiveControllerHost & HTMLElement & ApiHost

export interface QueueControllerOptions {
  /** The queue in this page's browser storage, shared by every form. */
  queue(): OfflineQueue
  /** The host's words now (its language can change under it). */
  words(): { t: Catalogue; f: Formatters }
  /** Sessions a replay got to the service. */
  sent(sent: { entry: QueuedSession; session: Session }[]): void
}

/**
 * What a host's sessions waiting on the device need: the list of this service's entries, kept
 * fresh when another tab or form changes the storage, and replays when the connection returns,
 * when the tab is shown again, when a token arrives, and every 30 s while any wait. Each replay
 * sends an entry with the Idempotency-Key it was first sent with (see OfflineQueue).
 */
export class QueueController implements ReactiveController {
  /** This service's entries, waiting or rejected, oldest first. */
  entries: QueuedSession[] = []
  replaying = false

  private retryTimer: ReturnType<typeof setInterval> | null = null
  private readonly onOnline = () => void this.replay()
  private readonly onVisible = () => {
    if (document.visibilityState === 'visible') void this.replay()
  }
  private readonly onStorage = (e: StorageEvent) => {
    if (e.key === null || e.key.startsWith('framgang.')) this.refresh()
  }

  constructor(
    private readonly host: QueueHost,
    private readonly options: QueueControllerOptions,
  ) {
    host.addController(this)
  }

  hostConnected(): void {
    addEventListener('online', this.onOnline)
    addEventListener('storage', this.onStorage)
    document.addEventListener('visibilitychange', this.onVisible)
    this.refresh()
  }

  hostDisconnected(): void {
    removeEventListener('online', this.onOnline)
    removeEventListener('storage', this.onStorage)
    document.removeEventListener('visibilitychange', this.onVisible)
    this.stopRetrying()
  }

  private get queue(): OfflineQueue {
    return this.options.queue()
  }

  private ownEntry = (e: QueuedSession) => e.apiBase === this.host.apiBase

  /** Reads the host's entries again (after the host's `api-base` changed, say). */
  refresh(): void {
    this.entries = this.queue.list(this.ownEntry)
    this.host.requestUpdate()
    if (this.entries.some((e) => e.state === 'waiting')) this.startRetrying()
    else this.stopRetrying()
  }

  /** Keeps a session to send later; returns how many of this service's sessions wait now. */
  add(entry: Pick<QueuedSession, 'key' | 'familyId' | 'body' | 'aliases'>): number {
    this.queue.add({ ...entry, apiBase: this.host.apiBase })
    this.refresh()
    return this.entries.filter((e) => e.state === 'waiting').length
  }

  discard(key: string): void {
    this.queue.discard(key)
    this.refresh()
  }

  /** A token arrived or the service changed: a good moment to send what waits. */
  replaySoon(): void {
    if (this.host.token && this.entries.some((e) => e.state === 'waiting')) queueMicrotask(() => void this.replay())
  }

  private startRetrying(): void {
    if (this.retryTimer || !this.host.isConnected) return
    this.retryTimer = setInterval(() => void this.replay(), retryEveryMs)
  }

  private stopRetrying(): void {
    if (this.retryTimer) clearInterval(this.retryTimer)
    this.retryTimer = null
  }

  private send = async (entry: QueuedSession): Promise<SendOutcome> => {
    // The entry's own service, with the host's current token (renewed tokens keep working:
    // the service scopes idempotency keys to the coordinator, not to the token).
    const host: ApiHost = { apiBase: entry.apiBase, token: this.host.token, freshToken: () => this.host.freshToken() }
    try {
      const { body } = await request<Session>(host, `/v1/families/${encodeURIComponent(entry.familyId)}/sessions`, {
        method: 'POST',
        body: entry.body,
        idempotencyKey: entry.key,
      })
      return { kind: 'sent', session: body }
    } catch (error) {
      return outcomeOf(error)
    }
  }

  /** Sends what waits, one replay at a time. */
  async replay(): Promise<void> {
    if (!this.host.token || this.replaying) return
    if (!this.queue.list((e) => this.ownEntry(e) && e.state === 'waiting').length) return
    this.replaying = true
    this.host.requestUpdate()
    try {
      const report = await this.queue.replay(this.send, this.ownEntry)
      if (report.sent.length) this.options.sent(report.sent)
    } finally {
      this.replaying = false
      this.refresh()
    }
  }

  /** What waits and what the service refused, with "send now" and "discard"; nothing when the queue is empty. */
  render(): TemplateResult | typeof nothing {
    if (!this.entries.length) return nothing
    const { t, f } = this.options.words()
    const waiting = this.entries.filter((e) => e.state === 'waiting')
    const rejected = this.entries.filter((e) => e.state === 'rejected')
    return html`<section class="message queue" part="queue" aria-labelledby="queue-heading">
      <h3 id="queue-heading">${t.waiting(waiting.length, f.integer(waiting.length))}</h3>
      <ul>
        ${waiting.map((e) => html`<li>${t.waitingItem(f.date(e.body.heldOn), e.aliases.join(', '))}</li>`)}
        ${rejected.map(
          (e) =>
            html`<li class="rejected">
              ${t.waitingItem(f.date(e.body.heldOn), e.aliases.join(', '))} – ${t.rejected(e.error?.message ?? '')}
              <button type="button" class="button link" @click=${() => this.discard(e.key)}>${t.discard}</button>
            </li>`,
        )}
      </ul>
      ${waiting.length ? html`<button type="button" class="button" ?disabled=${this.replaying} @click=${() => this.replay()}>${t.sendNow}</button>` : nothing}
    </section>`
  }
}
