import type { Catalogue, Formatters } from '../i18n/index.js'
import type { ChartModel } from './types.js'

/**
 * What the tooltip (`head`, `value`) and the live region (`said`) say about a point: the
 * conversation it sits at on the x-axis, with its date, and who rated when the chart has more
 * than one line. Null when there is no such point.
 */
export function pointText(chart: ChartModel, line: number, index: number, t: Catalogue, f: Formatters) {
  const l = chart.lines[line]
  const p = l?.points[index]
  if (!p) return null
  const [n, d, v] = [f.integer(p.x), f.date(p.heldOn), f.score(p.y)]
  return {
    head: `${chart.xTitle} ${n} · ${d}`,
    value: chart.lines.length > 1 ? `${l.label}: ${v}` : v,
    said: t.pointAnnouncement(n, d, v, l.label),
  }
}
