import t, { type Test } from 'tap'
import fc from 'fast-check'
import { isDeepStrictEqual } from 'node:util'
import { seedDemo } from '../../service/cli/demo-data.js'
import { inMunicipality } from '../../service/db/kysely.js'
import { outcomeReport } from '../../service/domain/report.js'
import { buildSeries } from '../../service/domain/series.js'
import { groupBy } from '../../service/domain/group-by.js'
import { toPointsOrNull } from '../../service/domain/score-units.js'
import { progressContext, seriesIntakes } from '../../service/progress/progress.js'
import { loadBandModels } from '../../service/repositories/band-models.js'
import { loadFamilyFacts } from '../../service/repositories/family-facts.js'
import { testApp, type TestApp } from '../helpers/app.js'
import { addDays, BIRTH, createCoordinator, createFamily } from '../helpers/fixtures.js'

/**
 * The outcome report is read from the stored state. It must equal the report the domain
 * computes from every raw rating of the families in scope, for any period, coordinator and age
 * group, also after the thresholds change and the bands are refitted.
 */

type Query = { from: string; to: string; coordinatorId?: string; ageGroup?: 'child' | 'adolescent' | 'adult' }

/** The report as the domain gives it from the raw rows, in the API's units. */
async function fromRawRows(ctx: TestApp, municipalityId: string, q: Query) {
  return inMunicipality(ctx.db, municipalityId, async (trx) => {
    const context = await progressContext(trx)
    // Every family of the municipality: the report weighs a coordinator's answer against the rest.
    const rows = await trx.selectFrom('families').selectAll().where('municipality_id', '=', municipalityId).where('synthetic', '=', false).execute()
    const facts = await loadFamilyFacts(
      trx,
      rows.map((f) => f.family_id),
    )
    const seriesByMember = groupBy(buildSeries(facts.ratings.map((r) => r.fact)), (s) => s.memberId)
    const report = outcomeReport({
      from: q.from,
      to: q.to,
      families: rows.map((f) => ({ id: f.family_id, coordinatorId: f.coordinator_id, startedOn: f.started_on, ending: f.ending })),
      members: facts.members.map((m) => ({ id: m.member_id, familyId: m.family_id, birthDate: m.birth_date, series: seriesByMember.get(m.member_id) ?? [] })),
      instruments: context.instruments,
      bandModelOf: await loadBandModels(trx, seriesIntakes(facts), context.instruments, context.settings.expectedBandMinSeries),
      ageGroup: q.ageGroup,
      coordinatorId: q.coordinatorId,
    })
    const points = <C extends { meanIntakeOutcome: number | null; meanIntakeAlliance: number | null }>(c: C) => ({
      ...c,
      meanIntakeOutcome: toPointsOrNull(c.meanIntakeOutcome),
      meanIntakeAlliance: toPointsOrNull(c.meanIntakeAlliance),
    })
    return JSON.parse(JSON.stringify({ from: report.from, to: report.to, groups: report.groups.map(points), all: points(report.all) }))
  })
}

async function viaApi(ctx: TestApp, key: string, q: Query) {
  const params = new URLSearchParams(Object.entries(q).filter(([, v]) => v !== undefined) as [string, string][])
  const res = await ctx.call('GET', `/v1/reports/outcomes?${params}`, { key })
  if (res.statusCode !== 200) throw new Error(res.body)
  return res.json()
}

const item = fc.integer({ min: 0, max: 10 })
const items = fc.tuple(item, item, item, item)
/** One conversation: the day after the previous one, and who was rated how. */
const conversation = fc.record({
  gap: fc.integer({ min: 7, max: 60 }),
  adult: fc.option(fc.record({ outcome: items, alliance: fc.option(items) }), { freq: 4 }),
  child: fc.option(fc.record({ self: items, parent: fc.option(items), teacher: fc.option(items) }), { freq: 3 }),
})
const history = fc.record({
  startedDaysAgo: fc.integer({ min: 400, max: 1500 }),
  adolescent: fc.boolean(),
  conversations: fc.array(conversation, { minLength: 1, maxLength: 5 }),
  ending: fc.constantFrom(null, null, 'unilateral', 'planned', 'moved'),
  coordinator: fc.integer({ min: 0, max: 1 }),
})

