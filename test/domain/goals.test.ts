import fc from 'fast-check'
import t from 'tap'
import {
  buildGoalSeries,
  familyGoalStatus,
  goalChange,
  goalNoProgress,
  goalStatus,
  goalTrend,
  GOAL_RELIABLE_CHANGE,
  type GoalPoint,
  type GoalRatingFact,
} from '../../service/domain/goals.js'

const points = (...scores: number[]): GoalPoint[] =>
  scores.map((score, i) => ({ goalRatingId: `r${i}`, sessionId: `s${i}`, sessionNumber: i + 1, heldOn: `2026-0${1 + Math.floor(i / 3)}-1${i % 3}`, score }))

t.test('status from first to latest, at the reliable change of 3 points', async (t) => {
  t.equal(GOAL_RELIABLE_CHANGE, 3, 'the published 2.45 on whole-number scores')
  t.equal(goalStatus(points(4), null), 'not-enough-data', 'one point')
  t.equal(goalStatus(points(10), null), 'reached', 'one point at 10 is reached')
  t.equal(goalStatus(points(2, 4), null), 'no-reliable-change', '+2: below')
  t.equal(goalStatus(points(2, 5), null), 'improved', '+3: at')
  t.equal(goalStatus(points(2, 9), null), 'improved', '+7: above')
  t.equal(goalStatus(points(6, 4), null), 'no-reliable-change', '−2: below')
  t.equal(goalStatus(points(6, 3), null), 'worse', '−3: at')
  t.equal(goalStatus(points(2, 9, 10), null), 'reached', 'latest 10')
  t.equal(goalStatus(points(9, 10), null), 'reached', 'reached however little it moved')
  t.equal(goalStatus(points(10, 9), null), 'no-reliable-change', 'reached before, 9 now: not reached')
  t.equal(goalStatus(points(3, 4), 'achieved'), 'reached', 'ended achieved, whatever was rated last')
  t.equal(goalStatus(points(3), 'achieved'), 'reached', 'ended achieved after one rating')
  t.equal(goalStatus(points(3, 7), 'dropped'), 'improved', 'a dropped goal keeps its movement')
  t.equal(goalStatus(points(2, 4), null, 2), 'improved', 'the reliable change is a setting')
  t.throws(() => goalStatus([], null))
})

t.test('change and trend', async (t) => {
  t.equal(goalChange(points(4)), null)
  t.equal(goalChange(points(4, 2, 8)), 4, 'latest minus first, not the largest step')
  t.equal(goalTrend(points(1, 2)), null, 'no trend below three points')
  t.equal(goalTrend(points(1, 2, 3))?.slopePerSession, 1, 'one point a conversation')
})

t.test('goal-no-progress: from the fourth rated conversation, not reached, moved less than the reliable change', async (t) => {
  t.notOk(goalNoProgress(points(3, 3, 3), 'no-reliable-change', true), 'three conversations: not yet')
  t.ok(goalNoProgress(points(3, 3, 3, 3), 'no-reliable-change', true), 'four, unmoved')
  t.ok(goalNoProgress(points(3, 4, 5, 5), 'no-reliable-change', true), 'four, +2')
  t.notOk(goalNoProgress(points(3, 4, 5, 6), 'improved', true), 'four, +3: moving')
  t.ok(goalNoProgress(points(6, 5, 4, 2), 'worse', true), 'four, going backwards')
  t.notOk(goalNoProgress(points(6, 7, 8, 10), 'reached', true), 'reached')
  t.notOk(goalNoProgress(points(3, 3, 3, 3), 'no-reliable-change', false), 'an ended goal asks nothing')
  t.ok(goalNoProgress(points(3, 3, 3), 'no-reliable-change', true, { reliableChange: 3, noProgressSessions: 3 }), 'the number of conversations is a setting')
})

t.test('family words never say worse', async (t) => {
  t.same((['reached', 'improved', 'no-reliable-change', 'worse', 'not-enough-data'] as const).map(familyGoalStatus), [
    'reached',
    'closer',
    'not-yet',
    'not-yet',
    'just-started',
  ])
})

t.test('series: one per goal, rater and rater member, points by date then creation', async (t) => {
  const r = (
    id: string,
    goalId: string,
    heldOn: string,
    createdAt: string,
    score: number,
    rater: GoalRatingFact['rater'] = 'self',
    raterMemberId: string | null = null,
  ): GoalRatingFact => ({
    goalRatingId: id,
    goalId,
    sessionId: `s-${heldOn}`,
    heldOn,
    createdAt,
    rater,
    raterMemberId,
    score,
  })
  const series = buildGoalSeries([
    r('a3', 'g1', '2026-03-01', '2026-03-01T10:00:00.000Z', 6),
    r('a1', 'g1', '2026-01-01', '2026-01-01T10:00:00.000Z', 2),
    r('b1', 'g1', '2026-01-01', '2026-01-01T10:00:00.000Z', 1, 'parent', 'mor'),
    r('b2', 'g1', '2026-01-01', '2026-01-01T09:00:00.000Z', 1, 'parent', 'far'),
    r('a2', 'g1', '2026-02-01', '2026-02-01T10:00:00.000Z', 4),
    r('c1', 'g0', '2026-02-01', '2026-02-01T10:00:00.000Z', 5),
  ])
  t.same(
    series.map((s) => [s.goalId, s.rater, s.raterMemberId, s.points.map((p) => `${p.sessionNumber}:${p.score}`).join(' ')]),
    [
      ['g0', 'self', null, '1:5'],
      ['g1', 'self', null, '1:2 2:4 3:6'],
      ['g1', 'parent', 'far', '1:1'],
      ['g1', 'parent', 'mor', '1:1'],
    ],
  )
})

t.test('properties: status agrees with the change; reached wins; the order of input does not matter', async () => {
  const score = fc.integer({ min: 0, max: 10 })
  fc.assert(
    fc.property(fc.array(score, { minLength: 1, maxLength: 12 }), fc.constantFrom(null, 'achieved', 'dropped', 'replaced'), (scores, ending) => {
      const p = points(...scores)
      const status = goalStatus(p, ending)
      const change = goalChange(p)
      if (ending === 'achieved' || scores[scores.length - 1] === 10) return status === 'reached'
      if (change === null) return status === 'not-enough-data'
      if (status === 'improved') return change >= 3
      if (status === 'worse') return change <= -3
      return status === 'no-reliable-change' && Math.abs(change) < 3
    }),
  )
  fc.assert(
    fc.property(fc.array(score, { minLength: 1, maxLength: 8 }), fc.integer(), (scores, seed) => {
      const facts = scores.map((s, i): GoalRatingFact => ({
        goalRatingId: `r${i}`,
        goalId: 'g',
        sessionId: `s${i}`,
        heldOn: `2026-01-${String(10 + i).padStart(2, '0')}`,
        createdAt: `2026-01-${String(10 + i).padStart(2, '0')}T00:00:00.000Z`,
        rater: 'self',
        raterMemberId: null,
        score: s,
      }))
      const shuffled = [...facts].sort((a, b) => ((a.goalRatingId.charCodeAt(1) * 31 + seed) % 7) - ((b.goalRatingId.charCodeAt(1) * 31 + seed) % 7))
      return JSON.stringify(buildGoalSeries(shuffled)) === JSON.stringify(buildGoalSeries(facts))
    }),
  )
})
