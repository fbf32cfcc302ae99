import t from 'tap'
import { bandModelsFromReference } from '../../service/domain/band-models.js'
import type { Ending } from '../../service/contracts/common.js'
import type { ReferenceSeries } from '../../service/domain/expected-band.js'
import { primarySeriesOf } from '../../service/domain/primary-series.js'
import { outcomeReport, type OutcomeReportInput, type ReportMember } from '../../service/domain/report.js'
import type { SeriesFacts } from '../../service/domain/series.js'
import { DEFAULT_INSTRUMENTS } from './fixtures/instruments.js'
import { seriesOf, uuid, type RatingsOptions } from './fixtures/ratings.js'

let ids = 10_000
const nextId = () => uuid(ids++)
const series = (totals: readonly number[], options: RatingsOptions = {}): SeriesFacts =>
  seriesOf(totals, { idBase: (ids += 1000), startOn: '2025-03-03', ...options })

const ADULT = '1980-06-01'
const ADOLESCENT = '2010-01-01' // 15 in 2025
const CHILD = '2016-01-01' // 9 in 2025
const COORDINATOR = uuid(9)

function member(familyId: string, birthDate: string, ...memberSeries: SeriesFacts[]): ReportMember {
  const id = nextId()
  return { id, familyId, birthDate, series: memberSeries.map((s) => ({ ...s, memberId: id })) }
}

function report(members: readonly ReportMember[], endings: Record<string, Ending | null> = {}, overrides: Partial<OutcomeReportInput> = {}) {
  const familyIds = [...new Set(members.map((m) => m.familyId))]
  return outcomeReport({
    from: '2025-01-01',
    to: '2025-12-31',
    families: familyIds.map((id) => ({ id, coordinatorId: COORDINATOR, startedOn: '2025-03-01', ending: endings[id] ?? null })),
    members,
    instruments: DEFAULT_INSTRUMENTS,
    bandModelOf: bandModelsFromReference([], 30),
    ...overrides,
  })
}

const adults = (count: number, family = nextId()) => Array.from({ length: count }, () => member(family, ADULT, series([200, 210])))

t.test('small cells are suppressed: 4 persons → every number null, 5 → shown', async (t) => {
  const four = report(adults(4))
  const adultCell = four.groups.find((group) => group.ageGroup === 'adult')
  t.equal(adultCell?.suppressed, true)
  t.ok(
    Object.entries(adultCell ?? {}).every(([key, value]) => key === 'ageGroup' || key === 'suppressed' || value === null),
    'every number null',
  )
  t.equal(four.all.suppressed, true, 'the overall cell too')
  t.equal(four.all.persons, null)

  const five = report(adults(5))
  t.equal(five.groups.find((group) => group.ageGroup === 'adult')?.suppressed, false)
  t.equal(five.groups.find((group) => group.ageGroup === 'adult')?.persons, 5)
  t.same(
    five.groups.map((group) => [group.ageGroup, group.suppressed]),
    [
      ['child', true],
      ['adolescent', true],
      ['adult', false],
    ],
  )
  t.same([five.from, five.to], ['2025-01-01', '2025-12-31'])
})

