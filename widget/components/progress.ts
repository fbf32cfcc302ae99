import { html, nothing, type PropertyValues, type TemplateResult } from 'lit'
import { property, state } from 'lit/decorators.js'
import { repeat } from 'lit/directives/repeat.js'
import { buildProgressModel } from '../chart/model.js'
import { Chart } from '../chart/register.js'
import type { ChartModel, FlagEntry, ProgressModel, ProgressPayload, ProgressView } from '../chart/types.js'
import { ChartController } from '../controllers/chart-controller.js'
import { FramgangElement, type LoadState } from './base.js'
import { severityIcon } from './icons.js'
import { legendSwatch } from './legend-swatch.js'
import { progressStyles } from './progress.styles.js'
import { themeStyles } from './theme.js'

/**
 * A member's or a whole family's progress over sessions.
 *
 * @summary Outcome (or alliance) charts with the cutoff band, trend, expected range and flags;
 *   plain words and a soft reference band for families. Every chart has a text summary, a
 *   data table and keyboard-reachable points.
 *
 * @attr api-base - service base URL; empty for the same origin
 * @attr token - embed token (coordinator or family)
 * @attr family-id - the family to show
 * @attr member-id - show only this member
 * @attr lang - nb | nn | en (default: the closest `lang` on the page)
 * @attr view - outcome (default) | alliance | family (family wording on a coordinator payload)
 * @prop data - the progress payload, for hosts that fetch it themselves (no request is made)
 * @method refresh - fetch again
 *
 * @event framgang-loaded - the charts are drawn
 * @event framgang-token-expired - a request got 401; set a fresh `token` and it retries
 * @event framgang-error - loading failed
 *
 * @csspart base - the wrapper
 * @csspart member - one member's section
 * @csspart heading - a member's heading
 * @csspart chart - one chart with its legend, flags and table
 * @csspart summary - the chart's text summary
 * @csspart legend - the legend list
 * @csspart flags - the list of flags (coordinators)
 * @csspart table-toggle - the button that shows the table
 * @csspart table - a data table
 * @csspart tooltip - the label over the highlighted point
 *
 * @cssproperty --framgang-chart-height - height of one chart (default 17rem)
 * @cssproperty --framgang-color-accent - and the other `--framgang-*` properties listed in README.md (Widget › Styling), each falling back to a Designsystemet `--ds-*` token
 */
export class FramgangProgress extends FramgangElement {
  static override styles = [themeStyles, progressStyles]

  @property({ attribute: false }) data: ProgressPayload | null = null
  declare view: ProgressView | ''

  @state() private fetched: ProgressPayload | null = null
  @state() private loadState: LoadState = 'idle'
  @state() private errorMessage = ''
  @state() private expandedTables = new Set<string>()

  private model: ProgressModel | null = null
  private abort: AbortController | null = null
  private readonly charts = new ChartController(this, {
    words: () => this.i18n,
    drawn: () => this.emit('framgang-loaded', { component: 'progress' }),
  })

  /** Charts alive on the page (all Framgang elements); for hosts and tests checking for leaks. */
  static get liveCharts(): number {
    return Object.keys(Chart.instances).length
  }

  private get payload(): ProgressPayload | null {
    return this.data ?? this.fetched
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback()
    this.abort?.abort()
  }

  protected override willUpdate(changed: PropertyValues): void {
    super.willUpdate(changed)
    if (this.familyId && this.needsFetch(changed, this.data !== null, this.loadState, ['familyId', 'apiBase'])) void this.load()
    if (['data', 'fetched', 'lang', 'view', 'memberId'].some((k) => changed.has(k)) || this.model === null) {
      const payload = this.payload
      const { t, f } = this.i18n
      this.model = payload ? buildProgressModel(payload, { t, f, view: (this.view || null) as ProgressView | null, memberId: this.memberId || null }) : null
      this.charts.draw(this.model)
    }
  }

  protected override langChanged(): void {
    this.model = null
    super.langChanged()
  }

  /** Fetches the progress again (after the host saved a session elsewhere, say). No-op with `data`. */
  refresh(): Promise<void> {
    return this.data || !this.familyId ? Promise.resolve() : this.load()
  }

  private async load(): Promise<void> {
    this.abort?.abort()
    const abort = (this.abort = new AbortController())
    this.loadState = 'loading'
    try {
      const { body } = await this.api<ProgressPayload>(`/v1/families/${encodeURIComponent(this.familyId)}/progress`, {
        signal: abort.signal,
      })
      if (abort.signal.aborted) return
      this.fetched = body
      this.loadState = 'ready'
    } catch (error) {
      if (abort.signal.aborted) return
      this.loadState = 'error'
      this.errorMessage = this.errorText(error)
      this.reportError(error)
    }
  }

  private toggleTable(id: string): void {
    const next = new Set(this.expandedTables)
    if (next.has(id)) next.delete(id)
    else next.add(id)
    this.expandedTables = next
  }

