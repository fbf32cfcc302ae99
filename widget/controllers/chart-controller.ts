import { html, nothing, type ReactiveController, type ReactiveControllerHost, type TemplateResult } from 'lit'
import { buildChartConfig, type BuiltChart } from '../chart/config.js'
import { pointText } from '../chart/point-text.js'
import { Chart } from '../chart/register.js'
import { readTheme } from '../chart/theme.js'
import type { ChartModel, ProgressModel } from '../chart/types.js'
import type { Catalogue, Formatters } from '../i18n/index.js'

interface LiveChart {
  chart: Chart<'line', { x: number; y: number }[]>
  built: BuiltChart
  canvas: HTMLCanvasElement
}

/** One point of one chart: its line and its place in that line. */
interface PointRef {
  chartId: string
  line: number
  index: number
}

export interface ChartHost extends ReactiveControllerHost, HTMLElement {
  readonly renderRoot: HTMLElement | DocumentFragment
  readonly hasUpdated: boolean
}

export interface ChartControllerOptions {
  /** The host's words now (its language can change under it). */
  words(): { t: Catalogue; f: Formatters }
  /** Every chart of the model is drawn, or the model has none to draw. */
  drawn(): void
}

/**
 * The chart.js charts of a host, one per chart model, drawn into the canvases its render left:
 * created after the render that first shows a chart, updated in place after later renders,
 * destroyed when the host leaves the page (and drawn again if it comes back). It also keeps the
 * keyboard cursor of each chart and the tooltip of the highlighted point, which the pointer,
 * the arrow keys and the table rows all move.
 */
export class ChartController implements ReactiveController {
  /** The charts alive, by chart id. */
  readonly live = new Map<string, LiveChart>()

  private model: ProgressModel | null = null
  private stale = true
  private cursor = new Map<string, { line: number; index: number }>()
  /** True while the keyboard (chart or table row) holds a point, so leaving with the mouse keeps its tooltip. */
  private cursorActive = false
  /** The point whose tooltip shows, from the pointer, the keyboard or a table row. */
  private tip: PointRef | null = null
  /** The tip as last placed over its point, to place it again once it moves. */
  private placed: PointRef | null = null
  private activeRow = ''
  private said = ''

  constructor(
    private readonly host: ChartHost,
    private readonly options: ChartControllerOptions,
  ) {
    host.addController(this)
  }

  /** Draws these charts after the next render, in place of the ones drawn now. */
  draw(model: ProgressModel | null): void {
    this.model = model
    this.stale = true
  }

  /** What the live region says: the point the keyboard moved to. */
  get announcement(): string {
    return this.said
  }

  /** Whether a table row stands for the highlighted point. */
  isActiveRow(chartId: string, line: number, index: number): boolean {
    return this.activeRow === `${chartId}|${line}|${index}`
  }

  hostConnected(): void {
    // Re-attached after a move: the charts were destroyed on disconnect, draw them again.
    this.stale = true
    if (this.host.hasUpdated) this.host.requestUpdate()
  }

  hostDisconnected(): void {
    for (const live of this.live.values()) live.chart.destroy()
    this.live.clear()
  }

  hostUpdated(): void {
    if (this.stale) {
      this.stale = false
      this.sync()
    }
    if (this.tip !== this.placed) {
      this.placed = this.tip
      this.placeTip()
    }
  }

  /** Moves the tooltip (or hides it) and asks the host to render it; the cursor and row went with it. */
  private showTip(tip: PointRef | null): void {
    this.tip = tip
    this.host.requestUpdate()
  }

  private sync(): void {
    const root = this.host.renderRoot as ShadowRoot
    const models = new Map<string, ChartModel>()
    for (const m of this.model?.members ?? []) for (const c of m.charts) models.set(c.id, c)

    for (const [id, live] of this.live) {
      if (!models.has(id) || !live.canvas.isConnected) {
        live.chart.destroy()
        this.live.delete(id)
      }
    }
    if (models.size === 0) {
      if (this.model) this.options.drawn()
      return
    }

    const style = getComputedStyle(this.host)
    const theme = readTheme((p) => style.getPropertyValue(p))
    theme.fontFamily = style.fontFamily || theme.fontFamily
    const rtl = style.direction === 'rtl'
    const { f } = this.options.words()

    for (const [id, model] of models) {
      const canvas = root.querySelector<HTMLCanvasElement>(`canvas[data-chart="${CSS.escape(id)}"]`)
      if (!canvas) continue
      const built = buildChartConfig(model, {
        f,
        theme,
        rtl,
        onPoint: (point) => {
          if (point) this.showTip({ chartId: id, ...point })
          else if (this.tip?.chartId === id && !this.cursorActive) this.showTip(null)
        },
      })
      const live = this.live.get(id)
      if (live && live.canvas === canvas) {
        live.chart.data = built.config.data
        live.chart.options = built.config.options!
        live.built = built
        live.chart.update()
      } else {
        live?.chart.destroy()
        this.live.set(id, { chart: new Chart(canvas, built.config), built, canvas })
      }
    }
    this.options.drawn()
  }

