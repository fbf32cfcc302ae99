import fc from 'fast-check'
import t from 'tap'
import {
  buildSession,
  emptyDraft,
  fieldForPointer,
  isValidIsoDate,
  parsePointer,
  parseTotal,
  participantsOn,
  syncRatings,
  type SessionDraft,
} from '../../widget/form/session-draft.js'
import { localize } from '../../widget/i18n/index.js'
import { instrumentOn } from '../../widget/instruments.js'
import { family, ids } from './fixtures.js'

const { t: nb } = localize('nb')

t.test('age on the session date, by calendar fields', async (t) => {
  // The age the form gives a member on the session date.
  const ageOn = (birthDate: string, on: string) => participantsOn([{ id: ids.kari, alias: 'Kari', role: 'adult', birthDate }], on)[0].age
  t.equal(ageOn('2013-05-10', '2026-05-09'), 12, 'the day before the birthday')
  t.equal(ageOn('2013-05-10', '2026-05-10'), 13, 'on the birthday')
  t.equal(ageOn('2016-02-29', '2027-02-28'), 10, 'leap-day birthday not yet reached on 28 February')
  t.equal(ageOn('2016-02-29', '2027-03-01'), 11, '…reached on 1 March')
  t.equal(ageOn('2016-02-29', '2028-02-29'), 12)
  t.equal(ageOn('bad', '2026-01-01'), null)
})

t.test('the instrument follows the age group (ORS 13+, CORS 6–12, YCORS 3–5; none under 3)', async (t) => {
  const at = (age: number) => [instrumentOn('outcome', age)?.code ?? null, instrumentOn('alliance', age)?.code ?? null]
  t.same(at(2), [null, null])
  t.same(at(3), ['YCORS', 'YCSRS'])
  t.same(at(5), ['YCORS', 'YCSRS'])
  t.same(at(6), ['CORS', 'CSRS'])
  t.same(at(12), ['CORS', 'CSRS'])
  t.same(at(13), ['ORS', 'SRS'])
  t.same(at(17), ['ORS', 'SRS'])
  t.same(at(18), ['ORS', 'SRS'])
  t.same(at(80), ['ORS', 'SRS'])
})

const today = '2026-11-30'
const fam = family(new Date(Date.UTC(2026, 10, 30)))

function draftWith(change: Partial<SessionDraft>): SessionDraft {
  const d = { ...emptyDraft(today), ...change }
  d.ratings = syncRatings(d, fam.members)
  return d
}

t.test('participants get instruments from their age; a one-year-old gets none', async (t) => {
  const people = participantsOn(fam.members, today)
  t.same(
    people.map((p) => [p.member.alias, p.age, p.outcome?.code ?? null, p.alliance?.code ?? null]),
    [
      ['Kari', 38, 'ORS', 'SRS'],
      ['Sara', 13, 'ORS', 'SRS'],
      ['Emma', 9, 'CORS', 'CSRS'],
      ['Jonas', 4, 'YCORS', 'YCSRS'],
      ['Lille', 1, null, null],
    ],
  )
})

t.test('the body: outcome ratings first, then alliance; items or a paper total', async (t) => {
  const d = draftWith({ participants: [ids.kari, ids.jonas], note: '  Hjemme hos familien.  ' })
  d.ratings[`${ids.kari}.outcome`] = { ...d.ratings[`${ids.kari}.outcome`], items: [4.1, 5.2, 6.3000000001, 7] }
  d.ratings[`${ids.jonas}.outcome`] = { ...d.ratings[`${ids.jonas}.outcome`], mode: 'total', total: '7,5' }
  d.ratings[`${ids.kari}.alliance`] = { ...d.ratings[`${ids.kari}.alliance`], items: [9, 9.5, 8.8, 9.1] }
  d.ratings[`${ids.jonas}.alliance`] = { ...d.ratings[`${ids.jonas}.alliance`], mode: 'skip' }
  const built = buildSession(d, fam.members, today, nb)
  t.ok(built.ok)
  if (!built.ok) return
  t.same(built.value.body, {
    heldOn: today,
    kind: 'home-visit',
    note: 'Hjemme hos familien.',
    ratings: [
      { memberId: ids.kari, instrument: 'ORS', rater: 'self', items: [4.1, 5.2, 6.3, 7] },
      { memberId: ids.jonas, instrument: 'YCORS', rater: 'self', total: 7.5 },
      { memberId: ids.kari, instrument: 'SRS', rater: 'self', items: [9, 9.5, 8.8, 9.1] },
    ],
  })
  t.same(built.value.ratingKeys, [`${ids.kari}.outcome`, `${ids.jonas}.outcome`, `${ids.kari}.alliance`])
})

t.test('a slider nobody moved is an error, never a 0 or a 5', async (t) => {
  const d = draftWith({ participants: [ids.emma] })
  d.ratings[`${ids.emma}.outcome`].items = [6, null, 7, 8]
  d.ratings[`${ids.emma}.alliance`].mode = 'skip'
  const built = buildSession(d, fam.members, today, nb)
  t.notOk(built.ok)
  if (built.ok) return
  t.same(built.errors, [{ field: `${ids.emma}.outcome.item.1`, message: nb.errorRequired }])
})