async function addFamily(t: Test, ctx: TestApp, key: string, coordinatorIds: string[], h: HistoryValue) {
  const startedOn = addDays(new Date().toISOString().slice(0, 10), -h.startedDaysAgo)
  const family = await createFamily(t, ctx, {
    key,
    coordinatorId: coordinatorIds[h.coordinator],
    startedOn,
    members: [
      { alias: 'Mor', role: 'adult', birthDate: BIRTH.adult() },
      // 14 or 8 and a bit at the start, so the instrument fits on every conversation (≤ 300 days).
      { alias: 'Barn', role: 'child', birthDate: addDays(startedOn, -(h.adolescent ? 14 : 8) * 365 - 100) },
    ],
  })
  const adult = family.m.Mor.id
  const child = family.m.Barn.id
  let heldOn = startedOn
  for (const c of h.conversations) {
    heldOn = addDays(heldOn, c.gap)
    const childOutcome = h.adolescent ? 'ORS' : 'CORS'
    const childAlliance = h.adolescent ? 'SRS' : 'CSRS'
    const ratings: unknown[] = []
    if (c.adult) {
      ratings.push({ memberId: adult, instrument: 'ORS', rater: 'self', items: c.adult.outcome })
      if (c.adult.alliance) ratings.push({ memberId: adult, instrument: 'SRS', rater: 'self', items: c.adult.alliance })
    }
    if (c.child) {
      ratings.push({ memberId: child, instrument: childOutcome, rater: 'self', items: c.child.self })
      ratings.push({ memberId: child, instrument: childAlliance, rater: 'self', items: c.child.self })
      if (c.child.parent) ratings.push({ memberId: child, instrument: childOutcome, rater: 'parent', raterMemberId: adult, items: c.child.parent })
      if (c.child.teacher) ratings.push({ memberId: child, instrument: childOutcome, rater: 'teacher', items: c.child.teacher })
    }
    const res = await ctx.call('POST', `/v1/families/${family.id}/sessions`, { key, body: { heldOn, kind: 'home-visit', ratings } })
    if (res.statusCode !== 201) throw new Error(res.body)
  }
  if (h.ending) {
    const res = await ctx.call('PATCH', `/v1/families/${family.id}`, { key, body: { endedOn: addDays(heldOn, 1), ending: h.ending } })
    if (res.statusCode !== 200) throw new Error(res.body)
  }
}

type HistoryValue = {
  startedDaysAgo: number
  adolescent: boolean
  conversations: {
    gap: number
    adult: { outcome: number[]; alliance: number[] | null } | null
    child: { self: number[]; parent: number[] | null; teacher: number[] | null } | null
  }[]
  ending: string | null
  coordinator: number
}

t.test('the report from the stored state equals the report from every raw rating', async (t) => {
  const ctx = await testApp(t)
  let runs = 0
  await fc.assert(
    fc.asyncProperty(fc.array(history, { minLength: 6, maxLength: 10 }), fc.integer({ min: 0, max: 800 }), async (histories, windowDaysAgo) => {
      runs++
      const m = await ctx.newMunicipality()
      // The demo families bring endings, collateral raters and every status; the random ones vary them.
      await seedDemo(ctx.db, m.municipalityId)
      const coordinatorIds = [await createCoordinator(t, ctx, m.apiKey), await createCoordinator(t, ctx, m.apiKey)]
      for (const h of histories) await addFamily(t, ctx, m.apiKey, coordinatorIds, h as HistoryValue)
      const today = new Date().toISOString().slice(0, 10)
      const queries: Query[] = [
        { from: '2000-01-01', to: today },
        { from: addDays(today, -windowDaysAgo - 200), to: addDays(today, -windowDaysAgo) },
        { from: '2000-01-01', to: today, coordinatorId: coordinatorIds[0] },
        { from: '2000-01-01', to: today, ageGroup: 'child' },
        { from: '2000-01-01', to: today, ageGroup: 'adult' },
      ]
      const check = async (when: string) => {
        for (const q of queries) {
          const [stored, raw] = await Promise.all([viaApi(ctx, m.apiKey, q), fromRawRows(ctx, m.municipalityId, q)])
          if (!isDeepStrictEqual(stored, raw)) {
            t.same(stored, raw, `${when}: ${JSON.stringify(q)}`)
            return false
          }
        }
        return true
      }
      if (!(await check('as recorded'))) return false
      // New thresholds change statuses: the state is rebuilt before the settings answer.
      const patched = await ctx.call('PATCH', '/v1/settings', {
        key: m.apiKey,
        body: { thresholds: { ORS: { reliableChange: 3 }, CORS: { reliableChange: 8 } } },
      })
      if (patched.statusCode !== 200) throw new Error(patched.body)
      if (!(await check('after new thresholds'))) return false
      const refit = await ctx.call('POST', '/v1/expected-bands/recompute', { key: m.apiKey })
      if (refit.statusCode !== 200) throw new Error(refit.body)
      return check('after recompute-bands')
    }),
    { numRuns: 3, endOnFailure: true },
  )
  t.equal(runs >= 3, true, 'every run compared')
})
