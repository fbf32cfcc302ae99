import t from 'tap'
import { asAdminInMunicipality } from '../../service/db/kysely.js'
import { createApiClient } from '../../service/repositories/api-clients.js'
import { accessApp, expectStatus, uniqueRef } from './fixtures/world.js'

/** The rate limit counts per API client or token subject (RATE_LIMIT_MAX requests per window). */

t.test('rate limit: 429 problem+json with Retry-After, per client', async (t) => {
  const app = await accessApp(t, { RATE_LIMIT_MAX: '3' })
  const m1 = app.municipality.municipalityId
  const keyA = app.municipality.apiKey
  // Made behind the API, so that set-up spends nobody's budget.
  const keyB = (await asAdminInMunicipality(app.db, m1, (trx) => createApiClient(trx, m1, 'second client of the same municipality'))).apiKey
  const keyOther = (await app.newMunicipality('Annen kommune')).apiKey
  const origin = 'https://fagsystem.kommune.no'

  for (let i = 1; i <= 3; i++) expectStatus(t, await app.call('GET', '/v1/settings', { key: keyA }), 200, `A: request ${i} of 3`)
  const limited = await app.call('GET', '/v1/instruments', { key: keyA, headers: { origin } })
  t.equal(limited.statusCode, 429, 'A: the 4th request → 429')
  t.match(String(limited.headers['content-type']), /^application\/problem\+json/, 'problem+json')
  const body = limited.json()
  t.equal(body.type, '/problems/rate-limited', 'type /problems/rate-limited')
  t.equal(body.status, 429, 'status 429 in the body')
  t.type(body.title, 'string')
  t.type(body.detail, 'string')
  t.equal(body.instance, '/v1/instruments', 'instance')
  const retryAfter = Number(limited.headers['retry-after'])
  t.ok(Number.isInteger(retryAfter) && retryAfter > 0 && retryAfter <= 60, `Retry-After in whole seconds (${limited.headers['retry-after']})`)
  t.match(String(limited.headers['access-control-expose-headers']), /Retry-After/, 'Retry-After is exposed to the widget')
  t.match(String(limited.headers.vary), /Origin/, 'Vary: Origin')
  const post = await app.call('POST', '/v1/coordinators', { key: keyA, body: { externalRef: uniqueRef('C'), displayName: 'x' } })
  t.equal(post.statusCode, 429, 'A: writes are limited as well')

  // Another API client, even of the same municipality, has its own budget; so has another municipality's.
  const c = expectStatus(
    t,
    await app.call('POST', '/v1/coordinators', { key: keyB, body: { externalRef: uniqueRef('C'), displayName: 'Kari' } }),
    201,
    'B: not affected',
  )
  const token = expectStatus(
    t,
    await app.call('POST', '/v1/embed-tokens', { key: keyB, body: { role: 'coordinator', coordinatorId: c.id } }),
    201,
    'B: mints a token',
  ).token
  expectStatus(t, await app.call('GET', '/v1/settings', { key: keyB }), 200, 'B: third request')
  t.equal((await app.call('GET', '/v1/settings', { key: keyB })).statusCode, 429, 'B: its own 4th → 429')
  expectStatus(t, await app.call('GET', '/v1/settings', { key: keyOther }), 200, 'another municipality’s client: not affected')

  // An embed token counts for its subject, not for the API client that minted it.
  for (let i = 1; i <= 3; i++) expectStatus(t, await app.call('GET', '/v1/caseload', { key: token }), 200, `coordinator token: request ${i} of 3`)
  t.equal((await app.call('GET', '/v1/caseload', { key: token })).statusCode, 429, 'coordinator token: the 4th → 429')

  // Health and docs are not limited.
  for (let i = 0; i < 5; i++) t.equal((await app.app.inject({ method: 'GET', url: '/health/live' })).statusCode, 200, `health ${i + 1}: not limited`)
})
