import t from 'tap'
import { testApp } from '../helpers/app.js'
import { assertProblem } from '../helpers/fixtures.js'

t.test('GET /v1/settings shows the defaults', async (t) => {
  const app = await testApp(t)
  const res = await app.call('GET', '/v1/settings')
  t.equal(res.statusCode, 200, res.body)
  t.same(res.json(), { allowedOrigins: [], timeZone: 'Europe/Oslo', showAllianceToFamilies: false, overdueDays: 42, expectedBandMinSeries: 30, thresholds: {} })
})

t.test('PATCH /v1/settings changes what it names and keeps the rest', async (t) => {
  const app = await testApp(t)
  const other = await app.newMunicipality()
  const res = await app.call('PATCH', '/v1/settings', {
    body: {
      allowedOrigins: ['https://fagsystem.kommune.no', 'http://localhost:5173'],
      timeZone: 'Arctic/Longyearbyen',
      showAllianceToFamilies: true,
      overdueDays: 28,
      expectedBandMinSeries: 40,
      thresholds: { CORS: { cutoffs: { child: 30 }, noChangeSessions: [4, 8, 12] } },
    },
  })
  t.equal(res.statusCode, 200, res.body)
  const expected = {
    allowedOrigins: ['http://localhost:5173', 'https://fagsystem.kommune.no'],
    timeZone: 'Arctic/Longyearbyen',
    showAllianceToFamilies: true,
    overdueDays: 28,
    expectedBandMinSeries: 40,
    thresholds: { CORS: { cutoffs: { child: 30 }, noChangeSessions: [4, 8, 12] } },
  }
  t.same(res.json(), expected)
  t.same((await app.call('GET', '/v1/settings')).json(), expected, 'kept')
  const partial = await app.call('PATCH', '/v1/settings', { body: { overdueDays: 60 } })
  t.same(partial.json(), { ...expected, overdueDays: 60 }, 'a partial patch keeps the rest')
  t.same((await app.call('GET', '/v1/settings', { key: other.apiKey })).json().allowedOrigins, [], "another municipality's settings are its own")
})

t.test('PATCH /v1/settings rejects bad input', async (t) => {
  const app = await testApp(t)
  const patch = (body: unknown) => app.call('PATCH', '/v1/settings', { body })
  assertProblem(t, await patch({ timeZone: 'Europe/Bergen' }), { status: 422, type: 'rule', path: '/timeZone' })
  assertProblem(t, await patch({ timeZone: 'Mars/Olympus' }), { status: 422, type: 'rule', path: '/timeZone' })
  assertProblem(t, await patch({ thresholds: { PHQ9: { reliableChange: 5 } } }), { status: 422, type: 'rule', path: '/thresholds/PHQ9' })
  assertProblem(t, await patch({}), { status: 400, type: 'validation' })
  assertProblem(t, await patch({ allowedOrigins: ['https://kommune.no/path'] }), { status: 400, type: 'validation', path: '/allowedOrigins/0' })
  assertProblem(t, await patch({ allowedOrigins: ['*'] }), { status: 400, type: 'validation', path: '/allowedOrigins/0' })
  assertProblem(t, await patch({ overdueDays: 0 }), { status: 400, type: 'validation', path: '/overdueDays' })
  assertProblem(t, await patch({ overdueDays: 1.5 }), { status: 400, type: 'validation', path: '/overdueDays' })
  assertProblem(t, await patch({ showAllianceToFamilies: 'yes' }), { status: 400, type: 'validation', path: '/showAllianceToFamilies' })
  assertProblem(t, await patch({ thresholds: { ORS: { cutoffs: { senior: 20 } } } }), {
    status: 400,
    type: 'validation',
    path: '/thresholds/ORS/cutoffs/senior',
  })
  assertProblem(t, await patch({ thresholds: { ORS: { cutoffs: { adult: 25.55 } } } }), {
    status: 400,
    type: 'validation',
    path: '/thresholds/ORS/cutoffs/adult',
  })
  assertProblem(t, await patch({ thresholds: { ORS: { reliableChange: 0 } } }), { status: 400, type: 'validation', path: '/thresholds/ORS/reliableChange' })
  assertProblem(t, await patch({ thresholds: { ORS: { colour: 'red' } } }), { status: 400, type: 'validation', path: '/thresholds/ORS/colour' })
  assertProblem(t, await patch({ name: 'Ny kommune' }), { status: 400, type: 'validation', path: '/name' })
  t.same((await app.call('GET', '/v1/settings')).json().timeZone, 'Europe/Oslo', 'nothing changed')
})
