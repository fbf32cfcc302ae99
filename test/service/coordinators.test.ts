import t from 'tap'
import { testApp } from '../helpers/app.js'
import { assertProblem } from '../helpers/fixtures.js'

t.test('POST /v1/coordinators registers a coordinator', async (t) => {
  const app = await testApp(t)
  const res = await app.call('POST', '/v1/coordinators', { body: { externalRef: 'ansatt-17', displayName: 'Kari Nordmann' } })
  t.equal(res.statusCode, 201, res.body)
  const c = res.json()
  t.match(c, { externalRef: 'ansatt-17', displayName: 'Kari Nordmann', active: true })
  t.equal(res.headers.location, `/v1/coordinators/${c.id}`)
  const inactive = await app.call('POST', '/v1/coordinators', { body: { externalRef: 'ansatt-18', displayName: 'Per', active: false } })
  t.equal(inactive.statusCode, 201)
  t.equal(inactive.json().active, false)

  assertProblem(t, await app.call('POST', '/v1/coordinators', { body: { externalRef: 'ansatt-17', displayName: 'Another' } }), {
    status: 409,
    type: 'conflict',
    mentions: 'externalRef',
  })
  assertProblem(t, await app.call('POST', '/v1/coordinators', { body: { externalRef: 'x' } }), { status: 400, type: 'validation', path: '/displayName' })
  assertProblem(t, await app.call('POST', '/v1/coordinators', { body: { externalRef: 'x', displayName: '   ' } }), {
    status: 400,
    type: 'validation',
    path: '/displayName',
  })
  assertProblem(t, await app.call('POST', '/v1/coordinators', { body: { externalRef: 'x', displayName: 'Y', active: 'yes' } }), {
    status: 400,
    type: 'validation',
    path: '/active',
  })
  assertProblem(t, await app.call('POST', '/v1/coordinators', { body: { externalRef: 'x', displayName: 'Y', email: 'y@kommune.no' } }), {
    status: 400,
    type: 'validation',
    path: '/email',
  })
  const list = await app.call('GET', '/v1/coordinators')
  t.equal(list.json().items.length, 2, 'no coordinator from the rejected requests')
})

t.test('GET /v1/coordinators pages and filters', async (t) => {
  const app = await testApp(t)
  const ids: string[] = []
  for (let i = 0; i < 5; i++) {
    const res = await app.call('POST', '/v1/coordinators', { body: { externalRef: `c-${i}`, displayName: `Koordinator ${i}`, active: i !== 2 } })
    ids.push(res.json().id)
  }
  const seen: string[] = []
  let cursor: string | null = null
  let pages = 0
  do {
    const res = await app.call('GET', `/v1/coordinators?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)
    t.equal(res.statusCode, 200, res.body)
    seen.push(...res.json().items.map((c: { id: string }) => c.id))
    cursor = res.json().nextCursor
    pages++
  } while (cursor !== null && pages < 10)
  t.equal(pages, 3)
  t.same([...seen].sort(), [...ids].sort(), 'every coordinator once')
  t.equal(new Set(seen).size, 5)
  const inactive = await app.call('GET', '/v1/coordinators?active=false')
  t.same(
    inactive.json().items.map((c: { id: string }) => c.id),
    [ids[2]],
  )
  t.equal((await app.call('GET', '/v1/coordinators?active=true')).json().items.length, 4)
  assertProblem(t, await app.call('GET', '/v1/coordinators?active=maybe'), { status: 400, type: 'validation', path: '/active' })
  assertProblem(t, await app.call('GET', '/v1/coordinators?cursor=%%%'), { status: 400, type: 'validation', path: '/cursor' })
})

t.test('PATCH /v1/coordinators/{id} renames and deactivates', async (t) => {
  const app = await testApp(t)
  const a = (await app.call('POST', '/v1/coordinators', { body: { externalRef: 'a', displayName: 'A' } })).json()
  await app.call('POST', '/v1/coordinators', { body: { externalRef: 'b', displayName: 'B' } })
  const res = await app.call('PATCH', `/v1/coordinators/${a.id}`, { body: { displayName: 'Anne', active: false } })
  t.equal(res.statusCode, 200, res.body)
  t.same(res.json(), { ...a, displayName: 'Anne', active: false })
  t.equal((await app.call('PATCH', `/v1/coordinators/${a.id}`, { body: { externalRef: 'a' } })).statusCode, 200, 'its own externalRef is no conflict')
  assertProblem(t, await app.call('PATCH', `/v1/coordinators/${a.id}`, { body: { externalRef: 'b' } }), {
    status: 409,
    type: 'conflict',
    mentions: 'externalRef',
  })
  assertProblem(t, await app.call('PATCH', `/v1/coordinators/${a.id}`, { body: {} }), { status: 400, type: 'validation' })
  assertProblem(t, await app.call('PATCH', `/v1/coordinators/${a.id}`, { body: { displayName: '' } }), {
    status: 400,
    type: 'validation',
    path: '/displayName',
  })
  assertProblem(t, await app.call('PATCH', '/v1/coordinators/00000000-0000-4000-8000-000000000000', { body: { displayName: 'X' } }), {
    status: 404,
    type: 'not-found',
  })
  assertProblem(t, await app.call('PATCH', '/v1/coordinators/nope', { body: { displayName: 'X' } }), { status: 400, type: 'validation', path: '/id' })
})

t.test('two concurrent creates with one externalRef: one 201, one 409, one row', async (t) => {
  const app = await testApp(t)
  for (let round = 0; round < 4; round++) {
    const body = { externalRef: `race-${round}`, displayName: 'Samtidig' }
    const answers = await Promise.all([app.call('POST', '/v1/coordinators', { body }), app.call('POST', '/v1/coordinators', { body })])
    t.same(answers.map((a) => a.statusCode).sort(), [201, 409], `round ${round}: ${answers.map((a) => a.statusCode)}`)
    const refused = answers.find((a) => a.statusCode === 409)!
    assertProblem(t, refused, { status: 409, type: 'conflict', mentions: 'externalRef' })
  }
  t.equal((await app.call('GET', '/v1/coordinators')).json().items.length, 4)
})
