import { html, nothing, type PropertyValues, type TemplateResult } from 'lit'
import { property, query, state } from 'lit/decorators.js'
import { live } from 'lit/directives/live.js'
import type { InstrumentKind, SessionKind } from '../../service/contracts/common.js'
import type { Family, Member } from '../../service/contracts/families.js'
import type { Session } from '../../service/contracts/sessions.js'
import { ApiError } from '../api/client.js'
import { QueueController } from '../controllers/queue-controller.js'
import {
  buildSession,
  emptyDraft,
  fieldForPointer,
  itemField,
  localToday,
  participantsOn,
  ratingKey,
  sessionKinds,
  syncRatings,
  tenth,
  totalField,
  type FieldError,
  type Participant,
  type RatingMode,
  type SessionDraft,
} from '../form/session-draft.js'
import { OfflineQueue, outcomeOf, newIdempotencyKey } from '../form/offline-queue.js'
import { totalMax } from '../instruments.js'
import { FramgangElement, type LoadState } from './base.js'
import { describedBy, domId, errorFor } from './field-errors.js'
import { ratingFieldset, type RatingContext } from './rating-fieldset.js'
import { sessionFormStyles } from './session-form.styles.js'
import { themeStyles } from './theme.js'

/**
 * Logs one session with its ratings, built for a phone at a home visit.
 *
 * @summary Choose who took part; each person's instrument follows from their age on the date;
 *   sliders 0.0–10.0 or a total from paper; alliance at the end. Field errors from the service
 *   are shown at the field. Without a connection the session waits on the device and is sent,
 *   once, when the connection returns.
 *
 * @attr api-base - service base URL; empty for the same origin
 * @attr token - coordinator embed token
 * @attr family-id - the family the session belongs to
 * @attr lang - nb | nn | en
 * @prop data - the family with its members (`GET /v1/families/{id}`), for hosts that fetch it themselves
 * @prop family - the family in use, fetched or given (read-only)
 * @method replayQueue - send what waits now
 *
 * @event framgang-session-saved - the service has the session (`replayed` when it came from the queue)
 * @event framgang-session-queued - the session is waiting on this device
 * @event framgang-token-expired - a request got 401; set a fresh `token` and it retries
 * @event framgang-loaded - the family is loaded and the form is ready
 * @event framgang-error - loading the family failed
 *
 * @csspart base - the wrapper
 * @csspart form - the form
 * @csspart fieldset - a group (who took part, one person's rating)
 * @csspart slider - one slider with its label and value
 * @csspart submit - the save button
 * @csspart queue - what is waiting to be sent
 * @csspart error-summary - the list of problems after a failed save
 * @csspart status - the message after saving
 * @cssproperty --framgang-color-accent - and the other `--framgang-*` properties listed in README.md (Widget › Styling), each falling back to a Designsystemet `--ds-*` token
 */
export class FramgangSessionForm extends FramgangElement {
  static override styles = [themeStyles, sessionFormStyles]

  @property({ attribute: false }) data: Family | null = null

  @state() private fetched: Family | null = null
  @state() private loadState: LoadState = 'idle'
  @state() private loadError = ''
  @state() private draft: SessionDraft = emptyDraft(localToday())
  @state() private errors = new Map<string, string>()
  @state() private formErrors: string[] = []
  @state() private saving = false
  @state() private status: { kind: 'success' | 'queued'; text: string } | null = null

  @query('.summary') private summaryEl!: HTMLElement | null

  /** Shared by every form on the page: all read and write the same browser storage. */
  static queue = new OfflineQueue()

  private abort: AbortController | null = null
  private readonly offline = new QueueController(this, {
    queue: () => (this.constructor as typeof FramgangSessionForm).queue,
    words: () => this.i18n,
    sent: (sent) => {
      for (const { entry, session } of sent) {
        this.emit('framgang-session-saved', { familyId: entry.familyId, session, idempotencyKey: entry.key, replayed: true })
      }
      const { t, f } = this.i18n
      this.status = { kind: 'success', text: t.replayed(sent.length, f.integer(sent.length)) }
    },
  })

  /** The family the form is for, with its members (read-only; set `data` to give your own). */
  get family(): Family | null {
    return this.data ?? this.fetched
  }

