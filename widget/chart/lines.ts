import type { Trend } from '../../service/contracts/progress.js'
import { axisOf } from './axis.js'
import type { AnySeries, ChartInput, LineModel, LinePoint, PointShape } from './types.js'

/** Marker shapes in the order lines get them, so two lines differ by shape as well as colour. */
export const lineShapes: PointShape[] = ['circle', 'rect', 'triangle', 'rectRot']
export const seriesColours = 4

function capitalise(s: string): string {
  return s ? s[0].toLocaleUpperCase() + s.slice(1) : s
}

/** Who a line is: the rater in the coordinator's words, or "you"/"about you" in the family's. */
function lineLabel(s: AnySeries, input: ChartInput): string {
  const { mode, member, aliases, t } = input
  const raterName = s.raterMemberId ? (aliases.get(s.raterMemberId) ?? null) : null
  if (mode === 'family') {
    if (s.rater === 'self') return t.familySelf(member.alias)
    return t.familyAbout(raterName ?? capitalise(t.rater[s.rater]), member.alias)
  }
  return raterName ? t.raterWithName(t.rater[s.rater], raterName) : t.rater[s.rater]
}

/** The trend from a line's first to its latest point: valued at their session numbers, drawn at their x. */
function trendSegment(trend: Trend | null, points: LinePoint[]): LineModel['trend'] {
  if (!trend || points.length < 2) return null
  const at = (p: LinePoint) => ({ x: p.x, y: trend.intercept + trend.slopePerSession * p.sessionNumber })
  return { from: at(points[0]), to: at(points[points.length - 1]) }
}

/** One line per series, in the order given (primary first), each with its colour, shape, points and trend. */
export function linesOf(series: AnySeries[], input: ChartInput): LineModel[] {
  const xOf = axisOf(series)
  return series.map((s, i) => {
    // In time order (the API's order), so arrow keys step to the neighbouring point in time.
    const points = [...s.points]
      .sort((a, b) => a.sessionNumber - b.sessionNumber)
      .map((p) => ({ x: xOf(p), sessionNumber: p.sessionNumber, y: p.total, heldOn: p.heldOn, sessionId: p.sessionId, items: p.items }))
    return {
      key: `${s.rater}:${s.raterMemberId ?? ''}`,
      label: lineLabel(s, input),
      rater: s.rater,
      colour: i % seriesColours,
      shape: lineShapes[i % lineShapes.length],
      points,
      trend: trendSegment(s.trend, points),
    }
  })
}
