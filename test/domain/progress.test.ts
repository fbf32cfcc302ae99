import t from 'tap'
import { bandModelsFromReference } from '../../service/domain/band-models.js'
import { $FamilyProgress, $Progress } from '../../service/contracts/progress.js'
import { defaultReferenceKey, type ReferenceSeries } from '../../service/domain/expected-band.js'
import { familyView } from '../../service/domain/family-view.js'
import { buildProgress, type ProgressInput } from '../../service/domain/progress.js'
import type { RatingFact } from '../../service/domain/series.js'
import { DEFAULT_INSTRUMENTS } from './fixtures/instruments.js'
import { addDays, ratingsOf, uuid } from './fixtures/ratings.js'

const family = uuid(100)
const mother = uuid(1)
const girl = uuid(2) // turns 18 on 2026-02-10, during her ORS series
const boy = uuid(3) // 8 years old
const toddler = uuid(4) // 4 years old
const baby = uuid(5) // not yet rated

const members: ProgressInput['members'] = [
  { id: mother, alias: 'Mor', role: 'adult', birthDate: '1988-05-20' },
  { id: girl, alias: 'Ida', role: 'child', birthDate: '2008-02-10' },
  { id: boy, alias: 'Jonas', role: 'child', birthDate: '2017-09-01' },
  { id: toddler, alias: 'Emma', role: 'child', birthDate: '2021-11-30' },
  { id: baby, alias: 'Noah', role: 'child', birthDate: '2025-01-15' },
]

// Four conversations two weeks apart, the last on 2026-02-23.
const start = '2026-01-12'
const sessionIds = [uuid(60), uuid(61), uuid(62), uuid(63)]
const sessions = sessionIds.map((id, index) => ({ id, heldOn: addDays(start, index * 14) }))
const on = (overrides: Parameters<typeof ratingsOf>[1]) => ({ startOn: start, everyDays: 14, sessionIds, ...overrides })

const ratings: RatingFact[] = [
  ...ratingsOf([200, 210, 220, 230], on({ memberId: mother, instrument: 'ORS', idBase: 100 })),
  ...ratingsOf([380, 370, 355, 350], on({ memberId: mother, instrument: 'SRS', idBase: 200 })),
  ...ratingsOf([220, 250, 272, 275], on({ memberId: girl, instrument: 'ORS', idBase: 300 })),
  ...ratingsOf([300, 310], on({ memberId: boy, instrument: 'CORS', idBase: 400 })),
  ...ratingsOf([250, 260], on({ memberId: boy, instrument: 'CORS', rater: 'parent', raterMemberId: mother, idBase: 500 })),
  ...ratingsOf([390, 392], on({ memberId: boy, instrument: 'CSRS', idBase: 600 })),
  ...ratingsOf([20, 90, 10], on({ memberId: toddler, instrument: 'YCORS', idBase: 700 })),
  ...ratingsOf([10, 100, 0], on({ memberId: toddler, instrument: 'YCSRS', idBase: 800 })),
]

function input(overrides: Partial<ProgressInput> = {}): ProgressInput {
  return {
    today: '2026-03-01',
    family: { id: family, startedOn: '2026-01-05', status: 'active' },
    members,
    sessions,
    ratings,
    instruments: DEFAULT_INSTRUMENTS,
    settings: { overdueDays: 42 },
    bandModelOf: bandModelsFromReference([], 30),
    ...overrides,
  }
}

const seriesOfMember = (progress: ReturnType<typeof buildProgress>, memberId: string) =>
  progress.members.find((member) => member.memberId === memberId)?.series ?? []

t.test('the payload has the contract shape and keeps the members in display order', async (t) => {
  const progress = buildProgress(input())
  t.ok($Progress.safeParse(progress).success, 'parses with $Progress')
  t.same(
    progress.members.map((member) => [member.alias, member.ageGroup, member.series.length]),
    [
      ['Mor', 'adult', 2],
      ['Ida', 'adult', 1],
      ['Jonas', 'child', 3],
      ['Emma', 'young-child', 2],
      ['Noah', null, 0],
    ],
    'age group today; nobody under 3 has one',
  )
  t.same(
    seriesOfMember(progress, boy).map((series) => [series.instrument, series.rater, series.raterMemberId]),
    [
      ['CORS', 'self', null],
      ['CORS', 'parent', mother],
      ['CSRS', 'self', null],
    ],
    'series follow the order of the instruments given, self first',
  )
})

t.test('an outcome series: points, cutoff, reliable change, status, trend', async (t) => {
  const [ors] = seriesOfMember(buildProgress(input()), mother)
  t.same(ors.points[3], { sessionId: sessionIds[3], sessionNumber: 4, heldOn: '2026-02-23', total: 230, items: null })
  t.same([ors.kind, ors.cutoff, ors.reliableChange, ors.status], ['outcome', 250, 50, 'no-reliable-change'])
  t.equal(ors.trend?.slopePerSession, 10)
  t.equal(ors.trend?.n, 4)
  t.equal(ors.expected, null, 'no reference cohort, no band')
  t.same(
    ors.flags.map((flag) => flag.code),
    ['no-change-3'],
  )
})

t.test('the cutoff follows the age group at the latest point', async (t) => {
  const [ors] = seriesOfMember(buildProgress(input()), girl)
  t.equal(ors.cutoff, 250, 'she turned 18 during the series: judged against the adult cutoff')
  t.equal(ors.status, 'recovered', '22.0 → 27.5: reliable, and now at or above 25.0')
  const beforeBirthday = buildProgress(input({ ratings: ratings.filter((r) => r.memberId !== girl || r.heldOn < '2026-02-10') }))
  const [early] = seriesOfMember(beforeBirthday, girl)
  t.equal(early.cutoff, 280, 'while she was 17 the adolescent cutoff applied')
  t.equal(early.status, 'improved', '22.0 → 27.2: reliable, but still below 28.0')
})

