import fc from 'fast-check'
import t from 'tap'
import { applyMinSeries, fitBandModels, storedBandModel } from '../../service/domain/band-models.js'
import { expectedBandModel, referenceCohort, type ReferenceSeries } from '../../service/domain/expected-band.js'

/** Cohorts with many equal intakes and equal changes, where leaving one out is easiest to get wrong. */
const cohortArb = fc
  .array(
    fc.tuple(
      fc.integer({ min: 180, max: 230 }),
      fc.array(
        fc.integer({ min: -30, max: 30 }).map((v) => v * 5),
        { minLength: 2, maxLength: 9 },
      ),
    ),
    { minLength: 0, maxLength: 45 },
  )
  .map((rows) =>
    rows.map(([intake, changes], i): ReferenceSeries => ({ key: `s${i}`, instrument: 'ORS', intake, scores: [intake, ...changes.map((c) => intake + c)] })),
  )

t.test('stored models equal expectedBandModel at every intake, and without each own series', async (t) => {
  fc.assert(
    fc.property(cohortArb, (series) => {
      const cohort = referenceCohort(series)
      const fitted = fitBandModels({ instrument: 'ORS', cohort, withOwn: new Set(series.map((s) => s.key)) })
      for (let intake = 140; intake <= 270; intake++) {
        const expected = expectedBandModel({ intake, cohort, minSeries: 1 })
        if (JSON.stringify(fitted.byIntake.get(intake) ?? null) !== JSON.stringify(expected)) return false
      }
      for (const s of series) {
        const expected = expectedBandModel({ intake: s.intake, cohort, excludeKey: s.key, minSeries: 1 })
        const own = fitted.own.get(s.key)?.model
        if (own === undefined || fitted.own.get(s.key)?.cohortSize !== series.filter((o) => Math.abs(o.intake - s.intake) <= 20).length - 1) return false
        // Bit for bit: the same sums in the same order.
        if (JSON.stringify(own) !== JSON.stringify(expected)) return false
      }
      return true
    }),
    { numRuns: 150 },
  )
  t.pass('150 random cohorts: every intake model and every own model equal')
})

t.test('a fixed cohort: every intake in reach of the window, none beyond', async (t) => {
  const series: ReferenceSeries[] = Array.from({ length: 5 }, (_, i) => ({ key: `k${i}`, instrument: 'ORS', intake: 200, scores: [200, 210 + i, 220 + i] }))
  const fitted = fitBandModels({ instrument: 'ORS', cohort: referenceCohort(series), withOwn: new Set(['k0']) })
  t.same(
    [...fitted.byIntake.keys()].sort((a, b) => a - b),
    Array.from({ length: 41 }, (_, i) => 180 + i),
    'intakes 180–220 (±2 points)',
  )
  t.equal(fitted.byIntake.get(200)?.cohortSize, 5)
  t.same(fitted.own.get('k0'), { cohortSize: 4, model: null }, 'four series left: fewer than 5 points at each session, no fit')
  t.notOk(fitted.own.has('k1'), 'only the series asked for get an own model')
  t.same(fitBandModels({ instrument: 'ORS', cohort: referenceCohort([]) }).byIntake.size, 0, 'no cohort, no models')
})

t.test('the stored model a series uses: its own without itself at the same intake, else its intake model', async (t) => {
  const atIntake = { a25: 1, a50: 2, a75: 3, cohortSize: 40 }
  const ownModel = { a25: 4, a50: 5, a75: 6, cohortSize: 39 }
  t.equal(storedBandModel({ atIntake, own: { intake: 200, model: ownModel } }, 200, 30), ownModel, 'own row at the same intake')
  t.equal(storedBandModel({ atIntake, own: { intake: 190, model: ownModel } }, 200, 30), atIntake, 'intake corrected since: the intake model')
  t.equal(storedBandModel({ atIntake, own: null }, 200, 30), atIntake, 'not a reference series')
  t.equal(storedBandModel({ atIntake, own: { intake: 200, model: null } }, 200, 30), null, 'no fit without itself')
  t.equal(storedBandModel({ atIntake, own: null }, 200, 41), null, 'cohort below expectedBandMinSeries')
  t.equal(storedBandModel({ atIntake, own: null }, 200, 40), atIntake, 'cohort exactly at the minimum')
  t.equal(applyMinSeries(null, 1), null)
})
