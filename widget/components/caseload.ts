import { html, nothing, type PropertyValues, type TemplateResult } from 'lit'
import { property, state } from 'lit/decorators.js'
import { repeat } from 'lit/directives/repeat.js'
import type { Caseload, CaseloadItem } from '../../service/contracts/caseload.js'
import { bySeverity } from '../severity.js'
import { FramgangElement, type LoadState } from './base.js'
import { caseloadStyles } from './caseload.styles.js'
import { severityIcon } from './icons.js'
import { themeStyles } from './theme.js'

/** How many families one request asks for; "show more" fetches the next page. */
const pageSize = 50
/** Flags written out on a family's row; the rest are counted. */
const flagsShown = 2

/**
 * The coordinator's active families, most urgent first (the service orders them).
 *
 * @summary A list of families with severity (icon and words), last session and flags; choosing
 *   one sends `framgang-family-selected`.
 *
 * @attr api-base - service base URL; empty for the same origin
 * @attr token - coordinator embed token
 * @attr lang - nb | nn | en
 * @prop data - `{ items, nextCursor }` (or the items alone) for hosts that fetch themselves
 * @prop items - the families shown, in order (read-only)
 * @method refresh - fetch again
 *
 * @event framgang-family-selected - `{ familyId }` of the chosen family
 * @event framgang-loaded - the list is shown
 * @event framgang-token-expired - a request got 401; set a fresh `token` and it retries
 * @event framgang-error - loading failed
 *
 * @csspart base - the wrapper
 * @csspart list - the list of families
 * @csspart item - one family's button
 * @csspart severity - the severity badge of a family
 * @csspart more - the "show more" button
 * @cssproperty --framgang-color-accent - and the other `--framgang-*` properties listed in README.md (Widget › Styling), each falling back to a Designsystemet `--ds-*` token
 */
export class FramgangCaseload extends FramgangElement {
  static override styles = [themeStyles, caseloadStyles]

  @property({ attribute: false }) data: Caseload | CaseloadItem[] | null = null

  @state() private fetchedItems: CaseloadItem[] = []
  @state() private nextCursor: string | null = null
  @state() private loadState: LoadState = 'idle'
  @state() private errorMessage = ''
  @state() private selected = ''

  private abort: AbortController | null = null

  /** The families shown, in the service's order (read-only; set `data` to give your own). */
  get items(): CaseloadItem[] {
    if (this.data) return Array.isArray(this.data) ? this.data : this.data.items
    return this.fetchedItems
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback()
    this.abort?.abort()
  }

  protected override willUpdate(changed: PropertyValues): void {
    super.willUpdate(changed)
    if (this.data) {
      if (changed.has('data')) this.nextCursor = Array.isArray(this.data) ? null : this.data.nextCursor
      return
    }
    if (this.needsFetch(changed, false, this.loadState, ['apiBase'])) void this.load(null)
  }

  protected override updated(changed: PropertyValues): void {
    super.updated(changed)
    if (changed.has('data') && this.data) this.emit('framgang-loaded', { component: 'caseload' })
  }

  /** Fetches the list again from its first page. No-op with `data`. */
  refresh(): Promise<void> {
    return this.data ? Promise.resolve() : this.load(null)
  }

  private async load(cursor: string | null): Promise<void> {
    this.abort?.abort()
    const abort = (this.abort = new AbortController())
    this.loadState = 'loading'
    const query = new URLSearchParams({ limit: String(pageSize) })
    if (cursor) query.set('cursor', cursor)
    try {
      const { body } = await this.api<Caseload>(`/v1/caseload?${query}`, { signal: abort.signal })
      if (abort.signal.aborted) return
      this.fetchedItems = cursor ? [...this.fetchedItems, ...body.items] : body.items
      this.nextCursor = body.nextCursor
      this.loadState = 'ready'
      await this.updateComplete
      this.emit('framgang-loaded', { component: 'caseload' })
    } catch (error) {
      if (abort.signal.aborted) return
      this.loadState = 'error'
      this.errorMessage = this.errorText(error)
      this.reportError(error)
    }
  }

  private choose(item: CaseloadItem): void {
    this.selected = item.familyId
    this.emit('framgang-family-selected', { familyId: item.familyId })
  }

  protected override render(): TemplateResult {
    const { t } = this.i18n
    const items = this.items
    const ready = this.data !== null || this.loadState === 'ready' || items.length > 0
    return html`<div part="base" lang=${this.resolvedLang}>
      <h2>${t.caseloadTitle}</h2>
      ${this.waitingForToken ? html`<p class="message" role="status">${t.tokenExpired}</p>` : nothing}
      ${this.loadState === 'loading' && !items.length ? html`<p role="status">${t.loading}</p>` : nothing}
      ${
        this.loadState === 'error' && !this.waitingForToken
          ? html`<div class="message error" role="alert">
              <p>${this.errorMessage}</p>
              <button class="button" @click=${() => this.load(null)}>${t.retry}</button>
            </div>`
          : nothing
      }
      ${ready && items.length === 0 && this.loadState !== 'error' ? html`<p class="hint">${t.caseloadEmpty}</p>` : nothing}
      ${
        items.length
          ? html`<p class="hint">${t.openFamily}</p>
              <ul class="list" part="list">
                ${repeat(
                  items,
                  (i) => i.familyId,
                  (i) => this.renderItem(i),
                )}
              </ul>`
          : nothing
      }
      ${
        this.nextCursor
          ? html`<button class="button more" part="more" ?disabled=${this.loadState === 'loading'} @click=${() => this.load(this.nextCursor)}>
              ${t.showMore}
            </button>`
          : nothing
      }
    </div>`
  }

  private renderItem(item: CaseloadItem): TemplateResult {
    const { t, f } = this.i18n
    // One line per kind of flag, most severe first, with how many people it is about.
    const groups = new Map<string, { text: string; members: Set<string | null> }>()
    for (const fl of [...item.flags].sort(bySeverity)) {
      const key = `${fl.instrument ?? ''}|${fl.code}`
      const group = groups.get(key) ?? { text: fl.instrument ? `${fl.instrument}: ${t.flag[fl.code]}` : t.flag[fl.code], members: new Set() }
      group.members.add(fl.memberId)
      groups.set(key, group)
    }
    const texts = [...groups.values()]
      .slice(0, flagsShown)
      .map((g) => (g.members.size > 1 ? `${g.text} (${t.persons(g.members.size, f.integer(g.members.size))})` : g.text))
    const rest = groups.size - flagsShown
    return html`<li>
      <button
        class=${`family ${item.severity ?? 'none'}`}
        part="item"
        data-family-id=${item.familyId}
        aria-current=${this.selected === item.familyId ? 'true' : nothing}
        @click=${() => this.choose(item)}
      >
        <span class="top">
          <span class="ref">${item.externalRef}</span>
          <span class=${`sev sev-${item.severity ?? 'none'}`} part="severity"
            >${severityIcon(item.severity)}<span>${item.severity ? t.severity[item.severity] : t.noFlags}</span></span
          >
        </span>
        <span class="meta"
          >${
            item.lastSessionOn
              ? `${t.lastSession(f.date(item.lastSessionOn))} · ${t.sessions(item.sessionCount, f.integer(item.sessionCount))}`
              : t.noSessionYet
          }</span
        >
        ${texts.length ? html`<span class="flag-texts">${texts.join(' · ')}${rest > 0 ? ` · ${t.moreFlags(f.integer(rest))}` : ''}</span>` : nothing}
      </button>
    </li>`
  }
}
