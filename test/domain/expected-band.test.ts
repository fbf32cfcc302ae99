import fc from 'fast-check'
import t from 'tap'
import {
  bandAt,
  expectedBand,
  expectedBandModel,
  percentile,
  referenceCohort,
  referenceIndex,
  referenceSeriesOf,
  type ReferenceSeries,
} from '../../service/domain/expected-band.js'
import { seriesOf } from './fixtures/ratings.js'

let nextKey = 0
function reference(scores: readonly number[], instrument = 'ORS'): ReferenceSeries {
  return { key: `ref-${nextKey++}`, instrument, intake: scores[0], scores }
}

/** `count` series starting at `intake` whose change at session k is `change(k, i)`. */
function cohortOf(count: number, intake: number, length: number, change: (k: number, i: number) => number): ReferenceSeries[] {
  return Array.from({ length: count }, (_, i) => reference(Array.from({ length }, (_, index) => (index === 0 ? intake : intake + change(index + 1, i)))))
}

/** A slow, obviously correct version of the band model to compare with. */
function naiveModel(intake: number, cohort: readonly ReferenceSeries[], minSeries: number) {
  const members = cohort.filter((s) => Math.abs(s.intake - intake) <= 20 && s.scores.length >= 3)
  if (members.length < minSeries || members.length === 0) return null
  const maxK = Math.max(...members.map((s) => s.scores.length))
  const a = { 25: [0, 0], 50: [0, 0], 75: [0, 0] } as Record<25 | 50 | 75, [number, number]>
  let any = false
  for (let k = 2; k <= maxK; k++) {
    const values = members.filter((s) => s.scores.length >= k).map((s) => s.scores[k - 1] - s.intake)
    if (values.length < 5) continue
    any = true
    values.sort((x, y) => x - y)
    for (const q of [25, 50, 75] as const) {
      const h = ((values.length - 1) * q) / 100
      const lo = Math.floor(h)
      const v = values[lo] + (h - lo) * ((values[lo + 1] ?? values[lo]) - values[lo])
      a[q][0] += values.length * Math.log(k) * v
      a[q][1] += values.length * Math.log(k) ** 2
    }
  }
  if (!any) return null
  return { a25: a[25][0] / a[25][1], a50: a[50][0] / a[50][1], a75: a[75][0] / a[75][1], cohortSize: members.length }
}

t.test('percentile interpolates between order statistics (R type 7)', async (t) => {
  t.equal(percentile([1, 2, 3, 4], 25), 1.75)
  t.equal(percentile([1, 2, 3, 4], 50), 2.5)
  t.equal(percentile([1, 2, 3, 4], 75), 3.25)
  t.equal(percentile([1, 2, 3, 4], 0), 1)
  t.equal(percentile([1, 2, 3, 4], 100), 4)
  t.equal(percentile([7], 25), 7)
  t.equal(percentile([0, 10, 20, 30, 40, 50, 60, 70, 80, 90], 25), 22.5)
  t.throws(() => percentile([], 50))
})

t.test('the cohort is the series with intake within ±2.0 points, inclusive', async (t) => {
  const filler = cohortOf(10, 200, 4, (k) => 10 * k)
  const edges = [179, 180, 220, 221].map((intake) => reference([intake, intake + 10, intake + 20]))
  const model = expectedBandModel({ intake: 200, cohort: [...filler, ...edges], minSeries: 1 })
  t.equal(model?.cohortSize, 12, '18.0 and 22.0 are in, 17.9 and 22.1 are out')
  const sorted = expectedBandModel({ intake: 200, cohort: referenceCohort([...edges, ...filler]), minSeries: 1 })
  t.same(sorted, model, 'a prebuilt sorted cohort gives the same model')
})

