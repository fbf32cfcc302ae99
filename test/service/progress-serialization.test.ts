import t from 'tap'
import { safeEncode } from 'zod'
import { $FamilyProgress, $Progress } from '../../service/contracts/progress.js'
import { seedMunicipality } from '../bench/seed.js'
import { testApp } from '../helpers/app.js'

// Progress is written by a serializer compiled from its contract (service/routes/serialize.ts)
// instead of the zod pass of every other route. Each answer must be exactly what the zod
// contract makes of it: valid, no field the contract does not declare, none missing.
t.test('progress answers are what the zod contract gives, for coordinators and for families', async (t) => {
  const ctx = await testApp(t)
  const seeded = await seedMunicipality(ctx.connectionString, { families: 2, log: () => {} })
  const family = seeded.families[0]
  const key = seeded.apiKey
  const get = async (url: string, token = key) => {
    const res = await ctx.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } })
    t.equal(res.statusCode, 200, res.body.slice(0, 300))
    t.match(res.headers['content-type'], /^application\/json/)
    return res.json()
  }
  const progress = await get(`/v1/families/${family.familyId}/progress`)
  const points = progress.members.flatMap((m: { series: { points: unknown[] }[] }) => m.series.flatMap((s) => s.points))
  t.ok(points.length >= 100, 'a five-year history')
  t.ok(JSON.stringify(progress).includes('null'), 'with nullable values present')
  const encoded = safeEncode($Progress, progress)
  t.ok(encoded.success, 'valid against the contract')
  t.same(progress, encoded.data, 'nothing more, nothing less than the contract')
  t.strictSame(JSON.parse(JSON.stringify(encoded.data)), progress)

  const one = await get(`/v1/families/${family.familyId}/progress?memberId=${family.childId}`)
  t.same(one, safeEncode($Progress, one).data)
  t.equal(one.members.length, 1)

  for (const showAllianceToFamilies of [false, true]) {
    const settings = await ctx.app.inject({
      method: 'PATCH',
      url: '/v1/settings',
      headers: { authorization: `Bearer ${key}` },
      payload: { showAllianceToFamilies },
    })
    t.equal(settings.statusCode, 200, settings.body)
    const minted = await ctx.app.inject({
      method: 'POST',
      url: '/v1/embed-tokens',
      headers: { authorization: `Bearer ${key}` },
      payload: { role: 'family', familyId: family.familyId },
    })
    t.equal(minted.statusCode, 201, minted.body)
    const view = await get(`/v1/families/${family.familyId}/progress`, minted.json().token)
    const encodedView = safeEncode($FamilyProgress, view)
    t.ok(encodedView.success, `the family view is valid (alliance shown: ${showAllianceToFamilies})`)
    t.same(view, encodedView.data)
    t.notOk(JSON.stringify(view).includes('"flags"'), 'families see no flags')
  }
})