t.test('every figure of one age group', async (t) => {
  const [a, b, c] = [nextId(), nextId(), nextId()]
  const members = [
    // Adult cutoff 25.0, reliable change 5.0.
    member(a, ADULT, series([200, 260]), series([370, 380], { instrument: 'SRS' })), // recovered
    member(
      a,
      ADULT,
      series([220, 230], { startOn: '2025-04-01' }), // no reliable change
      // Alliance on 2025-03-04 (before her outcome intake: not counted), 2025-04-01, 2025-04-29.
      series([300, 350, 360], { instrument: 'SRS', startOn: '2025-03-04', everyDays: 28 }),
    ),
    member(b, ADULT, series([300, 240])), // deteriorated
    member(c, ADULT, series([150, 210, 220])), // improved, still below the cutoff
    member(c, ADULT, series([240])), // one point: not enough data
  ]
  const cell = report(members, { [a]: 'unilateral', [b]: 'planned' }).groups.find((group) => group.ageGroup === 'adult')
  t.equal(cell?.persons, 5)
  t.equal(cell?.families, 3)
  t.equal(cell?.collateralRaters, 0)
  t.equal(cell?.meanIntakeOutcome, (200 + 220 + 300 + 150 + 240) / 5, 'tenths')
  t.equal(cell?.meanIntakeAlliance, (370 + 350) / 2, 'first alliance from the intake on, for those who have one')
  t.equal(cell?.meanSessions, (2 + 2 + 2 + 3 + 1) / 5)
  // Family start 2025-03-01; latest points 2025-03-17, 2025-04-15, 2025-03-17, 2025-03-31, 2025-03-03.
  t.equal(cell?.meanDaysInService, (16 + 45 + 16 + 30 + 2) / 5)
  t.same(
    [cell?.recoveredPct, cell?.improvedPct, cell?.noReliableChangePct, cell?.deterioratedPct],
    [25, 25, 25, 25],
    'among the four series with two points or more',
  )
  t.equal(cell?.dropoutPct, 50, 'two ended families; the unilateral one has a member who did not improve')
  // Intake below 25.0 with a second point: 20.0 → 26.0, 22.0 → 23.0, 15.0 → 22.0.
  const sd = Math.sqrt(((200 - 190) ** 2 + (220 - 190) ** 2 + (150 - 190) ** 2) / 2)
  t.ok(Math.abs((cell?.effectSize ?? NaN) - (60 + 10 + 70) / 3 / sd) < 1e-12, `effect size ${cell?.effectSize}`)
})

t.test('effect size needs two clinical persons with a spread of intakes', async (t) => {
  const one = report([...adults(4).map((m) => ({ ...m, series: [series([300, 310])] })), member(nextId(), ADULT, series([200, 260]))])
  t.equal(one.all.effectSize, null, 'one person below the cutoff')
  t.equal(report(adults(5)).all.effectSize, null, 'five identical intakes: SD 0')
})

t.test('each person counts once, by the self-rated series of the instrument rated last, in the age group at intake', async (t) => {
  const cors = series([200, 210, 220], { instrument: 'CORS', startOn: '2024-09-02' })
  const ors = series([240, 250], { instrument: 'ORS', startOn: '2025-04-07' })
  const parent = series([150, 160, 170, 180], {
    instrument: 'ORS',
    rater: 'parent',
    raterMemberId: uuid(1),
    startOn: '2025-06-02',
  })
  t.equal(primarySeriesOf([cors, ors, parent])?.instrument, 'ORS', 'a child who turned 13 counts by the ORS series')
  t.equal(primarySeriesOf([parent]), null, 'series rated by others never make a person')
  t.equal(primarySeriesOf([series([50, 60], { instrument: 'YCORS' })]), null, 'young-child forms are not in the report')

  // Born 2012-04-01: 12 at the CORS intake, 13 at the ORS intake.
  const turned13 = Array.from({ length: 5 }, () => member(nextId(), '2012-04-01', cors, ors))
  const result = report(turned13)
  t.same(
    result.groups.map((group) => [group.ageGroup, group.persons]),
    [
      ['child', null],
      ['adolescent', 5],
      ['adult', null],
    ],
  )
  t.equal(result.groups[1].meanIntakeOutcome, 240, 'the ORS intake, not the CORS one')
})

t.test('young children are never persons in the report, even on a child form by override', async (t) => {
  const fiveYearOlds = Array.from({ length: 5 }, () => member(nextId(), '2020-01-01', series([200, 260], { instrument: 'CORS' })))
  const toddlers = Array.from({ length: 5 }, () => member(nextId(), '2021-01-01', series([50, 60], { instrument: 'YCORS' })))
  const result = report([...fiveYearOlds, ...toddlers])
  t.equal(result.all.suppressed, true)
  t.same(
    result.groups.map((group) => group.suppressed),
    [true, true, true],
  )
})

t.test('a series belongs to the period when its latest point lies in it, both ends included', async (t) => {
  const endingOn = (last: string) => {
    const s = series([200, 210])
    const points = [s.points[0], { ...s.points[1], heldOn: last }]
    return member(nextId(), ADULT, { ...s, points })
  }
  const inside = [endingOn('2025-01-01'), endingOn('2025-12-31'), endingOn('2025-06-01'), endingOn('2025-07-01')]
  t.equal(report([...inside, endingOn('2024-12-31')]).all.persons, null, 'the day before `from` is out: four left')
  t.equal(report([...inside, endingOn('2026-01-01')]).all.persons, null, 'the day after `to` is out')
  t.equal(report([...inside, endingOn('2025-12-31')]).all.persons, 5)
})