t.test('the series itself is left out of its own cohort', async (t) => {
  const cohort = cohortOf(30, 200, 4, (k) => 10 * k)
  t.equal(expectedBandModel({ intake: 200, cohort, minSeries: 30 })?.cohortSize, 30)
  t.equal(expectedBandModel({ intake: 200, cohort, excludeKey: cohort[3].key, minSeries: 30 }), null, '29 others are too few')
})

t.test('series with fewer than three points are not reference series', async (t) => {
  const cohort = [...cohortOf(5, 200, 3, () => 10), reference([200, 210])]
  t.equal(expectedBandModel({ intake: 200, cohort, minSeries: 1 })?.cohortSize, 5)
  t.equal(referenceSeriesOf(seriesOf([200, 210])), null)
  t.same(
    referenceSeriesOf(seriesOf([200, 210, 230]), () => 'opaque'),
    {
      key: 'opaque',
      instrument: 'ORS',
      intake: 200,
      scores: [200, 210, 230],
    },
  )
})

t.test('a band needs expectedBandMinSeries series: 29 → none, 30 → a band', async (t) => {
  const thirty = cohortOf(30, 200, 5, (k, i) => i + k)
  t.equal(expectedBand({ intake: 200, latestSessionNumber: 3, cohort: thirty.slice(0, 29), minSeries: 30 }), null)
  t.not(expectedBand({ intake: 200, latestSessionNumber: 3, cohort: thirty, minSeries: 30 }), null)
  t.not(expectedBand({ intake: 200, latestSessionNumber: 3, cohort: thirty.slice(0, 31), minSeries: 30 }), null, '31')
})

t.test('a session number counts only with at least five cohort points', async (t) => {
  t.equal(expectedBandModel({ intake: 200, cohort: cohortOf(4, 200, 3, () => 10), minSeries: 1 }), null, '4 points at every k')
  t.not(expectedBandModel({ intake: 200, cohort: cohortOf(5, 200, 3, () => 10), minSeries: 1 }), null, '5 points')
  // Five long series and four even longer ones: k = 6 has only the four, so it must not count.
  const cohort = [...cohortOf(5, 200, 5, (k) => Math.round(100 * Math.log(k))), ...cohortOf(4, 200, 6, (k) => (k === 6 ? -300 : Math.round(100 * Math.log(k))))]
  const model = expectedBandModel({ intake: 200, cohort, minSeries: 1 })
  t.ok(model && Math.abs(model.a50 - 100) < 0.5, `a50 ≈ 100 (${model?.a50}), untouched by k = 6`)
})

t.test('the fit is weighted least squares of a·ln k through the origin', async (t) => {
  // Ten series reach k = 3, five of them k = 4. Changes: +10 at k = 2, +20 at k = 3, +40 at k = 4.
  const cohort = [...cohortOf(5, 200, 3, (k) => 10 * 2 ** (k - 2)), ...cohortOf(5, 200, 4, (k) => 10 * 2 ** (k - 2))]
  const model = expectedBandModel({ intake: 200, cohort, minSeries: 1 })
  const [l2, l3, l4] = [Math.log(2), Math.log(3), Math.log(4)]
  const a = (10 * l2 * 10 + 10 * l3 * 20 + 5 * l4 * 40) / (10 * l2 ** 2 + 10 * l3 ** 2 + 5 * l4 ** 2)
  t.ok(model && Math.abs(model.a50 - a) < 1e-9 && model.a25 === model.a50 && model.a75 === model.a50)
})