  private get members(): Member[] {
    return this.family?.members ?? []
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback()
    this.abort?.abort()
  }

  protected override willUpdate(changed: PropertyValues): void {
    super.willUpdate(changed)
    if (this.familyId && this.needsFetch(changed, this.data !== null, this.loadState, ['familyId', 'apiBase'])) void this.loadFamily()
    if (changed.has('familyId') && changed.get('familyId') !== undefined) this.resetDraft()
    // Each service has its own entries; a token arriving (or renewed) is a good moment to send what waits.
    if (changed.has('apiBase')) this.offline.refresh()
    if (changed.has('token') || changed.has('apiBase')) this.offline.replaySoon()
  }

  protected override updated(changed: PropertyValues): void {
    super.updated(changed)
    if (changed.has('data') && this.data) this.emit('framgang-loaded', { component: 'session-form' })
  }

  private async loadFamily(): Promise<void> {
    this.abort?.abort()
    const abort = (this.abort = new AbortController())
    this.loadState = 'loading'
    try {
      const { body } = await this.api<Family>(`/v1/families/${encodeURIComponent(this.familyId)}`, { signal: abort.signal })
      if (abort.signal.aborted) return
      this.fetched = body
      this.loadState = 'ready'
      await this.updateComplete
      this.emit('framgang-loaded', { component: 'session-form' })
    } catch (error) {
      if (abort.signal.aborted) return
      this.loadState = 'error'
      this.loadError = this.errorText(error)
      this.reportError(error)
    }
  }

  /** Sends what waits; public so a host can offer its own "send now". */
  replayQueue(): Promise<void> {
    return this.offline.replay()
  }

  // ---- the draft ----

  private resetDraft(): void {
    this.draft = { ...emptyDraft(localToday()), heldOn: this.draft.heldOn, kind: this.draft.kind }
    this.errors = new Map()
    this.formErrors = []
  }

  private setDraft(change: Partial<SessionDraft>): void {
    const next = { ...this.draft, ...change }
    next.ratings = syncRatings(next, this.members)
    this.draft = next
    this.status = null
  }

  private clearError(...fields: string[]): void {
    if (!fields.some((f) => this.errors.has(f))) return
    const next = new Map(this.errors)
    fields.forEach((f) => next.delete(f))
    this.errors = next
  }

  private toggleParticipant(id: string, on: boolean): void {
    const participants = on ? [...this.draft.participants, id] : this.draft.participants.filter((p) => p !== id)
    // Keep the family's order, not the order of clicking.
    this.setDraft({ participants: this.members.map((m) => m.id).filter((m) => participants.includes(m)) })
    this.clearError('participants')
  }

  private setMode(key: string, mode: RatingMode): void {
    const r = this.draft.ratings[key]
    this.setDraft({ ratings: { ...this.draft.ratings, [key]: { ...r, mode } } })
  }

  private setItem(key: string, index: number, value: number): void {
    const r = this.draft.ratings[key]
    const items = [...r.items]
    items[index] = tenth(value)
    this.setDraft({ ratings: { ...this.draft.ratings, [key]: { ...r, items } } })
    this.clearError(itemField(key, index), key)
  }

  private setTotal(key: string, total: string): void {
    const r = this.draft.ratings[key]
    this.setDraft({ ratings: { ...this.draft.ratings, [key]: { ...r, total } } })
    this.clearError(totalField(key), key)
  }

  // ---- saving ----

  private showErrors(errors: FieldError[], formErrors: string[] = []): void {
    this.errors = new Map(errors.map((e) => [e.field, e.message]))
    this.formErrors = formErrors
    void this.updateComplete.then(() => this.summaryEl?.focus())
  }

