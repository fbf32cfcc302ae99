import { html, nothing, type PropertyValues, type TemplateResult } from 'lit'
import { property, state } from 'lit/decorators.js'
import { repeat } from 'lit/directives/repeat.js'
import { buildChartConfig, type BuiltChart } from '../chart/config.js'
import { buildProgressModel } from '../chart/model.js'
import { pointText } from '../chart/point-text.js'
import type { ChartModel, FlagEntry, ProgressModel, ProgressPayload, ProgressView } from '../chart/types.js'
import { Chart } from '../chart/register.js'
import { readTheme } from '../chart/theme.js'
import { FramgangElement, type LoadState } from './base.js'
import { severityIcon } from './icons.js'
import { legendSwatch } from './legend-swatch.js'
import { progressStyles } from './progress.styles.js'
import { themeStyles } from './theme.js'

interface LiveChart {
  chart: Chart<'line', { x: number; y: number }[]>
  built: BuiltChart
  canvas: HTMLCanvasElement
}

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
  @state() private announcement = ''
  @state() private activeRow = ''
  /** The point whose tooltip shows, from the pointer, the keyboard or a table row. */
  @state() private tip: { chartId: string; line: number; index: number } | null = null

  private model: ProgressModel | null = null
  private charts = new Map<string, LiveChart>()
  private cursor = new Map<string, { line: number; index: number }>()
  private abort: AbortController | null = null
  private chartsStale = true
  /** True while the keyboard (chart or table row) holds a point, so leaving with the mouse keeps its tooltip. */
  private cursorActive = false

  /** Charts alive on the page (all Framgang elements); for hosts and tests checking for leaks. */
  static get liveCharts(): number {
    return Object.keys(Chart.instances).length
  }

  private get payload(): ProgressPayload | null {
    return this.data ?? this.fetched
  }

  override connectedCallback(): void {
    super.connectedCallback()
    // Re-attached after a move: the charts were destroyed on disconnect, draw them again.
    this.chartsStale = true
    if (this.hasUpdated) this.requestUpdate()
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback()
    this.abort?.abort()
    for (const live of this.charts.values()) live.chart.destroy()
    this.charts.clear()
  }

  protected override willUpdate(changed: PropertyValues): void {
    super.willUpdate(changed)
    if (this.familyId && this.needsFetch(changed, this.data !== null, this.loadState, ['familyId', 'apiBase'])) void this.load()
    if (['data', 'fetched', 'lang', 'view', 'memberId'].some((k) => changed.has(k)) || this.model === null) {
      const payload = this.payload
      const { t, f } = this.i18n
      this.model = payload
        ? buildProgressModel(payload, { t, f, view: (this.view || null) as ProgressView | null, memberId: this.memberId || null })
        : null
      this.chartsStale = true
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

  protected override updated(changed: PropertyValues): void {
    super.updated(changed)
    if (this.chartsStale) {
      this.chartsStale = false
      this.syncCharts()
    }
    if (changed.has('tip')) this.placeTip()
  }

  /** Positions the tooltip over its point through CSSOM (a strict CSP forbids style attributes). */
  private placeTip(): void {
    const tip = this.tip
    if (!tip) return
    const live = this.charts.get(tip.chartId)
    const el = this.renderRoot.querySelector<HTMLElement>(`.tip[data-chart="${CSS.escape(tip.chartId)}"]`)
    const point = live?.chart.getDatasetMeta(live.built.lineDatasets[tip.line]).data[tip.index]
    if (!live || !el || !point) return
    const width = live.canvas.clientWidth
    const rtl = getComputedStyle(this).direction === 'rtl'
    // chart.js gives pixels from the left; the tooltip is placed from the inline start, centred
    // over the point but never past the chart's edges.
    const x = rtl ? width - point.x : point.x
    const start = Math.max(0, Math.min(x - el.offsetWidth / 2, width - el.offsetWidth))
    el.style.setProperty('--tip-x', `${start}px`)
    el.style.setProperty('--tip-y', `${point.y}px`)
    el.style.setProperty('--tip-shift-y', point.y < 60 ? '0.875rem' : 'calc(-100% - 0.75rem)')
  }

  private syncCharts(): void {
    const root = this.renderRoot as ShadowRoot
    const models = new Map<string, ChartModel>()
    for (const m of this.model?.members ?? []) for (const c of m.charts) models.set(c.id, c)

    for (const [id, live] of this.charts) {
      if (!models.has(id) || !live.canvas.isConnected) {
        live.chart.destroy()
        this.charts.delete(id)
      }
    }
    if (models.size === 0) {
      if (this.payload) this.emit('framgang-loaded', { component: 'progress' })
      return
    }

    const style = getComputedStyle(this)
    const theme = readTheme((p) => style.getPropertyValue(p))
    theme.fontFamily = style.fontFamily || theme.fontFamily
    const rtl = style.direction === 'rtl'
    const { f } = this.i18n

    for (const [id, model] of models) {
      const canvas = root.querySelector<HTMLCanvasElement>(`canvas[data-chart="${CSS.escape(id)}"]`)
      if (!canvas) continue
      const built = buildChartConfig(model, {
        f,
        theme,
        rtl,
        onPoint: (point) => {
          if (point) this.tip = { chartId: id, ...point }
          else if (this.tip?.chartId === id && !this.cursorActive) this.tip = null
        },
      })
      const live = this.charts.get(id)
      if (live && live.canvas === canvas) {
        live.chart.data = built.config.data
        live.chart.options = built.config.options!
        live.built = built
        live.chart.update()
      } else {
        live?.chart.destroy()
        this.charts.set(id, { chart: new Chart(canvas, built.config), built, canvas })
      }
    }
    this.emit('framgang-loaded', { component: 'progress' })
  }

  /** Shows one point as if hovered: enlarged, with its tooltip, and announced to screen readers. */
  private highlight(chartId: string, line: number, index: number, announce = true): void {
    const live = this.charts.get(chartId)
    const model = this.findChart(chartId)
    if (!live || !model) return
    const datasetIndex = live.built.lineDatasets[line]
    if (!live.chart.getDatasetMeta(datasetIndex).data[index]) return
    const active = [{ datasetIndex, index }]
    live.chart.setActiveElements(active)
    live.chart.update()
    this.cursor.set(chartId, { line, index })
    this.cursorActive = true
    this.tip = { chartId, line, index }
    this.activeRow = `${chartId}|${line}|${index}`
    if (announce) this.announcement = pointText(model, line, index, this.i18n.t, this.i18n.f)?.said ?? ''
  }

  private clearHighlight(chartId: string): void {
    const live = this.charts.get(chartId)
    if (!live) return
    live.chart.setActiveElements([])
    live.chart.update()
    this.cursorActive = false
    if (this.tip?.chartId === chartId) this.tip = null
    this.activeRow = ''
  }

  private findChart(id: string): ChartModel | undefined {
    for (const m of this.model?.members ?? []) for (const c of m.charts) if (c.id === id) return c
    return undefined
  }

  private onChartKey(event: KeyboardEvent, chart: ChartModel): void {
    const current = this.cursor.get(chart.id) ?? { line: 0, index: chart.lines[0].points.length - 1 }
    let { line, index } = current
    const count = (l: number) => chart.lines[l].points.length
    const rtl = getComputedStyle(this).direction === 'rtl'
    switch (event.key) {
      case 'ArrowRight':
        index = rtl ? index - 1 : index + 1
        break
      case 'ArrowLeft':
        index = rtl ? index + 1 : index - 1
        break
      case 'Home':
        index = 0
        break
      case 'End':
        index = count(line) - 1
        break
      case 'ArrowUp':
      case 'ArrowDown': {
        const next = (line + (event.key === 'ArrowDown' ? 1 : chart.lines.length - 1)) % chart.lines.length
        // Keep the conversation (the x-axis position) when moving to another rater's line, as near as it has one.
        const x = chart.lines[line].points[index]?.x ?? 1
        const points = chart.lines[next].points
        let best = 0
        points.forEach((p, i) => {
          if (Math.abs(p.x - x) < Math.abs(points[best].x - x)) best = i
        })
        line = next
        index = best
        break
      }
      default:
        return
    }
    event.preventDefault()
    index = Math.max(0, Math.min(count(line) - 1, index))
    this.highlight(chart.id, line, index)
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
      ${this.loadState === 'error' && !this.waitingForToken
        ? html`<div class="message error" role="alert">
            <p>${this.errorMessage}</p>
            <button class="button" @click=${() => this.load()}>${t.retry}</button>
          </div>`
        : nothing}
      ${model?.familyFlags.length ? this.renderFamilyFlags(model.familyFlags) : nothing}
      ${model?.empty ? html`<p class="empty">${t.noData}</p>` : nothing}
      ${model
        ? repeat(
            model.members.filter((m) => m.charts.length > 0),
            (m) => m.memberId,
            (m) => html`<section part="member" class="member" aria-labelledby=${`m-${m.memberId}`}>
              <h2 part="heading" id=${`m-${m.memberId}`}>${m.heading}</h2>
              ${repeat(m.charts, (c) => c.id, (c) => this.renderChart(c))}
            </section>`,
          )
        : nothing}
      <div class="visually-hidden" aria-live="polite">${this.announcement}</div>
    </div>`
  }

  private renderTip(c: ChartModel): TemplateResult | typeof nothing {
    const tip = this.tip
    if (!tip || tip.chartId !== c.id) return nothing
    const words = pointText(c, tip.line, tip.index, this.i18n.t, this.i18n.f)
    if (!words) return nothing
    // Visual only: screen readers get the same words from the live region and the table.
    return html`<div class="tip" part="tooltip" data-chart=${c.id} aria-hidden="true">
      <strong>${words.head}</strong>
      ${words.value}
    </div>`
  }

  private renderFamilyFlags(flags: FlagEntry[]): TemplateResult {
    const { t } = this.i18n
    return html`<div class="family-flags">
      <h2>${t.flagsHeading}</h2>
      <ul class="flags" part="flags">
        ${flags.map(
          (fl) => html`<li>
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
          @keydown=${(e: KeyboardEvent) => this.onChartKey(e, c)}
          @focus=${() => {
            const cur = this.cursor.get(c.id) ?? { line: 0, index: c.lines[0].points.length - 1 }
            this.highlight(c.id, cur.line, cur.index, false)
          }}
          @blur=${() => this.clearHighlight(c.id)}
        >
          <canvas data-chart=${c.id}></canvas>
          ${this.renderTip(c)}
        </div>
        <figcaption id=${`sum-${key}`} part="summary">${c.summary}</figcaption>
      </figure>
      <p id=${`hint-${key}`} class="visually-hidden">${t.chartHint}</p>
      <ul class="legend" part="legend">
        ${c.legend.map((entry) => html`<li>${legendSwatch(entry)}<span>${entry.label}</span></li>`)}
      </ul>
      ${c.flags.length
        ? html`<h4 class="visually-hidden">${t.flagsHeading}</h4>
            <ul class="flags" part="flags">
              ${c.flags.map(
                (fl) => html`<li>
                  ${severityIcon(fl.severity)}<span class="flag-no">${fl.n}</span>
                  <span><strong>${fl.severityText}:</strong> ${fl.text} <span class="where">(${fl.where})</span></span>
                </li>`,
              )}
            </ul>`
        : nothing}
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
          (table, line) => html`<div class="table-scroll">
            <table part="table" data-line=${line} class=${c.lines.length > 1 ? 'several' : ''}>
              <caption>${table.caption}</caption>
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
                  const rowKey = `${c.id}|${line}|${index}`
                  return html`<tr
                    class=${this.activeRow === rowKey ? 'active' : ''}
                    tabindex=${focusable ? '0' : nothing}
                    @focus=${focusable ? () => this.highlight(c.id, line, index, false) : nothing}
                    @blur=${focusable ? () => this.clearHighlight(c.id) : nothing}
                    @mouseenter=${focusable ? () => this.highlight(c.id, line, index, false) : nothing}
                    @mouseleave=${focusable ? () => this.clearHighlight(c.id) : nothing}
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