t.test('alliance and young-child series carry no status; young-child ones no cutoff and no flags', async (t) => {
  const progress = buildProgress(input())
  const srs = seriesOfMember(progress, mother)[1]
  t.same([srs.kind, srs.cutoff, srs.reliableChange, srs.status, srs.expected], ['alliance', 360, null, null, null])
  t.same(
    srs.flags.map((flag) => flag.code),
    ['alliance-low'],
  )
  const csrs = seriesOfMember(progress, boy)[2]
  t.same([csrs.cutoff, csrs.flags.length], [360, 0])
  for (const series of seriesOfMember(progress, toddler)) {
    t.same([series.cutoff, series.reliableChange, series.status, series.expected, series.flags], [null, null, null, null, []], series.instrument)
    t.equal(series.trend?.n, 3, 'but they are shown with a trend line')
  }
  t.equal(seriesOfMember(progress, boy)[0].trend, null, 'two points: no trend')
})

t.test('the family list holds every member flag and the family flags, most severe first', async (t) => {
  const progress = buildProgress(input({ today: '2026-04-06' }))
  t.same(
    progress.flags.map((flag) => [flag.code, flag.severity, flag.memberId, flag.instrument, flag.rater]),
    [
      ['alliance-low', 'warning', mother, 'SRS', 'self'],
      ['no-change-3', 'notice', mother, 'ORS', 'self'],
      ['overdue', 'notice', null, null, null],
    ],
  )
  const overdue = progress.flags[2]
  t.same([overdue.sessionNumber, overdue.sessionId, overdue.heldOn, overdue.detail.days], [null, sessionIds[3], '2026-02-23', 42])
  t.notOk(
    buildProgress(input({ today: '2026-04-05' })).flags.some((flag) => flag.code === 'overdue'),
    '41 days',
  )
  t.notOk(
    buildProgress(input({ today: '2026-04-06', family: { id: family, startedOn: '2026-01-05', status: 'ended' } })).flags.some(
      (flag) => flag.code === 'overdue',
    ),
    'ended family',
  )
})

t.test('an expected band where the reference cohort is large enough, never with the series itself', async (t) => {
  const cohort: ReferenceSeries[] = Array.from({ length: 30 }, (_, i) => ({
    key: `pooled-${i}`,
    instrument: 'ORS',
    intake: 200,
    scores: [200, 210 + i, 220 + i, 230 + i],
  }))
  const withBand = seriesOfMember(buildProgress(input({ bandModelOf: bandModelsFromReference(cohort, 30) })), mother)[0]
  t.equal(withBand.expected?.cohortSize, 30)
  t.same(withBand.expected?.sessionNumbers, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
  t.ok(
    withBand.flags.some((flag) => flag.code === 'below-expected'),
    'mother is below p25 of a cohort that improves faster',
  )

  const mothersOwn = { key: 'mine', instrument: 'ORS', intake: 200, scores: [200, 210, 220, 230] }
  const excluded = buildProgress(
    input({
      bandModelOf: bandModelsFromReference([...cohort.slice(1), mothersOwn], 30, (series) =>
        series.memberId === mother ? 'mine' : defaultReferenceKey(series),
      ),
    }),
  )
  t.equal(seriesOfMember(excluded, mother)[0].expected, null, 'her own series is not her reference: 29 left')
  t.equal(seriesOfMember(buildProgress(input({ bandModelOf: bandModelsFromReference(cohort, 30) })), mother)[1].expected, null, 'no band on alliance')
})

t.test('members not listed are left out; unknown instruments are a data error', async (t) => {
  const onlyBoy = buildProgress(input({ members: members.filter((member) => member.id === boy) }))
  t.same(
    onlyBoy.members.map((member) => member.memberId),
    [boy],
  )
  t.notOk(onlyBoy.flags.some((flag) => flag.memberId !== boy && flag.memberId !== null))
  t.throws(() => buildProgress(input({ instruments: DEFAULT_INSTRUMENTS.filter((i) => i.code !== 'CSRS') })), /CSRS/)
})

t.test('the family view: points and trends, the cutoff as a reference line, nothing that judges', async (t) => {
  const progress = buildProgress(input())
  const view = familyView(progress, { showAlliance: false })
  t.ok($FamilyProgress.safeParse(view).success, 'parses with $FamilyProgress')
  t.equal(view.view, 'family')
  t.same(
    view.members.map((member) => member.series.map((series) => series.instrument)),
    [['ORS'], ['ORS'], ['CORS', 'CORS'], ['YCORS'], []],
    'no alliance series unless the municipality shows them',
  )
  const [ors] = view.members[0].series
  t.same(Object.keys(ors).sort(), ['instrument', 'kind', 'points', 'rater', 'raterMemberId', 'referenceLine', 'trend'])
  t.equal(ors.referenceLine, 250)
  t.same(ors.points, progress.members[0].series[0].points)
  t.notOk(JSON.stringify(view).match(/status|expected|flags|reliableChange|p25/), 'no judging fields anywhere')

  const withAlliance = familyView(progress, { showAlliance: true })
  t.same(
    withAlliance.members[0].series.map((series) => series.instrument),
    ['ORS', 'SRS'],
  )
  t.same(
    familyView(progress, { showAlliance: true, memberId: boy }).members.map((member) => member.alias),
    ['Jonas'],
  )

  view.members[0].series[0].points[0].total = 0
  t.equal(progress.members[0].series[0].points[0].total, 200, 'the view shares nothing mutable with the payload')
})
