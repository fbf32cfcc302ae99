import type { Point } from '../../service/contracts/progress.js'
import type { AnySeries, LineModel } from './types.js'

/**
 * The x-axis of a chart. A series numbers its points within itself (`sessionNumber`), so when
 * one chart draws several series of a member (self-rated plus a parent's, say) their numbers do
 * not line up: a parent's 12th rating may come from the child's 19th conversation. With several
 * series the axis is therefore the member's conversations in this chart: every session (by
 * sessionId) any of its series has a point at, ordered by heldOn, then by first appearance
 * (primary series first), numbered 1..N. A point sits at its session's number, so points from
 * one conversation share an x. With one series the axis is its own session numbers, as before.
 * What names one point (tooltip, announcement, flag list) uses its x, so the number a reader sees
 * is the tick under the point; the tables keep each series' own sessionNumber and, with several
 * series, add the x (see `buildTable`).
 */
export function axisOf(series: AnySeries[]): (p: Point) => number {
  if (series.length < 2) return (p) => p.sessionNumber
  const heldOn = new Map<string, string>()
  for (const s of series) for (const p of s.points) if (!heldOn.has(p.sessionId)) heldOn.set(p.sessionId, p.heldOn)
  // A stable sort: the same day keeps the order of first appearance.
  const order = [...heldOn].sort(([, a], [, b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([id]) => id)
  return (p) => order.indexOf(p.sessionId) + 1
}

/**
 * Where session number k of a line sits on the x-axis: at the line's k-th point; past its latest
 * point, one step per k. The primary line places the expected range this way (it reaches past the
 * latest point), every line its flags and table rows.
 */
export function placeOn(line: LineModel): (k: number) => number {
  const last = line.points[line.points.length - 1]
  return (k) => line.points.find((p) => p.sessionNumber === k)?.x ?? last.x + k - last.sessionNumber
}
