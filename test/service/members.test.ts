import t from 'tap'
import { daysAgo, testApp } from '../helpers/app.js'
import { assertProblem, BIRTH, createFamily } from '../helpers/fixtures.js'

t.test('POST /v1/families/{id}/members adds a member', async (t) => {
  const app = await testApp(t)
  const f = await createFamily(t, app)
  const res = await app.call('POST', `/v1/families/${f.id}/members`, { body: { alias: 'Bestemor', role: 'adult', birthDate: '1950-05-17' } })
  t.equal(res.statusCode, 201, res.body)
  const member = res.json()
  t.match(member, { alias: 'Bestemor', role: 'adult', birthDate: '1950-05-17' })
  t.match(member.id, /^[0-9a-f-]{36}$/)
  t.equal(res.headers.location, `/v1/families/${f.id}/members/${member.id}`)
  const family = (await app.call('GET', `/v1/families/${f.id}`)).json()
  t.same(family.members.at(-1), member, 'the family lists the new member last')
  t.equal(family.members.length, 5)
})

t.test('POST /v1/families/{id}/members rejects bad input', async (t) => {
  const app = await testApp(t)
  const f = await createFamily(t, app)
  const url = `/v1/families/${f.id}/members`
  const valid = { alias: 'Far', role: 'adult', birthDate: BIRTH.adult() }
  assertProblem(t, await app.call('POST', url, { body: { ...valid, alias: '' } }), { status: 400, type: 'validation', path: '/alias' })
  assertProblem(t, await app.call('POST', url, { body: { ...valid, role: 'father' } }), { status: 400, type: 'validation', path: '/role' })
  assertProblem(t, await app.call('POST', url, { body: { ...valid, birthDate: '1990-13-01' } }), { status: 400, type: 'validation', path: '/birthDate' })
  assertProblem(t, await app.call('POST', url, { body: { ...valid, nationalId: '01019012345' } }), { status: 400, type: 'validation', path: '/nationalId' })
  assertProblem(t, await app.call('POST', url, { body: { ...valid, birthDate: daysAgo(-2) } }), { status: 422, type: 'rule', path: '/birthDate' })
  assertProblem(t, await app.call('POST', '/v1/families/00000000-0000-4000-8000-000000000000/members', { body: valid }), { status: 404, type: 'not-found' })
  const noKey = await app.app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${app.municipality.apiKey}` }, payload: valid })
  assertProblem(t, noKey, { status: 400, type: 'validation', mentions: /idempotency-key/i })
  t.equal((await app.call('GET', `/v1/families/${f.id}`)).json().members.length, 4, 'nothing was added')
})

t.test('PATCH /v1/families/{id}/members/{memberId} corrects a member', async (t) => {
  const app = await testApp(t)
  const f = await createFamily(t, app)
  const g = await createFamily(t, app)
  const url = `/v1/families/${f.id}/members/${f.m.Barn.id}`
  const res = await app.call('PATCH', url, { body: { alias: 'Ola', birthDate: '2017-01-15' } })
  t.equal(res.statusCode, 200, res.body)
  t.same(res.json(), { id: f.m.Barn.id, alias: 'Ola', role: 'child', birthDate: '2017-01-15' })
  const family = (await app.call('GET', `/v1/families/${f.id}`)).json()
  t.same(
    family.members.find((m: { id: string }) => m.id === f.m.Barn.id),
    res.json(),
    'the correction is kept',
  )

  assertProblem(t, await app.call('PATCH', url, { body: {} }), { status: 400, type: 'validation' })
  assertProblem(t, await app.call('PATCH', url, { body: { role: 'baby' } }), { status: 400, type: 'validation', path: '/role' })
  assertProblem(t, await app.call('PATCH', url, { body: { id: f.m.Mor.id } }), { status: 400, type: 'validation', path: '/id' })
  assertProblem(t, await app.call('PATCH', url, { body: { birthDate: daysAgo(-10) } }), { status: 422, type: 'rule', path: '/birthDate' })
  assertProblem(t, await app.call('PATCH', `/v1/families/${f.id}/members/00000000-0000-4000-8000-000000000000`, { body: { alias: 'X' } }), {
    status: 404,
    type: 'not-found',
  })
  assertProblem(t, await app.call('PATCH', `/v1/families/${f.id}/members/${g.m.Mor.id}`, { body: { alias: 'X' } }), {
    status: 404,
    type: 'not-found',
  })
  t.equal((await app.call('GET', `/v1/families/${g.id}`)).json().members[0].alias, 'Mor', "another family's member is untouched")
})