t.test('collateral raters: distinct rater and rater member per person, never persons themselves', async (t) => {
  const [mother, father] = [uuid(1), uuid(2)]
  const children = Array.from({ length: 5 }, (_, i) =>
    member(
      nextId(),
      CHILD,
      series([270, 330], { instrument: 'CORS' }),
      series([220, 230], { instrument: 'CORS', rater: 'parent', raterMemberId: mother }),
      ...(i === 0
        ? [
            series([220, 230], { instrument: 'CORS', rater: 'parent', raterMemberId: father }),
            series([200, 230], { instrument: 'CORS', rater: 'teacher' }),
            series([30, 40], { instrument: 'YCORS', rater: 'parent', raterMemberId: father }),
          ]
        : []),
    ),
  )
  const cell = report(children).groups.find((group) => group.ageGroup === 'child')
  t.equal(cell?.persons, 5)
  t.equal(cell?.collateralRaters, 4 + 3, 'the mother for each child; the father and a teacher for one')
  t.equal(cell?.recoveredPct, 100, "judged by their own series (CORS cutoff 32.0: 27.0 → 33.0), not by the parents' ratings")
})

t.test('dropout: a unilateral ending with any member not improved, or below the expected p50', async (t) => {
  const reference: ReferenceSeries[] = Array.from({ length: 30 }, (_, i) => ({
    key: `ref-${i}`,
    instrument: 'ORS',
    intake: 200,
    scores: [200, 280, 300],
  }))
  const unilateral = nextId()
  const planned = nextId()
  const improvedButSlow = member(unilateral, ADULT, series([200, 260, 270])) // +7.0: improved, far below the cohort's +10.0
  const others = Array.from({ length: 4 }, () => member(planned, ADULT, series([200, 300, 310])))
  const endings = { [unilateral]: 'unilateral' as const, [planned]: 'planned' as const }

  t.equal(report([improvedButSlow, ...others], endings).all.dropoutPct, 0, 'no band: improved is enough')
  t.equal(
    report([improvedButSlow, ...others], endings, { bandModelOf: bandModelsFromReference(reference, 30) }).all.dropoutPct,
    50,
    'with a band: below p50 counts',
  )
  const onTrack = member(unilateral, ADULT, series([200, 300, 320]))
  t.equal(report([onTrack, ...others], endings, { bandModelOf: bandModelsFromReference(reference, 30) }).all.dropoutPct, 0, 'improved and at or above p50')
  const active = report([onTrack, ...others], {}, { bandModelOf: bandModelsFromReference(reference, 30) })
  t.equal(active.all.dropoutPct, null, 'no ended family: no dropout figure')
})

t.test('one age group only', async (t) => {
  const result = report([...adults(5), ...Array.from({ length: 5 }, () => member(nextId(), ADOLESCENT, series([200, 210])))], {}, { ageGroup: 'adolescent' })
  t.same(
    result.groups.map((group) => group.ageGroup),
    ['adolescent'],
  )
  t.equal(result.all.persons, 5)
})

t.test('complementary suppression: a hidden cell cannot be worked out from `all`', async (t) => {
  const { complementarySuppression } = await import('../../service/domain/report.js')
  const sizes = (child: number, adolescent: number, adult: number) =>
    new Map([
      ['child', child],
      ['adolescent', adolescent],
      ['adult', adult],
    ] as const)
  t.same([...complementarySuppression(sizes(2, 7, 9))].sort(), ['adolescent', 'child'], 'the smallest shown group goes too')
  t.same([...complementarySuppression(sizes(2, 0, 6))].sort(), ['adolescent', 'adult', 'child'], 'all hidden when nothing else covers it')
  t.same([...complementarySuppression(sizes(0, 6, 6))].sort(), ['child'], 'an empty group reveals no one')
  t.same([...complementarySuppression(sizes(3, 4, 9))].sort(), ['adolescent', 'child'], 'two small groups together cover five')
  t.same([...complementarySuppression(sizes(5, 5, 5))], [], 'nothing to hide')
})
