import type { ExpectedBand, FamilyFlag, FamilyProgress, Flag, Point, Progress, Series, Trend } from '../contracts/progress.js'
import { SCORE_DETAIL_KEYS } from '../domain/flags.js'
import { toPoints, toPointsOrNull } from '../domain/score-units.js'

/**
 * The API edge of the progress payload: the domain computes in tenths, the API answers in
 * points. Computed figures stay unrounded (docs/api.md: rounding is the display's job).
 */
const SCORE_KEYS = new Set<string>(SCORE_DETAIL_KEYS)

export function pointToPoints(p: Point): Point {
  return { ...p, total: toPoints(p.total), items: p.items === null ? null : p.items.map(toPoints) }
}

export function trendToPoints(t: Trend | null): Trend | null {
  return t === null
    ? null
    : { ...t, slopePerSession: toPoints(t.slopePerSession), slopePer30Days: toPointsOrNull(t.slopePer30Days), intercept: toPoints(t.intercept) }
}

function bandToPoints(b: ExpectedBand | null): ExpectedBand | null {
  return b === null ? null : { ...b, p25: b.p25.map(toPoints), p50: b.p50.map(toPoints), p75: b.p75.map(toPoints) }
}

export function flagToPoints<F extends Flag | FamilyFlag>(f: F): F {
  const detail = Object.fromEntries(Object.entries(f.detail).map(([k, v]) => [k, SCORE_KEYS.has(k) && typeof v === 'number' ? toPoints(v) : v]))
  return { ...f, detail }
}

function seriesToPoints(s: Series): Series {
  return {
    ...s,
    points: s.points.map(pointToPoints),
    cutoff: toPointsOrNull(s.cutoff),
    reliableChange: toPointsOrNull(s.reliableChange),
    trend: trendToPoints(s.trend),
    expected: bandToPoints(s.expected),
    flags: s.flags.map(flagToPoints),
  }
}

export function progressToPoints(p: Progress): Progress {
  return {
    ...p,
    members: p.members.map((m) => ({ ...m, series: m.series.map(seriesToPoints) })),
    flags: p.flags.map(flagToPoints),
  }
}

export function familyProgressToPoints(p: FamilyProgress): FamilyProgress {
  return {
    ...p,
    members: p.members.map((m) => ({
      ...m,
      series: m.series.map((s) => ({
        ...s,
        points: s.points.map(pointToPoints),
        trend: trendToPoints(s.trend),
        referenceLine: toPointsOrNull(s.referenceLine),
      })),
    })),
  }
}
