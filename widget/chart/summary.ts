import type { Series, Trend } from '../../service/contracts/progress.js'
import type { AnySeries, ChartInput, LineModel } from './types.js'

/** Family words for a trend: up, about level, or down, judged against the scale (¼ point per session on 0–40). */
export function direction(trend: Trend | null, scaleMax: number): 'up' | 'flat' | 'down' | null {
  if (!trend) return null
  const level = scaleMax / 160
  if (trend.slopePerSession > level) return 'up'
  if (trend.slopePerSession < -level) return 'down'
  return 'flat'
}

export interface SummaryInput {
  /** The primary (self-rated first) series and its line. */
  primary: AnySeries
  line: LineModel
  scaleMax: number
  cutoff: number | null
  /** How many flags the chart marks. */
  flags: number
}

/**
 * The chart's text alternative, its figure caption: for families who, how many times, the
 * latest score and the direction in plain words; for coordinators also the period, the cutoff,
 * the status (returned on its own for the chart's heading too), the trend and the flag count.
 */
export function summaryOf(input: ChartInput, chart: SummaryInput): { summary: string; status: string | null } {
  const { mode, kind, instrument, member, t, f } = input
  const { primary, line, scaleMax, cutoff } = chart
  const latest = line.points[line.points.length - 1]
  const first = line.points[0]
  const count = t.sessions(line.points.length, f.integer(line.points.length))
  if (mode === 'family') {
    const dir = direction(primary.trend, scaleMax)
    const summary = t.familySummary({
      who: line.label,
      count,
      latest: f.score(latest.y),
      max: f.integer(scaleMax),
      date: f.date(latest.heldOn),
      trend: dir ? t.familyTrend[dir] : null,
    })
    return { summary, status: null }
  }
  const s = primary as Series
  const status = s.status ? t.status[s.status] : null
  const summary = t.summary({
    who: member.alias,
    instrument: primary.rater === 'self' ? instrument : `${instrument} (${line.label})`,
    count,
    first: f.date(first.heldOn),
    last: f.date(latest.heldOn),
    latest: f.score(latest.y),
    max: f.integer(scaleMax),
    cutoff: cutoff === null ? null : t.cutoffIs[kind](f.decimal(cutoff)),
    status,
    trend: s.trend ? t.trendText(f.signed(s.trend.slopePerSession, 2), s.trend.slopePer30Days === null ? null : f.signed(s.trend.slopePer30Days, 2)) : null,
    flags: chart.flags,
  })
  return { summary, status }
}
