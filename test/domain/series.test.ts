import t from 'tap'
import fc from 'fast-check'
import { buildSeries, seriesIntakes, type RatingFact } from '../../service/domain/series.js'
import { ratingsOf, uuid } from './fixtures/ratings.js'

const mother = uuid(1)
const child = uuid(2)
const father = uuid(3)

t.test('a series is one member, instrument, rater and rater member', async (t) => {
  const ratings: RatingFact[] = [
    ...ratingsOf([200, 210], { memberId: child, instrument: 'CORS', idBase: 100 }),
    ...ratingsOf([250, 260], {
      memberId: child,
      instrument: 'CORS',
      rater: 'parent',
      raterMemberId: mother,
      idBase: 200,
    }),
    ...ratingsOf([240], { memberId: child, instrument: 'CORS', rater: 'parent', raterMemberId: father, idBase: 300 }),
    ...ratingsOf([300, 310, 320], { memberId: child, instrument: 'CSRS', idBase: 400 }),
  ]
  const series = buildSeries(ratings)
  t.equal(series.length, 4, 'two parents are two series; alliance is its own series')
  t.same(
    series.map((s) => [s.instrument, s.rater, s.raterMemberId, s.points.length]),
    [
      ['CORS', 'self', null, 2],
      ['CORS', 'parent', mother, 2],
      ['CORS', 'parent', father, 1],
      ['CSRS', 'self', null, 3],
    ],
    'ordered by instrument code, then self first, then rater member',
  )
})

t.test('points are numbered by date, then creation, within their own series', async (t) => {
  const [a, b, c] = ratingsOf([100, 200, 300], { memberId: child, instrument: 'CORS' })
  const sameDayEarlier = {
    ...c,
    ratingId: uuid(9),
    heldOn: b.heldOn,
    createdAt: `${b.heldOn}T08:00:00.000000Z`,
    total: 150,
  }
  const series = buildSeries([c, b, sameDayEarlier, a])
  t.same(
    series[0].points.map((p) => [p.sessionNumber, p.total]),
    [
      [1, 100],
      [2, 150],
      [3, 200],
      [4, 300],
    ],
  )
})

t.test('a child absent from a conversation has no point for it: numbers are per series', async (t) => {
  const sessions = [uuid(50), uuid(51), uuid(52)]
  const series = buildSeries([
    // The family meets every 14 days; the child is there on the first and third occasion only.
    ...ratingsOf([250, 260, 270], { memberId: mother, sessionIds: sessions, everyDays: 14, idBase: 100 }),
    ...ratingsOf([200, 220], {
      memberId: child,
      instrument: 'CORS',
      sessionIds: [sessions[0], sessions[2]],
      everyDays: 28,
      idBase: 200,
    }),
  ])
  const childSeries = series.find((s) => s.memberId === child)
  t.same(
    childSeries?.points.map((p) => [p.sessionId, p.sessionNumber]),
    [
      [sessions[0], 1],
      [sessions[2], 2],
    ],
  )
})

t.test('series order follows the given member and instrument order', async (t) => {
  const ratings = [
    ...ratingsOf([200], { memberId: mother, instrument: 'SRS', idBase: 100 }),
    ...ratingsOf([200], { memberId: mother, instrument: 'ORS', idBase: 200 }),
    ...ratingsOf([200], { memberId: child, instrument: 'CORS', idBase: 300 }),
  ]
  const ordered = buildSeries(ratings, { memberOrder: [child, mother], instrumentOrder: ['ORS', 'CORS', 'SRS'] })
  t.same(
    ordered.map((s) => [s.memberId, s.instrument]),
    [
      [child, 'CORS'],
      [mother, 'ORS'],
      [mother, 'SRS'],
    ],
  )
  const byId = buildSeries(ratings)
  t.same(
    byId.map((s) => [s.memberId, s.instrument]),
    [
      [mother, 'ORS'],
      [mother, 'SRS'],
      [child, 'CORS'],
    ],
    'without an order: member id, then instrument code',
  )
})

t.test('the output does not depend on the order the ratings come in', async (t) => {
  const ratings = [
    ...ratingsOf([200, 210, 220], { memberId: mother, idBase: 100 }),
    ...ratingsOf([250, 260], { memberId: child, instrument: 'CORS', rater: 'teacher', idBase: 200 }),
  ]
  t.same(buildSeries([...ratings].reverse()), buildSeries(ratings))
})

t.test('seriesIntakes gives each series the first point buildSeries gives it, in any input order', async (t) => {
  const members = [mother, child, father]
  const rating = fc.record({
    member: fc.integer({ min: 0, max: 2 }),
    instrument: fc.constantFrom('ORS', 'SRS'),
    rater: fc.constantFrom<'self' | 'parent'>('self', 'parent'),
    day: fc.integer({ min: 1, max: 5 }),
    minute: fc.integer({ min: 0, max: 3 }),
    total: fc.integer({ min: 0, max: 400 }),
  })
  fc.assert(
    fc.property(fc.array(rating, { minLength: 0, maxLength: 30 }), (drawn) => {
      const ratings: RatingFact[] = drawn.map((d, i) => ({
        ratingId: uuid(1000 + i),
        sessionId: uuid(2000 + d.day),
        heldOn: `2026-01-0${d.day}`,
        createdAt: `2026-01-0${d.day}T10:0${d.minute}:00.000Z`,
        memberId: members[d.member],
        instrument: d.instrument,
        rater: d.rater,
        raterMemberId: d.rater === 'parent' ? mother : null,
        items: null,
        total: d.total,
      }))
      const expected = buildSeries(ratings).map((s) => ({
        memberId: s.memberId,
        instrument: s.instrument,
        rater: s.rater,
        raterMemberId: s.raterMemberId,
        intake: s.points[0].total,
      }))
      const byKey = (x: { memberId: string; instrument: string; rater: string; raterMemberId: string | null }) =>
        `${x.memberId}${x.instrument}${x.rater}${x.raterMemberId}`
      const sorted = <T extends Parameters<typeof byKey>[0]>(xs: T[]) => [...xs].sort((a, b) => (byKey(a) < byKey(b) ? -1 : 1))
      t.same(sorted(seriesIntakes(ratings)), sorted(expected))
      t.same(sorted(seriesIntakes([...ratings].reverse())), sorted(expected))
    }),
    { numRuns: 200 },
  )
})