t.test('date, participants and paper totals are checked before sending', async (t) => {
  const none = buildSession(draftWith({ heldOn: '2026-12-01' }), fam.members, today, nb)
  t.notOk(none.ok)
  if (!none.ok)
    t.same(
      none.errors.map((e) => e.field),
      ['heldOn', 'participants'],
    )
  const bad = buildSession(draftWith({ heldOn: '2026-02-30' }), fam.members, today, nb)
  if (!bad.ok) t.equal(bad.errors[0].message, nb.errorDate)
  const d = draftWith({ participants: [ids.kari] })
  d.ratings[`${ids.kari}.outcome`] = { ...d.ratings[`${ids.kari}.outcome`], mode: 'total', total: '40,1' }
  d.ratings[`${ids.kari}.alliance`].mode = 'skip'
  const over = buildSession(d, fam.members, today, nb)
  t.notOk(over.ok)
  if (!over.ok) t.same(over.errors, [{ field: `${ids.kari}.outcome.total`, message: nb.errorTotal('40') }])
  const opened = draftWith({ participants: [ids.kari] })
  opened.ratings[`${ids.kari}.outcome`].mode = 'skip'
  opened.ratings[`${ids.kari}.alliance`].mode = 'skip'
  const empty = buildSession(opened, fam.members, today, nb)
  t.ok(empty.ok, 'a session with every rating left for later has an empty ratings list')
  if (empty.ok) t.same(empty.value.body.ratings, [])
})

t.test('paper totals: comma or point, one decimal, within the scale', async (t) => {
  t.equal(parseTotal('23,5', 40), 23.5)
  t.equal(parseTotal(' 23.5 ', 40), 23.5)
  t.equal(parseTotal('40', 40), 40)
  t.equal(parseTotal('0', 40), 0)
  t.equal(parseTotal('40,1', 40), null)
  t.equal(parseTotal('23,55', 40), null)
  t.equal(parseTotal('-1', 40), null)
  t.equal(parseTotal('', 40), null)
  t.equal(parseTotal('abc', 40), null)
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 400 }), (tenths) => {
      const text = (tenths / 10).toFixed(1).replace('.', ',')
      return parseTotal(text, 40) === tenths / 10
    }),
  )
})

t.test('a date change that makes a child 13 swaps CORS for ORS and clears what was entered', async (t) => {
  const members = [{ id: ids.sara, alias: 'Sara', role: 'child' as const, birthDate: '2013-12-15' }]
  const before = { ...emptyDraft('2026-12-14'), participants: [ids.sara] }
  before.ratings = syncRatings(before, members)
  before.ratings[`${ids.sara}.outcome`].items = [5, 5, 5, 5]
  t.equal(before.ratings[`${ids.sara}.outcome`].instrument, 'CORS')
  const same = syncRatings({ ...before, heldOn: '2026-12-13' }, members)
  t.same(same[`${ids.sara}.outcome`].items, [5, 5, 5, 5], 'kept while the instrument is the same')
  const after = syncRatings({ ...before, heldOn: '2026-12-15' }, members)
  t.equal(after[`${ids.sara}.outcome`].instrument, 'ORS')
  t.same(after[`${ids.sara}.outcome`].items, [null, null, null, null])
})

t.test('API error paths (JSON pointers) land on the field they name', async (t) => {
  const keys = [`${ids.kari}.outcome`, `${ids.emma}.outcome`, `${ids.kari}.alliance`]
  t.equal(fieldForPointer('/ratings/1/items/2', keys), `${ids.emma}.outcome.item.2`)
  t.equal(fieldForPointer('/ratings/0/total', keys), `${ids.kari}.outcome.total`)
  t.equal(fieldForPointer('/ratings/2/instrument', keys), `${ids.kari}.alliance`)
  t.equal(fieldForPointer('/ratings/2', keys), `${ids.kari}.alliance`)
  t.equal(fieldForPointer('/ratings/1/items', keys), `${ids.emma}.outcome`)
  t.equal(fieldForPointer('/ratings', keys), 'participants')
  t.equal(fieldForPointer('/heldOn', keys), 'heldOn')
  t.equal(fieldForPointer('/note', keys), 'note')
  t.equal(fieldForPointer('/ratings/9/items/0', keys), 'form', 'an index the form did not send')
  t.equal(fieldForPointer('', keys), 'form')
  t.equal(fieldForPointer('/unknown', keys), 'form')
  t.same(parsePointer('/a~1b/c~0d'), ['a/b', 'c~d'])
})

t.test('ISO date validity', async (t) => {
  t.ok(isValidIsoDate('2024-02-29'))
  t.notOk(isValidIsoDate('2026-02-29'))
  t.notOk(isValidIsoDate('2026-1-01'))
  t.notOk(isValidIsoDate(''))
})
