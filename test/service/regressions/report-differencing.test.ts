import t, { type Test } from 'tap'
import { daysAgo, testApp, type TestApp } from '../../helpers/app.js'
import { addDays, BIRTH, createCoordinator, createFamily, createSession } from '../../helpers/fixtures.js'

// docs/rules.md: cells with fewer than 5 persons are suppressed "so that no one can be recognised in a
// report". Each pair of neighbouring questions below once differed by one person, whose intake,
// alliance, sessions and days in service the two answers gave back by subtraction.

const adults = (count: number, prefix = 'Voksen') =>
  Array.from({ length: count }, (_, i) => ({ alias: `${prefix}${i}`, role: 'adult' as const, birthDate: BIRTH.adult() }))

/** Two conversations per person; every person's latest point is `last`. */
async function rated(t: Test, app: TestApp, familyId: string, memberIds: string[], last: string, instrument = 'ORS') {
  for (const [k, heldOn] of [addDays(last, -30), last].entries()) {
    await createSession(t, app, familyId, { heldOn, ratings: memberIds.map((memberId) => ({ memberId, instrument, rater: 'self', total: 20 + k * 13 })) })
  }
}

async function report(t: Test, app: TestApp, query = '') {
  const res = await app.call('GET', `/v1/reports/outcomes${query}`)
  t.equal(res.statusCode, 200, res.body.slice(0, 300))
  return res.json()
}

/** What a pair of answers gives away by subtraction: persons, or null when either is hidden. */
const difference = (broader: { persons: number | null }, narrower: { persons: number | null }) =>
  broader.persons === null || narrower.persons === null ? null : broader.persons - narrower.persons

const revealsSomeone = (d: number | null) => d !== null && d > 0 && d < 5

t.test('without and with ?ageGroup=adult: the difference is not one child', async (t) => {
  const app = await testApp(t)
  const f = await createFamily(t, app, { members: [...adults(6), { alias: 'Barn', role: 'child', birthDate: BIRTH.child() }] })
  const last = daysAgo(20)
  await rated(
    t,
    app,
    f.id,
    adults(6).map((a) => f.m[a.alias].id),
    last,
  )
  // The child: intake 20.0, alliance 33.3, two conversations, recovered.
  for (const [k, heldOn] of [addDays(last, -30), last].entries()) {
    await createSession(t, app, f.id, {
      heldOn,
      ratings: [
        { memberId: f.m.Barn.id, instrument: 'CORS', rater: 'self', total: [20, 35][k] },
        { memberId: f.m.Barn.id, instrument: 'CSRS', rater: 'self', total: 33.3 },
      ],
    })
  }

  const everyone = await report(t, app)
  const onlyAdults = await report(t, app, '?ageGroup=adult')
  t.equal(everyone.all.persons, 7, 'the whole municipality is shown: seven persons')
  t.same(
    everyone.groups.map((g: { suppressed: boolean }) => g.suppressed),
    [true, true, true],
    'every age group hidden, as before',
  )
  t.equal(onlyAdults.all.suppressed, true, '?ageGroup=adult is the adult cell of the answer without it: hidden')
  t.equal(onlyAdults.groups[0].suppressed, true)
  t.notOk(revealsSomeone(difference(everyone.all, onlyAdults.all)), 'the pair gives no one away')
})

t.test('without and with ?coordinatorId: the difference is not one adult of another coordinator', async (t) => {
  const app = await testApp(t)
  const [kari, ola] = [await createCoordinator(t, app), await createCoordinator(t, app)]
  const last = daysAgo(20)
  const five = await createFamily(t, app, { coordinatorId: kari, members: adults(5) })
  await rated(
    t,
    app,
    five.id,
    adults(5).map((a) => five.m[a.alias].id),
    last,
  )
  const one = await createFamily(t, app, { coordinatorId: ola, members: adults(1, 'Alene') })
  await rated(t, app, one.id, [one.m.Alene0.id], last)

  const everyone = await report(t, app)
  const karis = await report(t, app, `?coordinatorId=${kari}`)
  const olas = await report(t, app, `?coordinatorId=${ola}`)
  t.equal(everyone.all.persons, 6, 'the municipality: six adults')
  t.equal(karis.all.suppressed, true, "Kari's five are hidden: the municipality has only one more")
  t.equal(karis.groups.find((g: { ageGroup: string }) => g.ageGroup === 'adult').suppressed, true, "and Kari's adults")
  t.equal(olas.all.suppressed, true, "Ola's one is hidden")
  t.notOk(revealsSomeone(difference(everyone.all, karis.all)), 'the pair gives no one away')
})

t.test('to=D and to=D−1: the difference is not the one adult whose latest point is D', async (t) => {
  const app = await testApp(t)
  // D the first day of last month, so D − 1 lies in the month before: the hardest case.
  const today = daysAgo(0)
  const d = addDays(`${today.slice(0, 7)}-01`, -1).slice(0, 7) + '-01'
  const f = await createFamily(t, app, { members: [...adults(5), { alias: 'Sist', role: 'adult', birthDate: BIRTH.adult() }] })
  await rated(
    t,
    app,
    f.id,
    adults(5).map((a) => f.m[a.alias].id),
    addDays(d, -1),
  )
  await rated(t, app, f.id, [f.m.Sist.id], d)

  const from = addDays(d, -200)
  const toD = await report(t, app, `?from=${from}&to=${d}`)
  const toDayBefore = await report(t, app, `?from=${from}&to=${addDays(d, -1)}`)
  t.equal(toD.all.persons, 6, 'to D: six adults')
  t.equal(toD.to, addDays(`${addDays(d, 31).slice(0, 7)}-01`, -1), 'the period is widened to the end of D’s month')
  t.equal(toDayBefore.all.suppressed, true, 'to D − 1: hidden, the month after it adds one adult')
  t.notOk(revealsSomeone(difference(toD.all, toDayBefore.all)), 'the pair gives no one away')

  // Two days of one month ask the same question.
  const toNextDay = await report(t, app, `?from=${from}&to=${addDays(d, 1)}`)
  t.same(toNextDay, toD, 'to D + 1 answers exactly as to D')
})
