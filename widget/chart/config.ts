import type { ChartConfiguration, ChartDataset } from 'chart.js'
import type { Formatters } from '../i18n/index.js'
import { flagLaneHeight, flagLanePlugin, type FlagLaneOptions } from './flag-lane.js'
import type { ChartModel } from './types.js'
import type { ChartTheme } from './theme.js'

/**
 * The chart.js configuration for one chart model. Pure (no DOM): tap tests it without a browser.
 * Drawing order, bottom to top: band, expected range, median, trend lines, series lines.
 */

export type XY = { x: number; y: number }
export type LineConfig = ChartConfiguration<'line', XY[]>

export type DatasetRole = { role: 'series'; line: number } | { role: 'trend'; line: number } | { role: 'band' | 'p25' | 'p50' | 'p75' }

export interface BuiltChart {
  config: LineConfig
  roles: DatasetRole[]
  /** Dataset index of each line, for highlighting a point from the keyboard or the table. */
  lineDatasets: number[]
}

export interface ConfigOptions {
  f: Formatters
  theme: ChartTheme
  rtl?: boolean
  /** Called with the series point under the pointer, or null when there is none. */
  onPoint?: (point: { line: number; index: number } | null) => void
}

export function buildChartConfig(model: ChartModel, options: ConfigOptions): BuiltChart {
  const { f, theme } = options
  const family = model.mode === 'family'
  const datasets: ChartDataset<'line', XY[]>[] = []
  const roles: DatasetRole[] = []
  const xMin = 0.5
  const xMax = Math.max(model.xMax, 1) + 0.5
  const quiet = { pointRadius: 0, pointHoverRadius: 0, pointHitRadius: 0, tension: 0 }

  if (model.band) {
    const reference = model.band.kind === 'reference'
    datasets.push({
      ...quiet,
      label: model.band.label,
      data: [
        { x: xMin, y: model.band.value },
        { x: xMax, y: model.band.value },
      ],
      borderColor: reference ? theme.referenceLine : theme.cutoffLine,
      backgroundColor: reference ? theme.referenceBand : theme.cutoffBand,
      borderWidth: 1.5,
      // The cutoff is a solid line (dashes are the trend's); the family's reference line is dotted, soft.
      borderDash: reference ? [1, 4] : [],
      fill: reference ? 'end' : 'start',
      order: 50,
    })
    roles.push({ role: 'band' })
  }

  if (model.expected) {
    const e = model.expected
    const at = (values: number[]) => e.x.map((x, i) => ({ x, y: values[i] }))
    const p25Index = datasets.length
    datasets.push({ ...quiet, label: 'p25', data: at(e.p25), borderWidth: 0, borderColor: 'transparent', fill: false, order: 40 })
    roles.push({ role: 'p25' })
    datasets.push({
      ...quiet,
      label: 'p75',
      data: at(e.p75),
      borderWidth: 0,
      borderColor: 'transparent',
      backgroundColor: theme.expectedBand,
      fill: p25Index,
      order: 41,
    })
    roles.push({ role: 'p75' })
    datasets.push({
      ...quiet,
      label: 'p50',
      data: at(e.p50),
      borderColor: theme.expectedLine,
      borderWidth: 1.5,
      borderDash: [2, 3],
      fill: false,
      order: 30,
    })
    roles.push({ role: 'p50' })
  }

  model.lines.forEach((line, i) => {
    if (!line.trend) return
    datasets.push({
      ...quiet,
      label: `trend ${line.label}`,
      data: [line.trend.from, line.trend.to],
      borderColor: theme.series[line.colour],
      borderWidth: 2,
      borderDash: [7, 5],
      fill: false,
      order: 20,
    })
    roles.push({ role: 'trend', line: i })
  })

  // Points shrink as they crowd: 24 sessions on a phone still read as a line, not a string of beads.
  const most = Math.max(...model.lines.map((l) => l.points.length))
  const radius = (family ? 6 : 4.5) * (most > 16 ? 0.6 : most > 10 ? 0.8 : 1)
  const lineDatasets: number[] = []
  model.lines.forEach((line, i) => {
    lineDatasets.push(datasets.length)
    const colour = theme.series[line.colour]
    datasets.push({
      label: line.label,
      data: line.points.map((p) => ({ x: p.x, y: p.y })),
      borderColor: colour,
      backgroundColor: colour,
      pointBackgroundColor: colour,
      pointBorderColor: theme.background,
      pointBorderWidth: 1.5,
      borderWidth: family ? 3.5 : 2.5,
      pointStyle: line.shape,
      pointRadius: radius,
      pointHoverRadius: radius + 3,
      pointHitRadius: 14,
      tension: 0,
      fill: false,
      order: 10 - Math.min(i, 9),
    })
    roles.push({ role: 'series', line: i })
  })

  const lane: FlagLaneOptions = {
    markers: model.flags.map((fl) => ({ n: fl.n, x: fl.x, y: fl.y, severity: fl.severity })),
    colours: { alert: theme.alert, warning: theme.warning, notice: theme.notice },
    text: theme.text,
    fontFamily: theme.fontFamily,
  }

  const font = { family: theme.fontFamily, size: family ? 14 : 12 }
  const yStep = model.scaleMax <= 10 ? 2 : 10

  const config: LineConfig = {
    type: 'line',
    data: { datasets },
    plugins: [flagLanePlugin],
    options: {
      responsive: true,
      maintainAspectRatio: false,
      // No animation: nothing moves for people who get dizzy from motion, phones do less work,
      // and a resize or screenshot never catches a half-drawn chart.
      animation: false,
      normalized: true,
      parsing: false,
      layout: { padding: { top: model.flags.length ? flagLaneHeight + 4 : 8, right: 8, left: 0, bottom: 0 } },
      interaction: { mode: 'nearest', intersect: true },
      // The component draws its own tooltip (HTML, also shown for keyboard focus); chart.js only says which point.
      onHover: (_event, elements) => {
        if (!options.onPoint) return
        const hit = elements.find((e) => roles[e.datasetIndex]?.role === 'series')
        const role = hit && roles[hit.datasetIndex]
        options.onPoint(role && role.role === 'series' ? { line: role.line, index: hit.index } : null)
      },
      scales: {
        x: {
          type: 'linear',
          min: xMin,
          max: xMax,
          reverse: !!options.rtl,
          grid: { display: false },
          border: { color: theme.textSubtle },
          ticks: {
            stepSize: 1,
            precision: 0,
            includeBounds: false,
            // Many sessions on a phone: leave labels out evenly rather than tilt them.
            maxRotation: 0,
            autoSkipPadding: 10,
            color: theme.text,
            font,
            callback: (v) => (Number.isInteger(v) && Number(v) >= 1 ? f.integer(Number(v)) : ''),
          },
          title: { display: true, text: model.xTitle, color: theme.text, font },
        },
        y: {
          type: 'linear',
          min: 0,
          max: model.scaleMax,
          position: options.rtl ? 'right' : 'left',
          grid: { color: theme.grid },
          border: { display: false },
          ticks: { stepSize: yStep, color: theme.text, font, callback: (v) => f.integer(Number(v)) },
          title: { display: true, text: model.yTitle, color: theme.text, font },
        },
      },
      plugins: {
        // Registered per chart through `plugins` above; chart.js passes these options to it.
        ...({ framgangFlagLane: lane } as object),
      },
    },
  }
  return { config, roles, lineDatasets }
}
