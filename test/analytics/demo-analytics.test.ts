import t from 'tap'
import { seedDemo } from '../../service/cli/demo-data.js'
import { compareCaseload } from '../../service/domain/caseload.js'
import type { CaseloadItem } from '../../service/contracts/caseload.js'
import { testApp } from '../helpers/app.js'

const FLAG_CODES = ['no-change-3', 'no-change-6', 'no-change-10', 'deterioration', 'sudden-drop', 'below-expected', 'alliance-low', 'alliance-drop', 'overdue']
const STATUSES = ['recovered', 'improved', 'no-reliable-change', 'deteriorated', 'not-enough-data']

t.test('the demo histories show every status and every flag through the API', async (t) => {
  const ctx = await testApp(t)
  await seedDemo(ctx.db, ctx.municipality.municipalityId)

  const caseload = await ctx.call('GET', '/v1/caseload?limit=200')
  t.equal(caseload.statusCode, 200, caseload.body)
  const items = caseload.json().items as CaseloadItem[]
  t.equal(items.length, 8, 'the eight active demo families (two have ended)')
  const codes = new Set<string>(items.flatMap((i) => i.flags.map((f) => f.code)))
  for (const code of FLAG_CODES) t.ok(codes.has(code), `some family is flagged ${code}`)
  t.same(
    [...items].sort(compareCaseload).map((i) => i.familyId),
    items.map((i) => i.familyId),
    'most urgent first',
  )
  t.equal(items[items.length - 1].severity, null, 'the family doing well comes last')

  const statuses = new Set<string>()
  const families = (await ctx.call('GET', '/v1/families?limit=200')).json().items as { id: string }[]
  for (const f of families) {
    const progress = await ctx.call('GET', `/v1/families/${f.id}/progress`)
    t.equal(progress.statusCode, 200)
    for (const m of progress.json().members) for (const s of m.series) if (s.status) statuses.add(s.status)
  }
  for (const status of STATUSES) t.ok(statuses.has(status), `some series is ${status}`)
})

t.test('progress payload: units, bands, flags and the family view', async (t) => {
  const ctx = await testApp(t)
  await seedDemo(ctx.db, ctx.municipality.municipalityId)
  const family = (await ctx.call('GET', '/v1/families?externalRef=DEMO-1003')).json().items[0]
  const p = (await ctx.call('GET', `/v1/families/${family.id}/progress`)).json()
  const tone = p.members.find((m: { alias: string }) => m.alias === 'Tone')
  const ors = tone.series.find((s: { instrument: string }) => s.instrument === 'ORS')
  t.equal(ors.cutoff, 25, 'adult ORS cutoff in points')
  t.equal(ors.reliableChange, 5)
  t.equal(ors.status, 'deteriorated')
  t.ok(
    ors.points.every((pt: { total: number }) => pt.total >= 0 && pt.total <= 40 && Math.round(pt.total * 10) === pt.total * 10),
    'totals in points with one decimal',
  )
  t.same(
    ors.points.map((pt: { sessionNumber: number }) => pt.sessionNumber),
    ors.points.map((_: unknown, i: number) => i + 1),
  )
  t.ok(ors.trend && ors.trend.slopePerSession < 0, 'a falling trend')
  t.ok(ors.expected && ors.expected.cohortSize >= 30, 'a band from the synthetic reference cohort')
  t.equal(ors.expected.p50[0], ors.points[0].total, 'the band starts at the intake')
  const det = ors.flags.find((f: { code: string }) => f.code === 'deterioration')
  t.ok(det, 'deterioration flagged')
  t.equal(det.detail.intake, ors.points[0].total, 'flag detail in points')
  t.equal(det.severity, 'alert')
  const srs = tone.series.find((s: { instrument: string }) => s.instrument === 'SRS')
  t.equal(srs.status, null)
  t.equal(srs.cutoff, 36)
  t.ok(p.flags.some((f: { code: string; memberId: string }) => f.code === 'alliance-drop' && f.memberId === tone.memberId))

  // The family sees its own lines in the family view: no judgement, no bands, no flags.
  const coordinator = family.coordinatorId
  t.ok(coordinator)
  const token = (await ctx.call('POST', '/v1/embed-tokens', { body: { role: 'family', familyId: family.id } })).json().token
  const view = (await ctx.call('GET', `/v1/families/${family.id}/progress`, { key: token })).json()
  t.equal(view.view, 'family')
  const text = JSON.stringify(view)
  for (const word of ['"status"', '"expected"', '"flags"', '"reliableChange"', '"cutoff"']) t.notOk(text.includes(word), `no ${word} in the family view`)
  t.ok(
    view.members[0].series.every((s: { kind: string }) => s.kind === 'outcome'),
    'no alliance unless the municipality shows it',
  )
  t.equal(view.members[0].series[0].referenceLine, 25)
})

