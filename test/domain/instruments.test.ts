import t from 'tap'
import { ageGroupOf, cutoffFor, instrumentByCode, instrumentFor } from '../../service/domain/instruments.js'
import { CORS, CSRS, DEFAULT_INSTRUMENTS, ORS, SRS, YCORS, YCSRS } from './fixtures/instruments.js'

t.test('age groups change exactly on the birthday that starts them', async (t) => {
  t.equal(ageGroupOf(2), null, 'nobody under 3 is rated')
  t.equal(ageGroupOf(3), 'young-child')
  t.equal(ageGroupOf(5), 'young-child')
  t.equal(ageGroupOf(6), 'child')
  t.equal(ageGroupOf(12), 'child')
  t.equal(ageGroupOf(13), 'adolescent')
  t.equal(ageGroupOf(17), 'adolescent')
  t.equal(ageGroupOf(18), 'adult')
  t.equal(ageGroupOf(-1), null)
})

t.test('the instrument follows the age on the conversation date', async (t) => {
  const outcome = (age: number) => instrumentFor('outcome', age, DEFAULT_INSTRUMENTS)?.code ?? null
  const alliance = (age: number) => instrumentFor('alliance', age, DEFAULT_INSTRUMENTS)?.code ?? null
  t.same([2, 3, 5, 6, 12, 13, 17, 18, 90].map(outcome), [null, 'YCORS', 'YCORS', 'CORS', 'CORS', 'ORS', 'ORS', 'ORS', 'ORS'])
  t.same([2, 3, 5, 6, 12, 13, 18].map(alliance), [null, 'YCSRS', 'YCSRS', 'CSRS', 'CSRS', 'SRS', 'SRS'])
  t.equal(instrumentFor('outcome', 20, []), null, 'no instrument configured')
})

t.test('the cutoff is the one for the age group', async (t) => {
  t.equal(cutoffFor(ORS, 'adult'), 250)
  t.equal(cutoffFor(ORS, 'adolescent'), 280)
  t.equal(cutoffFor(ORS, 'child'), null, 'an ORS given to a child by override has no cutoff')
  t.equal(cutoffFor(CORS, 'child'), 320)
  t.equal(cutoffFor(SRS, 'adult'), 360)
  t.equal(cutoffFor(SRS, 'adolescent'), 360)
  t.equal(cutoffFor(CSRS, 'child'), 360)
  t.equal(cutoffFor(ORS, null), null)
  t.equal(cutoffFor(YCORS, 'young-child'), null)
  t.equal(cutoffFor(YCSRS, 'young-child'), null)
  const misconfigured = { ...YCORS, thresholds: { ...YCORS.thresholds, cutoffs: { 'young-child': 70 } } }
  t.equal(cutoffFor(misconfigured, 'young-child'), null, 'a young-child form never has a cutoff, even if one is configured')
})

t.test('an unknown instrument code is a data error, not a silent gap', async (t) => {
  t.equal(instrumentByCode(DEFAULT_INSTRUMENTS, 'CORS'), CORS)
  t.throws(() => instrumentByCode(DEFAULT_INSTRUMENTS, 'GAS'), /Unknown instrument "GAS"/)
})