  private async onSubmit(event: Event): Promise<void> {
    event.preventDefault()
    if (this.saving) return
    const { t } = this.i18n
    const built = buildSession(this.draft, this.members, localToday(), t)
    if (!built.ok) return this.showErrors(built.errors)
    this.errors = new Map()
    this.formErrors = []
    const { body, ratingKeys } = built.value
    const key = newIdempotencyKey()
    const familyId = this.family?.id ?? this.familyId
    const aliases = this.members.filter((m) => this.draft.participants.includes(m.id)).map((m) => m.alias)
    const enqueue = () => {
      const waiting = this.offline.add({ key, familyId, body, aliases })
      this.status = { kind: 'queued', text: t.queuedNow }
      this.emit('framgang-session-queued', { familyId, idempotencyKey: key, waiting })
      this.resetDraft()
    }

    if (navigator.onLine === false) return enqueue()
    this.saving = true
    try {
      const { body: session } = await this.api<Session>(`/v1/families/${encodeURIComponent(familyId)}/sessions`, {
        method: 'POST',
        body,
        idempotencyKey: key,
      })
      this.resetDraft()
      this.status = { kind: 'success', text: t.saved }
      this.emit('framgang-session-saved', { familyId, session, idempotencyKey: key, replayed: false })
    } catch (error) {
      const outcome = outcomeOf(error)
      if (outcome.kind === 'retry' && !(error instanceof ApiError && error.status === 401)) return enqueue()
      this.reportError(error)
      const problem = error instanceof ApiError ? error.problem : null
      const fieldErrors: FieldError[] = []
      const general: string[] = []
      for (const e of problem?.errors ?? []) {
        const field = fieldForPointer(e.path, ratingKeys)
        if (field === 'form') general.push(e.message)
        else fieldErrors.push({ field, message: e.message })
      }
      if (!fieldErrors.length && !general.length) general.push(problem?.detail || this.errorText(error))
      this.showErrors(fieldErrors, general)
    } finally {
      this.saving = false
    }
  }

  // ---- rendering ----

  private fieldLabel(field: string, people: Participant[]): string {
    const { t } = this.i18n
    if (field === 'heldOn') return t.heldOn
    if (field === 'kind') return t.kind
    if (field === 'note') return t.note
    if (field === 'participants') return t.participants
    const [memberId, kind, part, index] = field.split('.')
    const p = people.find((q) => q.member.id === memberId)
    const code = this.draft.ratings[ratingKey(memberId, kind as InstrumentKind)]?.instrument ?? ''
    const base = `${p?.member.alias ?? ''} – ${code}`
    if (part === 'item') return `${base} – ${t.itemLabels[code]?.[Number(index)] ?? Number(index) + 1}`
    if (part === 'total') return `${base} – ${t.totalLabel(String(totalMax(code) ?? ''))}`
    return base
  }

  private focusField(field: string): void {
    const root = this.renderRoot as ShadowRoot
    const id = domId(field)
    const el = root.getElementById(id)
    const target = el?.matches('input, select, textarea') ? el : el?.querySelector<HTMLElement>('input, select, textarea, button')
    ;(target ?? el)?.focus()
    el?.scrollIntoView?.({ block: 'center' })
  }

  protected override render(): TemplateResult {
    const { t } = this.i18n
    const family = this.family
    return html`<div part="base" lang=${this.resolvedLang}>
      <h2>${t.formTitle}</h2>
      ${this.offline.render()} ${this.waitingForToken ? html`<p class="message" role="status">${t.tokenExpired}</p>` : nothing}
      ${this.loadState === 'loading' && !family ? html`<p role="status">${t.loading}</p>` : nothing}
      ${
        this.loadState === 'error' && !family
          ? html`<div class="message error" role="alert">
              <p>${this.loadError}</p>
              <button class="button" @click=${() => this.loadFamily()}>${t.retry}</button>
            </div>`
          : nothing
      }
      <div role="status" part="status">
        ${this.status ? html`<p class=${`message ${this.status.kind === 'success' ? 'success' : ''}`}>${this.status.text}</p>` : nothing}
      </div>
      ${family ? this.renderForm() : nothing}
    </div>`
  }

