import t from 'tap'
import { daysAgo, testApp } from '../../helpers/app.js'
import { BIRTH, createFamily, createSession } from '../../helpers/fixtures.js'

// docs/rules.md / docs/api.md: "A cell with fewer than 5 persons has suppressed: true and every number null
// ... so that no one can be recognised in a report". The `all` cell is computed over the same
// persons as the groups, so all − (unsuppressed groups) gives the suppressed cell back.
t.test('a suppressed cell cannot be recovered from `all` minus the other cells', async (t) => {
  const app = await testApp(t)
  const adults = Array.from({ length: 6 }, (_, i) => ({ alias: `Voksen${i}`, role: 'adult' as const, birthDate: BIRTH.adult() }))
  const children = [
    { alias: 'BarnA', role: 'child' as const, birthDate: BIRTH.child() },
    { alias: 'BarnB', role: 'child' as const, birthDate: BIRTH.child() },
  ]
  const f = await createFamily(t, app, { members: [...adults, ...children] })
  const childIntakes = [12, 30] // the two children's intake totals
  for (const [k, heldOn] of [daysAgo(60), daysAgo(20)].entries()) {
    await createSession(t, app, f.id, {
      heldOn,
      ratings: [
        ...adults.map((a) => ({ memberId: f.m[a.alias].id, instrument: 'ORS', rater: 'self', total: 20 + k * 6 })),
        ...children.map((c, i) => ({ memberId: f.m[c.alias].id, instrument: 'CORS', rater: 'self', total: childIntakes[i] + k })),
      ],
    })
  }
  const res = await app.call('GET', '/v1/reports/outcomes')
  t.equal(res.statusCode, 200, res.body.slice(0, 200))
  const report = res.json()
  const child = report.groups.find((g: any) => g.ageGroup === 'child')
  const adult = report.groups.find((g: any) => g.ageGroup === 'adult')
  t.equal(child.suppressed, true, 'the child cell (2 persons) is suppressed')
  const derivedPersons = report.all.persons - adult.persons - (report.groups.find((g: any) => g.ageGroup === 'adolescent').persons ?? 0)
  const derivedMeanIntake = report.all.persons && (report.all.meanIntakeOutcome * report.all.persons - adult.meanIntakeOutcome * adult.persons) / derivedPersons
  t.comment(`derived from all − adult: child persons = ${derivedPersons}, child mean intake = ${derivedMeanIntake}`)
  t.not(derivedPersons, 2, 'the suppressed cell must not be derivable: all − adult gives exactly the 2 children')
})