  protected override render(): TemplateResult {
    const { t } = this.i18n
    const model = this.model
    return html`<div part="base" lang=${this.resolvedLang} class=${model?.mode === 'family' ? 'base family' : 'base'}>
      ${this.waitingForToken ? html`<p class="message" role="status">${t.tokenExpired}</p>` : nothing}
      ${this.loadState === 'loading' && !model ? html`<p role="status">${t.loading}</p>` : nothing}
      ${
        this.loadState === 'error' && !this.waitingForToken
          ? html`<div class="message error" role="alert">
              <p>${this.errorMessage}</p>
              <button class="button" @click=${() => this.load()}>${t.retry}</button>
            </div>`
          : nothing
      }
      ${model?.familyFlags.length ? this.renderFamilyFlags(model.familyFlags) : nothing} ${model?.empty ? html`<p class="empty">${t.noData}</p>` : nothing}
      ${
        model
          ? repeat(
              model.members.filter((m) => m.charts.length > 0),
              (m) => m.memberId,
              (m) =>
                html`<section part="member" class="member" aria-labelledby=${`m-${m.memberId}`}>
                  <h2 part="heading" id=${`m-${m.memberId}`}>${m.heading}</h2>
                  ${repeat(
                    m.charts,
                    (c) => c.id,
                    (c) => this.renderChart(c),
                  )}
                </section>`,
            )
          : nothing
      }
      <div class="visually-hidden" aria-live="polite">${this.charts.announcement}</div>
    </div>`
  }

  private renderFamilyFlags(flags: FlagEntry[]): TemplateResult {
    const { t } = this.i18n
    return html`<div class="family-flags">
      <h2>${t.flagsHeading}</h2>
      <ul class="flags" part="flags">
        ${flags.map(
          (fl) =>
            html`<li>
              ${severityIcon(fl.severity)}
              <span><strong>${fl.severityText}:</strong> ${fl.text}${fl.where ? html` <span class="where">(${fl.where})</span>` : nothing}</span>
            </li>`,
        )}
      </ul>
    </div>`
  }

  private renderChart(c: ChartModel): TemplateResult {
    const { t } = this.i18n
    const family = c.mode === 'family'
    const key = c.id.replace(/[^a-zA-Z0-9_-]/g, '_')
    const expanded = this.expandedTables.has(c.id)
    return html`<div class="chart" part="chart">
      <div class="chart-head">
        <h3>${c.heading}</h3>
        ${c.status ? html`<p class="status">${t.statusLabel}: <strong>${c.status}</strong></p>` : nothing}
      </div>
      <figure>
        <div
          class="canvas-wrap"
          tabindex="0"
          role="img"
          aria-labelledby=${`sum-${key}`}
          aria-describedby=${`hint-${key}`}
          @keydown=${(e: KeyboardEvent) => this.charts.key(e, c)}
          @focus=${() => this.charts.focus(c)}
          @blur=${() => this.charts.clearHighlight(c.id)}
        >
          <canvas data-chart=${c.id}></canvas>
          ${this.charts.renderTip(c)}
        </div>
        <figcaption id=${`sum-${key}`} part="summary">${c.summary}</figcaption>
      </figure>
      <p id=${`hint-${key}`} class="visually-hidden">${t.chartHint}</p>
      <ul class="legend" part="legend">
        ${c.legend.map((entry) => html`<li>${legendSwatch(entry)}<span>${entry.label}</span></li>`)}
      </ul>
      ${
        c.flags.length
          ? html`<h4 class="visually-hidden">${t.flagsHeading}</h4>
              <ul class="flags" part="flags">
                ${c.flags.map(
                  (fl) =>
                    html`<li>
                      ${severityIcon(fl.severity)}<span class="flag-no">${fl.n}</span>
                      <span><strong>${fl.severityText}:</strong> ${fl.text} <span class="where">(${fl.where})</span></span>
                    </li>`,
                )}
              </ul>`
          : nothing
      }
      <button
        class="button link"
        part="table-toggle"
        aria-expanded=${expanded ? 'true' : 'false'}
        aria-controls=${`tbl-${key}`}
        @click=${() => this.toggleTable(c.id)}
      >
        ${expanded ? (family ? t.familyHideTable : t.hideTable) : family ? t.familyShowTable : t.showTable}
      </button>
      <div id=${`tbl-${key}`} class=${expanded ? 'tables' : 'tables collapsed visually-hidden'}>
        ${c.tables.map(
          (table, line) =>
            html`<div class="table-scroll">
              <table part="table" data-line=${line} class=${c.lines.length > 1 ? 'several' : ''}>
                <caption>
                  ${table.caption}
                </caption>
                <thead>
                  <tr>
                    ${table.head.map((h) => html`<th scope="col">${h}</th>`)}
                  </tr>
                </thead>
                <tbody>
                  ${table.rows.map((row) => {
                    // The row header is the x of the row's point (with one line, its session number too).
                    const index = c.lines[line].points.findIndex((p) => p.x === row[0].value)
                    const focusable = expanded && index >= 0
                    return html`<tr
                      class=${this.charts.isActiveRow(c.id, line, index) ? 'active' : ''}
                      tabindex=${focusable ? '0' : nothing}
                      @focus=${focusable ? () => this.charts.highlight(c.id, line, index, false) : nothing}
                      @blur=${focusable ? () => this.charts.clearHighlight(c.id) : nothing}
                      @mouseenter=${focusable ? () => this.charts.highlight(c.id, line, index, false) : nothing}
                      @mouseleave=${focusable ? () => this.charts.clearHighlight(c.id) : nothing}
                    >
                      ${row.map((cell, i) =>
                        i === 0
                          ? html`<th scope="row" data-value=${cell.value ?? ''}>${cell.text}</th>`
                          : html`<td data-value=${cell.value ?? ''}>${cell.text}</td>`,
                      )}
                    </tr>`
                  })}
                </tbody>
              </table>
            </div>`,
        )}
      </div>
    </div>`
  }
}