  private renderForm(): TemplateResult {
    const { t, f } = this.i18n
    const today = localToday()
    const people = participantsOn(this.members, this.draft.heldOn)
    const chosen = people.filter((p) => this.draft.participants.includes(p.member.id))
    const hasErrors = this.errors.size > 0 || this.formErrors.length > 0
    const rating: RatingContext = {
      t,
      f,
      ratings: this.draft.ratings,
      errors: this.errors,
      setMode: (key, mode) => this.setMode(key, mode),
      setItem: (key, index, value) => this.setItem(key, index, value),
      setTotal: (key, total) => this.setTotal(key, total),
    }
    return html`<form part="form" novalidate @submit=${this.onSubmit}>
      ${
        hasErrors
          ? html`<div class="message summary" part="error-summary" role="alert" tabindex="-1">
              <p><strong>${t.errorSummary}</strong></p>
              <ul>
                ${this.formErrors.map((m) => html`<li>${m}</li>`)}
                ${[...this.errors].map(
                  ([field, message]) =>
                    html`<li><button type="button" @click=${() => this.focusField(field)}>${this.fieldLabel(field, people)}</button>: ${message}</li>`,
                )}
              </ul>
            </div>`
          : nothing
      }
      <div class="row">
        <div class="field">
          <label for="heldOn">${t.heldOn}</label>
          <input
            id="heldOn"
            type="date"
            required
            max=${today}
            .value=${live(this.draft.heldOn)}
            aria-invalid=${this.errors.has('heldOn') ? 'true' : 'false'}
            aria-describedby=${describedBy(this.errors, 'heldOn')}
            @change=${(e: Event) => {
              this.setDraft({ heldOn: (e.target as HTMLInputElement).value })
              this.clearError('heldOn')
            }}
          />
          ${errorFor(this.errors, 'heldOn')}
        </div>
        <div class="field">
          <label for="kind">${t.kind}</label>
          <select
            id="kind"
            aria-invalid=${this.errors.has('kind') ? 'true' : 'false'}
            aria-describedby=${describedBy(this.errors, 'kind')}
            @change=${(e: Event) => this.setDraft({ kind: (e.target as HTMLSelectElement).value as SessionKind })}
          >
            ${sessionKinds.map((k) => html`<option value=${k} ?selected=${this.draft.kind === k}>${t.sessionKind[k]}</option>`)}
          </select>
          ${errorFor(this.errors, 'kind')}
        </div>
      </div>

      <fieldset
        id="participants"
        part="fieldset"
        class=${this.errors.has('participants') ? 'invalid' : ''}
        aria-describedby=${describedBy(this.errors, 'participants', 'participants-hint')}
      >
        <legend>${t.participants}</legend>
        <p class="hint" id="participants-hint">${t.participantsHint}</p>
        <div class="checks">
          ${people.map((p) => {
            const ratable = p.outcome !== null
            const id = `who-${p.member.id}`
            return html`<label class="check" for=${id}>
              <input
                id=${id}
                type="checkbox"
                .checked=${live(this.draft.participants.includes(p.member.id))}
                ?disabled=${!ratable}
                @change=${(e: Event) => this.toggleParticipant(p.member.id, (e.target as HTMLInputElement).checked)}
              />
              <span>${p.member.alias}</span>
              <span class="age">${p.age === null ? '' : ratable ? `(${t.age(f.integer(p.age))})` : `(${t.tooYoung})`}</span>
            </label>`
          })}
        </div>
        ${errorFor(this.errors, 'participants')}
      </fieldset>

      ${
        chosen.length
          ? html`<section class="section" aria-labelledby="outcome-heading">
                <h3 id="outcome-heading">${t.outcomeHeading}</h3>
                ${chosen.map((p) => ratingFieldset(p, 'outcome', rating))}
              </section>
              <section class="section" aria-labelledby="alliance-heading">
                <h3 id="alliance-heading">${t.allianceHeading}</h3>
                <p class="hint">${t.allianceHint}</p>
                ${chosen.map((p) => ratingFieldset(p, 'alliance', rating))}
              </section>`
          : nothing
      }

      <div class="field">
        <label for="note">${t.note}</label>
        <textarea
          id="note"
          maxlength="2000"
          .value=${live(this.draft.note)}
          aria-invalid=${this.errors.has('note') ? 'true' : 'false'}
          aria-describedby=${describedBy(this.errors, 'note', 'note-hint')}
          @input=${(e: Event) => (this.draft = { ...this.draft, note: (e.target as HTMLTextAreaElement).value })}
        ></textarea>
        <p class="hint" id="note-hint">${t.noteHint}</p>
        ${errorFor(this.errors, 'note')}
      </div>

      <div class="actions">
        <button type="submit" class="button primary" part="submit" ?disabled=${this.saving}>${this.saving ? t.saving : t.save}</button>
      </div>
    </form>`
  }
}
