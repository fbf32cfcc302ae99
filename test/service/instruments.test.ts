import t from 'tap'
import { testApp } from '../helpers/app.js'
import { assertProblem } from '../helpers/fixtures.js'

t.test('GET /v1/instruments lists the six instruments with labels in nb, nn and en', async (t) => {
  const app = await testApp(t)
  const get = async (query: string) => {
    const res = await app.call('GET', `/v1/instruments${query}`)
    t.equal(res.statusCode, 200, res.body)
    return res.json().items as any[]
  }
  const nb = await get('?lang=nb')
  const nn = await get('?lang=nn')
  const en = await get('?lang=en')
  t.same(
    nb.map((i) => i.code),
    ['ORS', 'CORS', 'YCORS', 'SRS', 'CSRS', 'YCSRS'],
  )
  const label = (list: any[], code: string, n: number) => list.find((i) => i.code === code).items[n].label
  t.equal(label(nb, 'ORS', 0), 'Meg selv')
  t.equal(label(nn, 'ORS', 0), 'Meg sjølv')
  t.equal(label(en, 'ORS', 0), 'Individually')
  t.equal(label(nn, 'CORS', 2), 'Skulen')
  t.equal(label(en, 'YCSRS', 0), 'How was it today')
  t.same(await get(''), nb, 'Norwegian bokmål by default')
  for (const i of en) {
    t.equal(i.items.length, i.code.startsWith('YC') ? 1 : 4, `${i.code} item count`)
    t.equal(i.itemMax, 10)
    t.equal(i.totalMax, i.items.length * 10)
    t.equal(i.licensedWording, false, 'no licensed wording is shipped')
  }
  const ors = en.find((i) => i.code === 'ORS')
  t.match(ors, { kind: 'outcome', minAge: 13, maxAge: null, givenAt: 'start', psychometric: true })
  t.same(ors.thresholds, { cutoffs: { adult: 25, adolescent: 28 }, reliableChange: 5, allianceDrop: 1, noChangeSessions: [3, 6, 10] }, 'thresholds in points')
  t.same(en.find((i) => i.code === 'CORS').thresholds.cutoffs, { child: 32 })
  t.equal(en.find((i) => i.code === 'SRS').thresholds.cutoffs.adult, 36)
  t.match(
    en.find((i) => i.code === 'YCORS'),
    { minAge: 3, maxAge: 5, psychometric: false, thresholds: { reliableChange: null } },
  )

  assertProblem(t, await app.call('GET', '/v1/instruments?lang=de'), { status: 400, type: 'validation', path: '/lang' })
  assertProblem(t, await app.call('GET', '/v1/instruments?language=en'), { status: 400, type: 'validation', path: '/language' })
})

t.test('threshold overrides in the settings show in the instruments', async (t) => {
  const app = await testApp(t)
  const other = await app.newMunicipality()
  const patch = await app.call('PATCH', '/v1/settings', {
    body: { thresholds: { ORS: { cutoffs: { adult: 26.5 }, reliableChange: 6 }, SRS: { allianceDrop: 2 } } },
  })
  t.equal(patch.statusCode, 200, patch.body)
  const items = (await app.call('GET', '/v1/instruments?lang=en')).json().items
  const ors = items.find((i: { code: string }) => i.code === 'ORS')
  t.same(ors.thresholds.cutoffs, { adult: 26.5, adolescent: 28 }, 'the override replaces only what it names')
  t.equal(ors.thresholds.reliableChange, 6)
  t.equal(items.find((i: { code: string }) => i.code === 'SRS').thresholds.allianceDrop, 2)
  t.equal(items.find((i: { code: string }) => i.code === 'CORS').thresholds.reliableChange, 5, 'other instruments keep their defaults')

  const elsewhere = (await app.call('GET', '/v1/instruments?lang=en', { key: other.apiKey })).json().items
  t.same(
    elsewhere.find((i: { code: string }) => i.code === 'ORS').thresholds.cutoffs,
    { adult: 25, adolescent: 28 },
    "another municipality's instruments are unchanged",
  )

  const reset = await app.call('PATCH', '/v1/settings', { body: { thresholds: { ORS: null } } })
  t.equal(reset.statusCode, 200)
  const after = (await app.call('GET', '/v1/instruments')).json().items.find((i: { code: string }) => i.code === 'ORS')
  t.same(after.thresholds.cutoffs, { adult: 25, adolescent: 28 }, 'null removes the override')
})
