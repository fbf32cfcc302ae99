import fc from 'fast-check'
import t from 'tap'
import { trendOf, type TrendPoint } from '../../service/domain/trend.js'
import { addDays } from './fixtures/ratings.js'

function pointsOf(totals: readonly number[], gaps: readonly number[] = []): TrendPoint[] {
  let heldOn = '2025-01-06'
  return totals.map((total, index) => {
    if (index > 0) heldOn = addDays(heldOn, gaps[index - 1] ?? 14)
    return { sessionNumber: index + 1, heldOn, total }
  })
}

/** Textbook OLS with deviations from the means: an independent reference for the fast version. */
function referenceSlope(xs: readonly number[], ys: readonly number[]): number {
  const mx = xs.reduce((s, x) => s + x, 0) / xs.length
  const my = ys.reduce((s, y) => s + y, 0) / ys.length
  let sxy = 0
  let sxx = 0
  xs.forEach((x, i) => {
    sxy += (x - mx) * (ys[i] - my)
    sxx += (x - mx) ** 2
  })
  return sxy / sxx
}

const totalsArb = fc.array(fc.integer({ min: 0, max: 400 }), { minLength: 3, maxLength: 40 })
const gapsArb = fc.array(fc.integer({ min: 0, max: 200 }), { minLength: 39, maxLength: 39 })

t.test('no trend below three points', async (t) => {
  t.equal(trendOf([]), null)
  t.equal(trendOf(pointsOf([100])), null)
  t.equal(trendOf(pointsOf([100, 200])), null)
  t.not(trendOf(pointsOf([100, 200, 300])), null)
})

t.test('a straight line is recovered exactly', async (t) => {
  const trend = trendOf(pointsOf([100, 200, 300]))
  t.same(trend, { slopePerSession: 100, slopePer30Days: (100 / 14) * 30, intercept: 0, r2: 1, n: 3 })
})

t.test('slope, intercept and r² of a scattered series', async (t) => {
  // x̄ = 2, ȳ = 200, Sxy = 100, Sxx = 2 → slope 50, intercept 100; SSres 15000 of SStot 20000.
  const trend = trendOf(pointsOf([100, 300, 200]))
  t.equal(trend?.slopePerSession, 50)
  t.equal(trend?.intercept, 100)
  t.ok(Math.abs((trend?.r2 ?? NaN) - 0.25) < 1e-12)
})

t.test('r² is null when every total is equal; the slope is then 0', async (t) => {
  const trend = trendOf(pointsOf([230, 230, 230, 230]))
  t.equal(trend?.r2, null)
  t.equal(trend?.slopePerSession, 0)
  t.equal(trend?.slopePer30Days, 0)
  t.equal(trend?.intercept, 230)
})

t.test('the date axis: per 30 days, null when every point is on one date', async (t) => {
  t.equal(trendOf(pointsOf([100, 200, 300], [0, 0]))?.slopePer30Days, null)
  // Days 0, 10, 40 with totals 100, 200, 300.
  const trend = trendOf(pointsOf([100, 200, 300], [10, 30]))
  t.ok(Math.abs((trend?.slopePer30Days ?? NaN) - referenceSlope([0, 10, 40], [100, 200, 300]) * 30) < 1e-9)
  t.equal(trend?.slopePerSession, 100, 'the session axis ignores the dates')
})

t.test('property: a constant series has slope exactly 0 on both axes', async () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 400 }), fc.integer({ min: 3, max: 60 }), gapsArb, (total, n, gaps) => {
      const trend = trendOf(pointsOf(Array(n).fill(total), [...gaps, ...gaps]))
      return trend !== null && trend.slopePerSession === 0 && (trend.slopePer30Days ?? 0) === 0 && trend.r2 === null
    }),
  )
})

t.test('property: adding a constant moves the intercept by it and leaves the slopes untouched', async () => {
  fc.assert(
    fc.property(totalsArb, fc.integer({ min: -400, max: 400 }), gapsArb, (totals, shift, gaps) => {
      const before = trendOf(pointsOf(totals, gaps))
      const after = trendOf(
        pointsOf(
          totals.map((total) => total + shift),
          gaps,
        ),
      )
      if (before === null || after === null) return false
      return (
        after.slopePerSession === before.slopePerSession &&
        after.slopePer30Days === before.slopePer30Days &&
        Math.abs(after.intercept - (before.intercept + shift)) < 1e-9 &&
        after.r2 === before.r2
      )
    }),
  )
})

t.test('property: agrees with textbook least squares', async () => {
  fc.assert(
    fc.property(totalsArb, gapsArb, (totals, gaps) => {
      const points = pointsOf(totals, gaps)
      const trend = trendOf(points)
      const expected = referenceSlope(
        points.map((p) => p.sessionNumber),
        totals,
      )
      if (trend === null || Math.abs(trend.slopePerSession - expected) > 1e-9) return false
      return trend.r2 === null ? new Set(totals).size === 1 : trend.r2 >= 0 && trend.r2 <= 1
    }),
  )
})