t.test('the caseload answers in a fixed number of queries whatever its size', async (t) => {
  const ctx = await testApp(t)
  const { pg } = await import('../../service/db/pg-types.js')
  const coordinator = (await ctx.call('POST', '/v1/coordinators', { body: { externalRef: 'q', displayName: 'Q' } })).json().id
  const addFamilies = async (n: number, offset: number) => {
    for (let i = 0; i < n; i++) {
      const f = (
        await ctx.call('POST', '/v1/families', {
          body: {
            externalRef: `Q-${offset + i}`,
            coordinatorId: coordinator,
            startedOn: '2026-01-05',
            members: [{ alias: 'A', role: 'adult', birthDate: '1980-02-02' }],
          },
        })
      ).json()
      for (const [k, day] of ['2026-02-01', '2026-03-01', '2026-04-01'].entries()) {
        const r = await ctx.call('POST', `/v1/families/${f.id}/sessions`, {
          body: { heldOn: day, kind: 'office', ratings: [{ memberId: f.members[0].id, instrument: 'ORS', rater: 'self', total: 20 + k }] },
        })
        t.equal(r.statusCode, 201)
      }
    }
  }
  const count = async () => {
    await ctx.call('GET', `/v1/caseload?coordinatorId=${coordinator}&limit=200`) // warm the reference cache
    const original = pg.Client.prototype.query
    let queries = 0
    pg.Client.prototype.query = function (this: unknown, ...args: unknown[]) {
      queries++
      return (original as (...a: unknown[]) => unknown).apply(this, args)
    } as typeof original
    try {
      const r = await ctx.call('GET', `/v1/caseload?coordinatorId=${coordinator}&limit=200`)
      t.equal(r.statusCode, 200)
      return { queries, families: r.json().items.length }
    } finally {
      pg.Client.prototype.query = original
    }
  }
  await addFamilies(2, 0)
  const small = await count()
  await addFamilies(10, 2)
  const large = await count()
  t.equal(small.families, 2)
  t.equal(large.families, 12)
  t.equal(large.queries, small.queries, `${small.queries} queries for 2 families and for 12`)
})

t.test('outcome report, expected-band recompute and the caseload cursor', async (t) => {
  const ctx = await testApp(t)
  const counts = await seedDemo(ctx.db, ctx.municipality.municipalityId)
  t.ok(counts.families >= 10)
  const recompute = await ctx.call('POST', '/v1/expected-bands/recompute', { idempotencyKey: 'r1' })
  t.equal(recompute.statusCode, 200, recompute.body)
  t.ok(recompute.json().series > 10)
  t.ok(recompute.json().synthetic >= 30)

  const report = await ctx.call('GET', '/v1/reports/outcomes')
  t.equal(report.statusCode, 200, report.body)
  const r = report.json()
  t.same(
    r.groups.map((g: { ageGroup: string }) => g.ageGroup),
    ['child', 'adolescent', 'adult'],
  )
  for (const g of [...r.groups, r.all]) {
    if (g.suppressed)
      t.ok(
        Object.entries(g).every(([k, v]) => k === 'suppressed' || k === 'ageGroup' || v === null),
        'a suppressed cell has every number null',
      )
    else t.ok(g.persons >= 5, 'shown cells have at least five persons')
  }
  const adolescents = await ctx.call('GET', '/v1/reports/outcomes?ageGroup=adolescent')
  t.equal(adolescents.json().groups.length, 1)
  t.equal((await ctx.call('GET', '/v1/reports/outcomes?from=2026-05-01&to=2026-01-01')).statusCode, 422)
  t.equal((await ctx.call('GET', '/v1/reports/outcomes?ageGroup=baby')).statusCode, 400)

  const all = (await ctx.call('GET', '/v1/caseload?limit=200')).json().items.map((i: { familyId: string }) => i.familyId)
  const seen: string[] = []
  let cursor: string | null = null
  do {
    const page: { items: { familyId: string }[]; nextCursor: string | null } = (
      await ctx.call('GET', `/v1/caseload?limit=3${cursor ? `&cursor=${cursor}` : ''}`)
    ).json()
    seen.push(...page.items.map((i) => i.familyId))
    cursor = page.nextCursor
  } while (cursor)
  t.same(seen, all, 'pages of three add up to the whole caseload, in order')
})
