import t from 'tap'
import { bandModelsFromReference } from '../../service/domain/band-models.js'
import { familyState, type FamilyStateInput } from '../../service/domain/family-state.js'
import { buildProgress } from '../../service/domain/progress.js'
import type { ReferenceSeries } from '../../service/domain/expected-band.js'
import { DEFAULT_INSTRUMENTS } from './fixtures/instruments.js'
import { addDays, ratingsOf, uuid } from './fixtures/ratings.js'

const familyId = uuid(100)
const mother = uuid(1)
const girl = uuid(2)
const boy = uuid(3)
const members = [
  { id: mother, alias: 'Mor', role: 'adult' as const, birthDate: '1988-05-20' },
  { id: girl, alias: 'Ida', role: 'child' as const, birthDate: '2008-02-10' }, // turns 18 during her ORS series
  { id: boy, alias: 'Jonas', role: 'child' as const, birthDate: '2017-09-01' },
]
const start = '2026-01-12'
const sessionIds = [uuid(60), uuid(61), uuid(62), uuid(63), uuid(64)]
const sessions = sessionIds.map((id, index) => ({ id, heldOn: addDays(start, index * 14) }))
const on = (o: Parameters<typeof ratingsOf>[1]) => ({ startOn: start, everyDays: 14, sessionIds, ...o })
const ratings = [
  ...ratingsOf([200, 205, 210, 200], on({ memberId: mother, instrument: 'ORS', idBase: 100 })), // no-change-3
  ...ratingsOf([380, 370, 355, 340], on({ memberId: mother, instrument: 'SRS', idBase: 200 })), // alliance-low, alliance-drop
  ...ratingsOf([220, 250, 272, 275, 200], on({ memberId: girl, instrument: 'ORS', idBase: 300 })), // sudden drop
  ...ratingsOf([300, 310], on({ memberId: boy, instrument: 'CORS', idBase: 400 })),
  ...ratingsOf([250, 260, 240], on({ memberId: boy, instrument: 'CORS', rater: 'parent', raterMemberId: mother, idBase: 500 })),
]
const cohort: ReferenceSeries[] = Array.from({ length: 40 }, (_, i) => ({
  key: `ref-${i}`,
  instrument: 'ORS',
  intake: 200 + (i % 5),
  scores: [200, 230 + i, 260 + i],
}))

function input(overrides: Partial<FamilyStateInput> = {}): FamilyStateInput {
  return {
    family: { id: familyId, coordinatorId: uuid(900), startedOn: '2026-01-05', endedOn: null, ending: null },
    members,
    sessions,
    ratings,
    instruments: DEFAULT_INSTRUMENTS,
    bandModelOf: bandModelsFromReference(cohort, 30),
    ...overrides,
  }
}

t.test('the stored state holds what the progress payload computes, overdue aside', async (t) => {
  const state = familyState(input())
  const progress = buildProgress({
    ...input(),
    today: '2026-03-20',
    family: { id: familyId, startedOn: '2026-01-05', status: 'active' },
    settings: { overdueDays: 42 },
  })
  const payloadSeries = progress.members.flatMap((m) => m.series.map((s) => ({ memberId: m.memberId, ...s })))
  t.equal(state.series.length, payloadSeries.length, 'one row per series')
  state.series.forEach((s, i) => {
    const p = payloadSeries[i]
    t.equal(s.position, i, 'positions follow the display order')
    t.same([s.memberId, s.instrument, s.rater, s.raterMemberId], [p.memberId, p.instrument, p.rater, p.raterMemberId], `series ${i}: same identity and order`)
    t.same(
      [s.points, s.intake, s.latest, s.latestOn, s.status, s.cutoff],
      [p.points.length, p.points[0].total, p.points.at(-1)!.total, p.points.at(-1)!.heldOn, p.status, p.cutoff],
    )
    t.same(s.trend, p.trend)
    t.same(
      s.flags.map((f) => [f.code, f.sessionId]),
      p.flags.map((f) => [f.code, f.sessionId]),
    )
  })
  const nonFamily = progress.flags.filter((f) => f.code !== 'overdue')
  t.same(
    [...state.series.flatMap((s) => s.flags)].sort(
      (a, b) => ['notice', 'warning', 'alert'].indexOf(b.severity) - ['notice', 'warning', 'alert'].indexOf(a.severity),
    ),
    nonFamily,
    'the series flags, ordered by severity, are the payload flag list without overdue',
  )
  t.equal(state.family.flagCount, nonFamily.length)
  t.equal(state.family.severity, 'warning')
  t.equal(state.family.lastSessionOn, sessions.at(-1)!.heldOn)
  t.equal(state.family.sessionCount, 5)
  const ors = state.series.find((s) => s.memberId === mother && s.instrument === 'ORS')!
  t.ok(ors.band && ors.band.cohortSize === 40, 'the band at the latest point, with its cohort size')
  t.same(state.series.find((s) => s.instrument === 'SRS')!.band, null, 'no band on alliance')
  t.same(state.series.find((s) => s.memberId === girl)!.previous, 275)
})

t.test('report fields sit on each primary series only, as the report computes them', async (t) => {
  const state = familyState(input({ family: { id: familyId, coordinatorId: uuid(900), startedOn: '2026-01-05', endedOn: '2026-03-01', ending: 'unilateral' } }))
  const primary = state.series.filter((s) => s.report !== null)
  t.same(
    primary.map((s) => [s.memberId, s.instrument, s.rater]),
    [
      [mother, 'ORS', 'self'],
      [girl, 'ORS', 'self'],
      [boy, 'CORS', 'self'],
    ],
    'self-rated ORS/CORS, one per person',
  )
  t.equal(primary[0].report!.firstAlliance, 380)
  t.equal(primary[0].report!.daysInService, 49)
  t.equal(primary[1].report!.ageGroupAtIntake, 'adolescent', 'age group at intake')
  t.ok(state.family.leftBehind, 'a member neither improved nor recovered')
  const planned = familyState(input({ family: { id: familyId, coordinatorId: uuid(900), startedOn: '2026-01-05', endedOn: '2026-03-01', ending: 'planned' } }))
  t.ok(planned.family.leftBehind, 'left behind is about the members, whatever the ending (the report counts it for unilateral endings)')
})