t.test('the band runs from the intake at session 1 to max(10, latest + 2)', async (t) => {
  const cohort = cohortOf(30, 200, 6, (k, i) => 20 * Math.log(k) + i)
  for (const [latest, length] of [
    [1, 10],
    [8, 10],
    [9, 11],
    [12, 14],
  ]) {
    const band = expectedBand({ intake: 205, latestSessionNumber: latest, cohort, minSeries: 30 })
    t.same(
      band?.sessionNumbers,
      Array.from({ length }, (_, i) => i + 1),
      `latest ${latest}`,
    )
    t.same([band?.p25[0], band?.p50[0], band?.p75[0]], [205, 205, 205], 'session 1 is the intake')
  }
  const band = expectedBand({ intake: 205, latestSessionNumber: 4, cohort, minSeries: 30 })
  const model = expectedBandModel({ intake: 205, cohort, minSeries: 30 })
  t.ok(band && model && Math.abs((bandAt(band, 7)?.p50 ?? NaN) - (205 + model.a50 * Math.log(7))) < 1e-9)
  t.equal(band && bandAt(band, 11), null, 'beyond the band')
  t.equal(band?.cohortSize, 30)
})

const cohortArb = fc.array(
  fc
    .tuple(fc.integer({ min: 150, max: 250 }), fc.array(fc.integer({ min: -100, max: 150 }), { minLength: 2, maxLength: 12 }))
    .map(([intake, changes]) => reference([intake, ...changes.map((c) => Math.min(400, Math.max(0, intake + c)))])),
  { maxLength: 80 },
)

t.test('property: the model matches a naive implementation, sorted cohort or not', async () => {
  fc.assert(
    fc.property(cohortArb, fc.integer({ min: 150, max: 250 }), fc.integer({ min: 0, max: 40 }), (cohort, intake, minSeries) => {
      const expected = naiveModel(intake, cohort, minSeries)
      const fromArray = expectedBandModel({ intake, cohort, minSeries })
      const fromIndex = expectedBandModel({ intake, cohort: referenceIndex(cohort).get('ORS') ?? [], minSeries })
      if (expected === null) return fromArray === null && fromIndex === null
      const close = (x: number, y: number) => Math.abs(x - y) < 1e-9
      return [fromArray, fromIndex].every(
        (model) =>
          model !== null &&
          close(model.a25, expected.a25) &&
          close(model.a50, expected.a50) &&
          close(model.a75, expected.a75) &&
          model.cohortSize === expected.cohortSize,
      )
    }),
  )
})

t.test('property: p25 ≤ p50 ≤ p75 at every session number', async () => {
  fc.assert(
    fc.property(cohortArb, fc.integer({ min: 150, max: 250 }), fc.integer({ min: 1, max: 20 }), (cohort, intake, latest) => {
      const band = expectedBand({ intake, latestSessionNumber: latest, cohort, minSeries: 1 })
      return band === null || band.sessionNumbers.every((_, i) => band.p25[i] <= band.p50[i] && band.p50[i] <= band.p75[i])
    }),
  )
})

t.test('property: no band below the minimum number of series', async () => {
  fc.assert(
    fc.property(cohortArb, fc.integer({ min: 150, max: 250 }), (cohort, intake) => {
      const inWindow = cohort.filter((s) => Math.abs(s.intake - intake) <= 20).length
      return expectedBand({ intake, latestSessionNumber: 3, cohort, minSeries: inWindow + 1 }) === null
    }),
  )
})

t.test('fast enough for a municipality: thousands of reference series', async (t) => {
  const rng = fc.sample(fc.integer({ min: 0, max: 1_000_000 }), { numRuns: 1, seed: 42 })[0]
  let state = rng
  const random = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
  const big = Array.from({ length: 5000 }, () => {
    const intake = Math.round(100 + random() * 200)
    const length = 3 + Math.floor(random() * 15)
    return reference(Array.from({ length }, (_, i) => Math.min(400, intake + Math.round(i * 8 * random()))))
  })
  const index = referenceIndex(big)
  const cohort = index.get('ORS')
  const started = performance.now()
  for (let intake = 100; intake <= 300; intake++) {
    expectedBand({ intake, latestSessionNumber: 6, cohort: cohort ?? [], minSeries: 30 })
  }
  const elapsed = performance.now() - started
  t.ok(elapsed < 2000, `201 bands over 5000 series in ${elapsed.toFixed(0)} ms`)
})
