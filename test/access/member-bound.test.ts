import t from 'tap'
import { daysAgo, testApp, yearsAgo } from '../helpers/app.js'

t.test('a family token bound to one member reads that member only', async (t) => {
  const ctx = await testApp(t)
  const coordinator = (await ctx.call('POST', '/v1/coordinators', { body: { externalRef: 'mb', displayName: 'M' } })).json()
  const family = (
    await ctx.call('POST', '/v1/families', {
      body: {
        externalRef: 'mb-f',
        coordinatorId: coordinator.id,
        startedOn: daysAgo(20),
        members: [
          { alias: 'Mor', role: 'adult', birthDate: yearsAgo(40) },
          { alias: 'Ung', role: 'child', birthDate: yearsAgo(15) },
        ],
      },
    })
  ).json()
  const [mother, teen] = family.members
  const token = (await ctx.call('POST', '/v1/embed-tokens', { body: { role: 'family', familyId: family.id, memberId: teen.id } })).json().token
  const read = await ctx.call('GET', `/v1/families/${family.id}`, { key: token })
  t.equal(read.statusCode, 200)
  t.same(
    read.json().members.map((m: { id: string }) => m.id),
    [teen.id],
    'only the bound member',
  )
  t.equal((await ctx.call('GET', `/v1/families/${family.id}/members/${mother.id}`, { key: token })).statusCode, 404)
  t.equal((await ctx.call('GET', `/v1/families/${family.id}/members/${teen.id}`, { key: token })).statusCode, 200)
  const whole = (await ctx.call('POST', '/v1/embed-tokens', { body: { role: 'family', familyId: family.id } })).json().token
  t.equal((await ctx.call('GET', `/v1/families/${family.id}`, { key: whole })).json().members.length, 2, 'an unbound family token sees the whole family')
})
