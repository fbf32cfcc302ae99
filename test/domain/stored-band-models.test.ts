import t from 'tap'
import { bandModelsFromState, type StoredBand } from '../../service/domain/band-models.js'

const ors = { memberId: 'm1', instrument: 'ORS', rater: 'self' as const, raterMemberId: null }
const byParent = { memberId: 'm2', instrument: 'CORS', rater: 'parent' as const, raterMemberId: 'm1' }
const model = { a25: -1, a50: 2, a75: 5, cohortSize: 40 }
const stored: StoredBand[] = [
  { series: ors, intake: 180, model },
  { series: byParent, intake: 220, model: null },
]

t.test('every series stored at its intake: the stored models, a stored null included', async (t) => {
  const of = bandModelsFromState(stored, [
    { ...ors, intake: 180 },
    { ...byParent, intake: 220 },
  ])
  t.ok(of, 'the stored state covers the series')
  t.same(of!(ors, 180), model)
  t.equal(of!(byParent, 220), null, 'a series stored without a band has none')
})

t.test('a series the state does not hold yet, or holds at another intake: look the models up', async (t) => {
  t.equal(
    bandModelsFromState(stored, [
      { ...ors, intake: 180 },
      { ...ors, memberId: 'm3', intake: 150 },
    ]),
    null,
    'a new series',
  )
  t.equal(bandModelsFromState(stored, [{ ...ors, intake: 170 }]), null, 'a rating before the first moved the intake')
  t.equal(bandModelsFromState(stored, [{ ...byParent, raterMemberId: 'm4', intake: 220 }]), null, 'another rater is another series')
})

t.test('no outcome series: nothing to look up', async (t) => {
  const of = bandModelsFromState([], [])
  t.ok(of)
  t.equal(of!(ors, 180), null)
})
