import type { IsoDate } from '../contracts/common.js'
import type { Trend } from '../contracts/progress.js'
import { daysBetween } from './calendar.js'

export interface TrendPoint {
  readonly sessionNumber: number
  readonly heldOn: IsoDate
  readonly total: number
}

/** Fewer points than this give no trend line: two points only ever show their own difference. */
export const MIN_TREND_POINTS = 3

interface LeastSquares {
  /** null when every x is equal (no line can be fitted on that axis). */
  readonly slope: number | null
  readonly intercept: number | null
  /** null when every y is equal: the line explains nothing because there is nothing to explain. */
  readonly r2: number | null
}

/**
 * Ordinary least squares of y on x.
 *
 * Works with the n-scaled sums n·Σxy − Σx·Σy etc. instead of deviations from the means: with
 * integer x (session numbers, days) and integer y (tenths) those sums are exact integers, so a
 * constant series has slope exactly 0 and adding a constant to every score leaves the slope
 * bit-for-bit unchanged.
 */
function leastSquares(xs: readonly number[], ys: readonly number[]): LeastSquares {
  const n = xs.length
  let sumX = 0
  let sumY = 0
  let sumXX = 0
  let sumXY = 0
  let sumYY = 0
  for (let i = 0; i < n; i++) {
    const x = xs[i]
    const y = ys[i]
    sumX += x
    sumY += y
    sumXX += x * x
    sumXY += x * y
    sumYY += y * y
  }
  const spreadX = n * sumXX - sumX * sumX
  const spreadY = n * sumYY - sumY * sumY
  const covariance = n * sumXY - sumX * sumY
  if (spreadX === 0) return { slope: null, intercept: null, r2: null }
  const slope = covariance / spreadX
  const intercept = (sumY - slope * sumX) / n
  // When the fit is perfect the two integer products are equal, round alike, and r² is exactly 1.
  const r2 = spreadY === 0 ? null : (covariance * covariance) / (spreadX * spreadY)
  return { slope, intercept, r2 }
}

/**
 * The trend line of one series: total on session number, plus the slope on the date axis
 * (per 30 days), because conversations over five years are irregular. Null below three points.
 */
export function trendOf(points: readonly TrendPoint[]): Trend | null {
  const n = points.length
  if (n < MIN_TREND_POINTS) return null
  const totals = points.map((point) => point.total)
  const bySession = leastSquares(
    points.map((point) => point.sessionNumber),
    totals,
  )
  const first = points[0].heldOn
  const byDate = leastSquares(
    points.map((point) => daysBetween(first, point.heldOn)),
    totals,
  )
  // Session numbers are 1..n, so this axis always has spread once n ≥ 2.
  if (bySession.slope === null || bySession.intercept === null) {
    throw new Error('Session numbers of a series must differ')
  }
  return {
    slopePerSession: bySession.slope,
    slopePer30Days: byDate.slope === null ? null : byDate.slope * 30,
    intercept: bySession.intercept,
    r2: bySession.r2,
    n,
  }
}
