import t from 'tap'
import { daysAgo, testApp, yearsAgo } from '../helpers/app.js'

t.test('every Location a create answers with can be read back, and only in its municipality', async (t) => {
  const ctx = await testApp(t)
  const other = await ctx.newMunicipality()
  const created: { location: string; body: Record<string, unknown> }[] = []
  const create = async (url: string, body: unknown) => {
    const r = await ctx.call('POST', url, { body })
    t.equal(r.statusCode, 201, r.body)
    created.push({ location: r.headers.location as string, body: r.json() })
    return r.json()
  }
  const coordinator = await create('/v1/coordinators', { externalRef: 'loc-c', displayName: 'L' })
  const family = await create('/v1/families', {
    externalRef: 'loc-f',
    coordinatorId: coordinator.id,
    startedOn: daysAgo(30),
    members: [{ alias: 'A', role: 'adult', birthDate: yearsAgo(30) }],
  })
  created.push({ location: `/v1/families/${family.id}`, body: family })
  await create(`/v1/families/${family.id}/members`, { alias: 'B', role: 'child', birthDate: yearsAgo(8) })
  const session = await create(`/v1/families/${family.id}/sessions`, { heldOn: daysAgo(2), kind: 'office', ratings: [] })
  await create(`/v1/sessions/${session.id}/ratings`, { memberId: family.members[0].id, instrument: 'ORS', rater: 'self', total: 21.3 })
  await create('/v1/api-clients', { name: 'Fagsystem' })

  for (const { location, body } of created) {
    const r = await ctx.call('GET', location)
    t.equal(r.statusCode, 200, `GET ${location}`)
    const { apiKey: _key, ...expected } = body as { apiKey?: string }
    const { ratings: _r, members: _m, ...got } = r.json()
    const { ratings: _er, members: _em, ...want } = expected as Record<string, unknown>
    t.same(got, want, `${location} answers the created resource`)
    const foreign = await ctx.call('GET', location, { key: other.apiKey })
    t.equal(foreign.statusCode, 404, `another municipality gets 404 for ${location}`)
  }
})
