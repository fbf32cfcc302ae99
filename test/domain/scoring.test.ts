import t from 'tap'
import { scoreRating } from '../../service/domain/scoring.js'
import { ORS, YCORS } from './fixtures/instruments.js'

t.test('all items give their sum as the total', async (t) => {
  t.same(scoreRating(ORS, { items: [55, 62, 70, 48], total: null }), { ok: true, items: [55, 62, 70, 48], total: 235 })
  t.same(scoreRating(YCORS, { items: [100], total: null }), { ok: true, items: [100], total: 100 })
  t.same(scoreRating(ORS, { items: [0, 0, 0, 0], total: null }), { ok: true, items: [0, 0, 0, 0], total: 0 })
})

t.test('a total alone is accepted for scores re-keyed from paper', async (t) => {
  t.same(scoreRating(ORS, { items: null, total: 400 }), { ok: true, items: null, total: 400 })
  t.same(scoreRating(ORS, { items: null, total: 401 }), {
    ok: false,
    problems: [{ path: '/total', message: 'must be 0–400 tenths' }],
  })
  t.same(scoreRating(YCORS, { items: null, total: 101 }), {
    ok: false,
    problems: [{ path: '/total', message: 'must be 0–100 tenths' }],
  })
})

t.test('items out of range, fractional tenths or missing are refused, never counted as 0', async (t) => {
  const result = scoreRating(ORS, { items: [100, 101, -1, 5.5], total: null })
  t.same(result.ok ? [] : result.problems.map((p) => p.path), ['/items/1', '/items/2', '/items/3'])
  const short = scoreRating(ORS, { items: [50, 50, 50], total: null })
  t.same(short.ok ? [] : short.problems.map((p) => p.path), ['/items'])
})

t.test('exactly one of items and total', async (t) => {
  t.equal(scoreRating(ORS, { items: [1, 2, 3, 4], total: 10 }).ok, false)
  t.equal(scoreRating(ORS, { items: null, total: null }).ok, false)
})
