import t from 'tap'
import { ageFitErrors, checkRatings, checkSessionDate, ratingKey } from '../../service/domain/rating-rules.js'
import { birthDateErrors, endDateErrors, startDateErrors } from '../../service/domain/family-rules.js'
import { ORS, SRS, YCORS } from './fixtures/instruments.js'

const members = [
  { id: 'adult', birthDate: '1990-05-05' },
  { id: 'child', birthDate: '2020-05-05' },
]
const ctx = { heldOn: '2026-03-01', members, instruments: [ORS, SRS, YCORS], existing: new Set<string>() }

t.test('scores: the scoring rule checks them, in the API’s words and in points', async (t) => {
  const r = checkRatings(
    [
      { memberId: 'adult', instrument: 'ORS', rater: 'self', items: [5, 10.1, 3] },
      { memberId: 'adult', instrument: 'SRS', rater: 'self', total: 40.1 },
    ],
    ctx,
    '/ratings',
  )
  t.same(r.invalid, [
    { path: '/ratings/0/items', message: 'ORS has 4 items, got 3' },
    { path: '/ratings/0/items/1', message: 'an item of ORS is at most 10' },
    { path: '/ratings/1/total', message: 'the total of SRS is at most 40' },
  ])
  const ok = checkRatings([{ memberId: 'adult', instrument: 'ORS', rater: 'self', items: [5.5, 6.1, 7, 4.9] }], ctx, '')
  t.same(ok.invalid, [])
  t.same(ok.errors, [])
  t.same(ok.values, [{ memberId: 'adult', instrument: 'ORS', rater: 'self', raterMemberId: null, items: [55, 61, 70, 49], total: 235, overrideReason: null }])
})

t.test('rules that need the family and the date', async (t) => {
  const r = checkRatings(
    [
      { memberId: 'nobody', instrument: 'ORS', rater: 'self', total: 20 },
      { memberId: 'child', instrument: 'ORS', rater: 'parent', raterMemberId: 'adult', total: 20 },
      { memberId: 'adult', instrument: 'SRS', rater: 'parent', total: 20 },
    ],
    ctx,
    '/ratings',
  )
  t.same(
    r.errors.map((e) => e.path),
    ['/ratings/0/memberId', '/ratings/1/instrument', '/ratings/2/rater'],
  )
  const existing = new Set([ratingKey({ memberId: 'adult', instrument: 'ORS', rater: 'self', raterMemberId: null })])
  t.same(checkRatings([{ memberId: 'adult', instrument: 'ORS', rater: 'self', total: 20 }], { ...ctx, existing }, '').errors, [
    { path: '/0', message: 'this session already has a rating of this member with this instrument by this rater' },
  ])
  t.same(checkSessionDate('2026-03-02', { startedOn: '2025-01-01', endedOn: null }, '2026-03-01'), [
    { path: '/heldOn', message: 'a session cannot be in the future (today is 2026-03-01)' },
  ])
  t.same(checkSessionDate('2026-02-01', { startedOn: '2025-01-01', endedOn: '2026-01-31' }, '2026-03-01'), [
    { path: '/heldOn', message: 'a session cannot be after the family ended (2026-01-31)' },
  ])
  t.same(ageFitErrors([{ heldOn: '2026-03-01', birthDate: '2024-01-01', instrument: 'YCORS', rater: 'self', overrideReason: null }], ctx.instruments), [
    'the member would be under 3 at the session on 2026-03-01, which has a rating',
  ])
})

t.test('family dates', async (t) => {
  t.same(birthDateErrors([{ birthDate: '2026-03-02' }, { birthDate: '1899-12-31' }, { birthDate: '2000-01-01' }], '2026-03-01', '/members'), [
    { path: '/members/0/birthDate', message: 'a birth date cannot be in the future' },
    { path: '/members/1/birthDate', message: 'a birth date before 1900 is not plausible' },
  ])
  t.same(startDateErrors('2026-03-02', '2026-03-01'), [{ path: '/startedOn', message: 'a family cannot start in the future (today is 2026-03-01)' }])
  t.same(
    endDateErrors('2024-12-31', { startedOn: '2025-01-01', lastSessionOn: '2025-06-01' }, '2026-03-01').map((e) => e.message),
    ['a family cannot end before it started (2025-01-01)', 'a family cannot end before its last session (2025-06-01)'],
  )
  t.same(endDateErrors('2025-06-01', { startedOn: '2025-01-01', lastSessionOn: '2025-06-01' }, '2026-03-01'), [])
})