  /** Positions the tooltip over its point through CSSOM (a strict CSP forbids style attributes). */
  private placeTip(): void {
    const tip = this.tip
    if (!tip) return
    const live = this.live.get(tip.chartId)
    const el = this.host.renderRoot.querySelector<HTMLElement>(`.tip[data-chart="${CSS.escape(tip.chartId)}"]`)
    const point = live?.chart.getDatasetMeta(live.built.lineDatasets[tip.line]).data[tip.index]
    if (!live || !el || !point) return
    const width = live.canvas.clientWidth
    const rtl = getComputedStyle(this.host).direction === 'rtl'
    // chart.js gives pixels from the left; the tooltip is placed from the inline start, centred
    // over the point but never past the chart's edges.
    const x = rtl ? width - point.x : point.x
    const start = Math.max(0, Math.min(x - el.offsetWidth / 2, width - el.offsetWidth))
    el.style.setProperty('--tip-x', `${start}px`)
    el.style.setProperty('--tip-y', `${point.y}px`)
    el.style.setProperty('--tip-shift-y', point.y < 60 ? '0.875rem' : 'calc(-100% - 0.75rem)')
  }

  /** Shows one point as if hovered: enlarged, with its tooltip, and announced to screen readers. */
  highlight(chartId: string, line: number, index: number, announce = true): void {
    const live = this.live.get(chartId)
    const model = this.findChart(chartId)
    if (!live || !model) return
    const datasetIndex = live.built.lineDatasets[line]
    if (!live.chart.getDatasetMeta(datasetIndex).data[index]) return
    const active = [{ datasetIndex, index }]
    live.chart.setActiveElements(active)
    live.chart.update()
    this.cursor.set(chartId, { line, index })
    this.cursorActive = true
    this.activeRow = `${chartId}|${line}|${index}`
    if (announce) {
      const { t, f } = this.options.words()
      this.said = pointText(model, line, index, t, f)?.said ?? ''
    }
    this.showTip({ chartId, line, index })
  }

  clearHighlight(chartId: string): void {
    const live = this.live.get(chartId)
    if (!live) return
    live.chart.setActiveElements([])
    live.chart.update()
    this.cursorActive = false
    this.activeRow = ''
    this.showTip(this.tip?.chartId === chartId ? null : this.tip)
  }

  /** The chart got focus: its cursor's point (the latest of the first line at first) lights up, unannounced. */
  focus(chart: ChartModel): void {
    const cur = this.cursor.get(chart.id) ?? { line: 0, index: chart.lines[0].points.length - 1 }
    this.highlight(chart.id, cur.line, cur.index, false)
  }

  /** Arrow keys step through a line in time, Home and End to its ends, up and down to another rater's line. */
  key(event: KeyboardEvent, chart: ChartModel): void {
    const current = this.cursor.get(chart.id) ?? { line: 0, index: chart.lines[0].points.length - 1 }
    let { line, index } = current
    const count = (l: number) => chart.lines[l].points.length
    const rtl = getComputedStyle(this.host).direction === 'rtl'
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

  /** The tooltip of a chart's highlighted point; visual only (screen readers get the live region and the table). */
  renderTip(chart: ChartModel): TemplateResult | typeof nothing {
    const tip = this.tip
    if (!tip || tip.chartId !== chart.id) return nothing
    const { t, f } = this.options.words()
    const words = pointText(chart, tip.line, tip.index, t, f)
    if (!words) return nothing
    return html`<div class="tip" part="tooltip" data-chart=${chart.id} aria-hidden="true">
      <strong>${words.head}</strong>
      ${words.value}
    </div>`
  }

  private findChart(id: string): ChartModel | undefined {
    for (const m of this.model?.members ?? []) for (const c of m.charts) if (c.id === id) return c
    return undefined
  }
}
