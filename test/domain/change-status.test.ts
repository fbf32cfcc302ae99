import fc from 'fast-check'
import t from 'tap'
import { changeStatus, jacobsonTruaxCutoff, reliableChangeThreshold, seriesStatus } from '../../service/domain/change-status.js'

// Adult ORS defaults in tenths: cutoff 25.0, reliable change 5.0.
const CUTOFF = 250
const RC = 50

t.test('reliable change: a change equal to the reliable-change value is reliable', async (t) => {
  t.equal(changeStatus(150, 199, CUTOFF, RC), 'no-reliable-change', '+4.9')
  t.equal(changeStatus(150, 200, CUTOFF, RC), 'improved', '+5.0')
  t.equal(changeStatus(150, 201, CUTOFF, RC), 'improved', '+5.1')
  t.equal(changeStatus(300, 251, CUTOFF, RC), 'no-reliable-change', '−4.9')
  t.equal(changeStatus(300, 250, CUTOFF, RC), 'deteriorated', '−5.0')
  t.equal(changeStatus(300, 249, CUTOFF, RC), 'deteriorated', '−5.1')
})

t.test('recovered: reliable improvement from below the cutoff to at or above it', async (t) => {
  t.equal(changeStatus(200, 249, CUTOFF, RC), 'no-reliable-change', 'ends at 24.9 with +4.9')
  t.equal(changeStatus(200, 250, CUTOFF, RC), 'recovered', 'ends exactly on the cutoff with +5.0: 25.0 is not clinical')
  t.equal(changeStatus(200, 251, CUTOFF, RC), 'recovered')

  t.equal(changeStatus(190, 249, CUTOFF, RC), 'improved', 'reliable, but latest 24.9 is still below the cutoff')
  t.equal(changeStatus(190, 250, CUTOFF, RC), 'recovered', 'latest on the cutoff')
  t.equal(changeStatus(190, 251, CUTOFF, RC), 'recovered', 'latest above the cutoff')

  t.equal(changeStatus(249, 299, CUTOFF, RC), 'recovered', 'intake 24.9 is clinical')
  t.equal(changeStatus(250, 300, CUTOFF, RC), 'improved', 'intake on the cutoff is not clinical, so not recovered')
  t.equal(changeStatus(251, 301, CUTOFF, RC), 'improved', 'intake above the cutoff')
})

t.test('without a cutoff nobody is recovered, but change still counts', async (t) => {
  t.equal(changeStatus(100, 300, null, RC), 'improved')
  t.equal(changeStatus(300, 100, null, RC), 'deteriorated')
})

t.test('series status needs two points and a reliable-change value', async (t) => {
  t.equal(seriesStatus([], CUTOFF, RC), 'not-enough-data')
  t.equal(seriesStatus([200], CUTOFF, RC), 'not-enough-data')
  t.equal(seriesStatus([200, 250], CUTOFF, RC), 'recovered')
  t.equal(seriesStatus([200, 250], CUTOFF, null), null, 'no reliable-change value: status has no meaning')
})

t.test('status depends only on intake, latest, cutoff and reliable change', async () => {
  const score = fc.integer({ min: 0, max: 400 })
  fc.assert(
    fc.property(
      score,
      fc.array(score, { maxLength: 12 }),
      fc.array(score, { maxLength: 12 }),
      score,
      fc.option(score, { nil: null }),
      fc.integer({ min: 1, max: 100 }),
      (intake, middle, otherMiddle, latest, cutoff, rc) => {
        const status = seriesStatus([intake, ...middle, latest], cutoff, rc)
        return status === seriesStatus([intake, ...otherMiddle, latest], cutoff, rc) && status === changeStatus(intake, latest, cutoff, rc)
      },
    ),
  )
})

t.test('Jacobson & Truax: the check in docs/rules.md', async (t) => {
  // s0 = 5, M0 = 30 (functional), s1 = 8, M1 = 20 (clinical), r = .90.
  const cutoff = jacobsonTruaxCutoff(5, 30, 8, 20)
  t.ok(Math.abs(cutoff - 26.154) < 0.0005, `c = ${cutoff}`)
  t.equal(cutoff, 340 / 13, 'exactly (5·20 + 8·30) / 13')
  const threshold = reliableChangeThreshold(5, 0.9)
  t.ok(Math.abs(threshold - 4.383) < 0.0005, `1.96·√2·5·√0.1 = ${threshold}`)
  t.ok(Math.abs(reliableChangeThreshold(8, 0.9) - 7.012) < 0.0005, 'with s1 = 8 it would be 7.012: the check uses s = s0')
  t.equal(reliableChangeThreshold(5, 1), 0, 'a perfectly reliable measure makes any change reliable')
})
