import fc from 'fast-check'
import { sql } from 'kysely'
import type { LightMyRequestResponse } from 'fastify'
import t from 'tap'
import { inMunicipality } from '../../service/db/kysely.js'
import { ageOn, daysBetween } from '../../service/domain/calendar.js'
import { progressContext, progressWithBands } from '../../service/progress/progress.js'
import { loadFamilyFacts } from '../../service/repositories/family-facts.js'
import { progressToPoints } from '../../service/routes/present-progress.js'
import { computedStateRows } from '../../service/state/stored-state.js'
import { daysAgo, testApp, yearsAgo, type TestApp } from '../helpers/app.js'
import { addDays, BIRTH, minusYears, safeDaysAgo, uniqueRef } from '../helpers/fixtures.js'

/**
 * A model test of the stored state (series_state, family_state) through the real API. Random
 * sequences of writes (sessions, ratings, members, endings, reassignments, settings, recomputed
 * bands, refused requests, replays) run over the families of a fresh municipality; after every
 * one of them the stored rows must be what the rules give from the raw rows now, a refused
 * request must leave them as they were, and the caseload (read from the stored state) must show
 * each active family's flags exactly as its progress (computed from the ratings) does.
 */

// ---------------------------------------------------------------------------------------------
// What the test knows of the municipality: the ids the API gave back, and what each refers to.

type Kind = 'outcome' | 'alliance'

interface MemberModel {
  id: string
  alias: string
  birthDate: string
}
interface RatingModel {
  id: string
  sessionId: string
  memberId: string
  instrument: string
  rater: string
  raterMemberId: string | null
  instrumentOverride: { reason: string } | null
}
interface SessionModel {
  id: string
  familyId: string
  heldOn: string
  ratings: RatingModel[]
}
interface FamilyModel {
  id: string
  label: string
  startedOn: string
  endedOn: string | null
  coordinatorId: string
  members: MemberModel[]
  sessions: SessionModel[]
  erased: boolean
}
interface Model {
  today: string
  coordinators: string[]
  families: FamilyModel[]
  /** The last create that answered 201, to replay with its idempotency key. */
  lastCreate: { url: string; body: unknown; idempotencyKey: string; familyId: string; answer: unknown } | null
  /** Ids as readable labels (F0.Mor, S3, R7) for the request log of a counterexample. */
  names: Map<string, string>
}

const live = (model: Model) => model.families.filter((f) => !f.erased)
const sessionsOf = (model: Model) => live(model).flatMap((f) => f.sessions)
const ratingsOf = (model: Model) => sessionsOf(model).flatMap((s) => s.ratings)
const familyOfSession = (model: Model, s: SessionModel) => model.families.find((f) => f.id === s.familyId)!
const pick = <T>(list: readonly T[], index: number): T | undefined => (list.length === 0 ? undefined : list[index % list.length])

/** Members with their birth dates chosen so that some cross an instrument or cutoff boundary within the family's time. */
function familySpecs() {
  return [
    {
      startedDaysAgo: 320,
      members: [
        { alias: 'Mor', role: 'adult', birthDate: BIRTH.adult() },
        { alias: 'Tenåring', role: 'child', birthDate: BIRTH.adolescent() },
        { alias: 'Barn', role: 'child', birthDate: BIRTH.child() },
        { alias: 'Liten', role: 'child', birthDate: BIRTH.youngChild() },
      ],
    },
    {
      startedDaysAgo: 260,
      members: [
        { alias: 'Far', role: 'adult', birthDate: yearsAgo(41) },
        // Turned 13 a hundred days ago (CORS, then ORS), and 18 some 120 days ago (cutoff 28, then 25).
        { alias: 'Ida', role: 'child', birthDate: minusYears(safeDaysAgo(100), 13) },
        { alias: 'Jonas', role: 'child', birthDate: minusYears(safeDaysAgo(120), 18) },
        { alias: 'Baby', role: 'child', birthDate: BIRTH.toddler() },
      ],
    },
    {
      startedDaysAgo: 200,
      members: [
        { alias: 'Mor', role: 'adult', birthDate: yearsAgo(29) },
        // Turned 6 eighty days ago (YCORS, then CORS), and 3 sixty days ago (not rated before).
        { alias: 'Ola', role: 'child', birthDate: minusYears(safeDaysAgo(80), 6) },
        { alias: 'Eva', role: 'child', birthDate: minusYears(safeDaysAgo(60), 3) },
      ],
    },
  ] as const
}

// ---------------------------------------------------------------------------------------------
// Commands: descriptors with free indices, resolved against the model when they run.

const RATING_FAULTS = ['wrong-instrument', 'alliance-by-parent', 'adult-by-teacher', 'too-young', 'duplicate', 'item-too-high', 'foreign-member'] as const
const SESSION_FAULTS = ['future', 'before-start', 'after-end'] as const
type RatingFault = (typeof RATING_FAULTS)[number]
type SessionFault = (typeof SESSION_FAULTS)[number]

const tenths = fc.integer({ min: 0, max: 100 })
const ratingArb = fc.record({
  member: fc.nat(11),
  kind: fc.constantFrom<Kind>('outcome', 'outcome', 'alliance'),
  rater: fc.constantFrom('self', 'self', 'self', 'parent', 'caretaker', 'teacher', 'coordinator', 'other'),
  raterMember: fc.option(fc.nat(11), { nil: null }),
  score: fc.oneof(
    { weight: 4, arbitrary: fc.array(tenths, { minLength: 4, maxLength: 4 }).map((items) => ({ items })) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 400 }).map((total) => ({ total })) },
  ),
  override: fc.nat(9).map((n) => n === 0),
})
type RatingDesc = typeof ratingArb extends fc.Arbitrary<infer T> ? T : never
const A_RATING: RatingDesc = { member: 0, kind: 'outcome', rater: 'self', raterMember: null, score: { items: [50, 50, 50, 50] }, override: false }

/** Mostly valid; now and then one fault the API must refuse. */
const faultOf = <T>(faults: readonly T[]) => fc.oneof({ weight: 6, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.constantFrom(...faults) })

const sessionArb = fc.record({
  family: fc.nat(5),
  at: fc.integer({ min: 0, max: 1000 }),
  ratings: fc.array(ratingArb, { maxLength: 6 }),
  fault: faultOf<RatingFault | SessionFault>([...RATING_FAULTS, ...SESSION_FAULTS]),
})

/** Settings changes: thresholds and the band minimum rebuild the whole state; the last two are refused. */
const SETTINGS: { body: Record<string, unknown>; refused?: true }[] = [
  { body: { thresholds: { ORS: { reliableChange: 3 } } } },
  { body: { thresholds: { ORS: { reliableChange: 8, noChangeSessions: [2, 3, 4] } } } },
  { body: { thresholds: { ORS: { cutoffs: { adult: 30, adolescent: 20 } } } } },
  { body: { thresholds: { ORS: { cutoffs: { adult: null } } } } },
  { body: { thresholds: { ORS: { reliableChange: null } } } },
  { body: { thresholds: { CORS: { cutoffs: { child: 28 }, reliableChange: 4, noChangeSessions: [2] } } } },
  { body: { thresholds: { SRS: { cutoffs: { adult: 38, adolescent: 30 }, allianceDrop: 0.5 } } } },
  { body: { thresholds: { CSRS: { allianceDrop: 3, cutoffs: { child: 39 } } } } },
  { body: { thresholds: { YCORS: { cutoffs: { 'young-child': 5 }, reliableChange: 1 } } } },
  { body: { thresholds: { ORS: null, CORS: null, SRS: null, CSRS: null } } },
  { body: { expectedBandMinSeries: 1 } },
  { body: { expectedBandMinSeries: 5 } },
  { body: { expectedBandMinSeries: 30 } },
  { body: { overdueDays: 7 } },
  { body: { overdueDays: 42 } },
  { body: { overdueDays: 200, thresholds: { CORS: { reliableChange: 2 } } } },
  { body: { thresholds: { PHQ9: { reliableChange: 5 } }, expectedBandMinSeries: 2 }, refused: true },
  { body: { overdueDays: 0 }, refused: true },
]

const commandArb = fc.oneof(
  { weight: 6, arbitrary: sessionArb.map((s) => ({ op: 'create-session' as const, ...s })) },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('patch-session' as const),
      session: fc.nat(99),
      at: fc.integer({ min: 0, max: 1000 }),
      future: fc.nat(7).map((n) => n === 0),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('delete-session' as const), session: fc.nat(99) }) },
  {
    weight: 3,
    arbitrary: fc.record({ op: fc.constant('add-rating' as const), session: fc.nat(99), rating: ratingArb, fault: faultOf<RatingFault>(RATING_FAULTS) }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('put-rating' as const),
      rating: fc.nat(199),
      how: fc.constantFrom('rescore', 'rescore', 'rescore', 'replace', 'too-high'),
      score: ratingArb,
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('delete-rating' as const), rating: fc.nat(199) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('patch-member' as const),
      family: fc.nat(5),
      member: fc.nat(11),
      shiftDays: fc.integer({ min: -400, max: 400 }),
      how: fc.constantFrom('birth-date', 'birth-date', 'birth-date', 'role', 'future-birth-date'),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant('add-member' as const), family: fc.nat(5), ageDays: fc.integer({ min: 0, max: 16000 }), adult: fc.boolean() }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('patch-family' as const),
      family: fc.nat(5),
      how: fc.constantFrom('end', 'end', 'reopen', 'reassign', 'reassign', 'rename', 'end-before-start', 'unknown-coordinator'),
      at: fc.integer({ min: 0, max: 1000 }),
      ending: fc.constantFrom('planned', 'unilateral', 'moved', 'other'),
      coordinator: fc.nat(3),
    }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('patch-settings' as const), variant: fc.nat(SETTINGS.length - 1) }) },
  { weight: 1, arbitrary: fc.constant({ op: 'recompute-bands' as const }) },
  { weight: 1, arbitrary: fc.constant({ op: 'replay-create' as const }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('erase-family' as const), family: fc.nat(5), really: fc.nat(3).map((n) => n === 0) }) },
)
type Command = typeof commandArb extends fc.Arbitrary<infer T> ? T : never

const runArb = fc.record({
  families: fc.integer({ min: 2, max: 3 }),
  seed: fc.array(
    sessionArb.map((s) => ({ ...s, fault: null })),
    { maxLength: 8 },
  ),
  syntheticCohort: fc.boolean(),
  commands: fc.array(commandArb, { minLength: 1, maxLength: 12 }),
})

// ---------------------------------------------------------------------------------------------
// From descriptors to request bodies.

function instrumentFor(kind: Kind, age: number): string {
  const [young, child, adult] = kind === 'outcome' ? ['YCORS', 'CORS', 'ORS'] : ['YCSRS', 'CSRS', 'SRS']
  return age <= 5 ? young : age <= 12 ? child : adult
}

/** An instrument of the same kind that does not fit this age. */
function misfitFor(kind: Kind, age: number): string {
  const [, child, adult] = kind === 'outcome' ? ['YCORS', 'CORS', 'ORS'] : ['YCSRS', 'CSRS', 'SRS']
  return age >= 6 && age <= 12 ? adult : child
}

const itemCount = (instrument: string) => (instrument.startsWith('YC') ? 1 : 4)

/** Items or a total in points for this instrument; alliance scores lean high, as they do. */
function scoreFor(instrument: string, kind: Kind, score: RatingDesc['score']): { items: number[] } | { total: number } {
  const lift = (v: number) => (kind === 'alliance' ? 80 + Math.round(v * 0.2) : v)
  if ('items' in score) return { items: score.items.slice(0, itemCount(instrument)).map((v) => lift(v) / 10) }
  return { total: Math.min(lift(score.total), itemCount(instrument) * 100) / 10 }
}

type RatingBody = Record<string, unknown> & { memberId: string; instrument: string; rater: string }
const keyOf = (r: { memberId: string; instrument: string; rater: string; raterMemberId?: unknown }) =>
  `${r.memberId}|${r.instrument}|${r.rater}|${r.raterMemberId ?? ''}`

/** A rating body for a session on `heldOn`: valid unless a fault is asked for (null: nobody to rate). */
function ratingBody(
  model: Model,
  family: FamilyModel,
  heldOn: string,
  d: RatingDesc,
  fault: RatingFault | null,
  existing: RatingModel[] = [],
): RatingBody | null {
  if (fault === 'duplicate' && existing.length > 0) {
    const twin = existing[d.member % existing.length]
    const kind: Kind = twin.instrument.includes('SRS') ? 'alliance' : 'outcome'
    return {
      memberId: twin.memberId,
      instrument: twin.instrument,
      rater: twin.rater,
      ...(twin.raterMemberId !== null && { raterMemberId: twin.raterMemberId }),
      ...(twin.instrumentOverride && { instrumentOverride: twin.instrumentOverride }),
      ...scoreFor(twin.instrument, kind, d.score),
    }
  }
  if (fault === 'duplicate') fault = 'wrong-instrument'
  const ageOf = (m: MemberModel) => ageOn(m.birthDate, heldOn)
  if (fault === 'too-young') {
    const toddler = family.members.find((m) => ageOf(m) < 3)
    if (toddler) return { memberId: toddler.id, instrument: 'YCORS', rater: 'parent', items: [5] }
    fault = 'wrong-instrument'
  }
  if (fault === 'adult-by-teacher') {
    const adult = family.members.find((m) => ageOf(m) >= 18)
    if (adult) return { memberId: adult.id, instrument: 'ORS', rater: 'teacher', ...scoreFor('ORS', 'outcome', d.score) }
    fault = 'wrong-instrument'
  }
  const stranger = live(model)
    .find((f) => f.id !== family.id)
    ?.members.find((m) => ageOn(m.birthDate, heldOn) >= 13)
  if (fault === 'foreign-member' && !stranger) fault = 'wrong-instrument'
  const rateable = family.members.filter((m) => ageOf(m) >= 3)
  const member = pick(rateable, d.member)
  if (!member) return null
  const age = ageOf(member)
  let kind = d.kind
  let rater = kind === 'alliance' || age >= 18 ? 'self' : d.rater
  if (fault === 'alliance-by-parent') {
    kind = 'alliance'
    rater = 'parent'
  }
  const overridden = d.override && fault === null
  const instrument = overridden || fault === 'wrong-instrument' ? misfitFor(kind, age) : instrumentFor(kind, age)
  const others = family.members.filter((m) => m.id !== member.id)
  const raterMember = rater !== 'self' && d.raterMember !== null ? pick(others, d.raterMember) : undefined
  const memberId = fault === 'foreign-member' ? stranger!.id : member.id
  const score =
    fault === 'item-too-high'
      ? 'items' in d.score
        ? { items: [10.5, 5, 5, 5].slice(0, itemCount(instrument)) }
        : { total: itemCount(instrument) * 10 + 0.1 }
      : scoreFor(instrument, kind, d.score)
  return {
    memberId,
    instrument,
    rater,
    ...(raterMember && { raterMemberId: raterMember.id }),
    ...score,
    ...(overridden && { instrumentOverride: { reason: 'kartlagt med skjemaet familien kjenner' } }),
  }
}

/** A date in the family's time, `at` permille of the way from its start to its end (or today). */
function dateIn(model: Model, family: FamilyModel, at: number): string {
  const span = Math.max(0, daysBetween(family.startedOn, family.endedOn ?? model.today))
  return addDays(family.startedOn, Math.round((span * at) / 1000))
}

const lastSessionOn = (f: FamilyModel) => f.sessions.reduce<string | null>((last, s) => (last === null || s.heldOn > last ? s.heldOn : last), null)

// ---------------------------------------------------------------------------------------------
// Reading the stored rows and the rows the rules give now.

type StateRows = { families: Record<string, unknown>[]; series: Record<string, unknown>[] }
/** As JSON carries them: dates are strings already (pg-types), -0 and undefined vanish alike on both sides. */
const normalised = (rows: unknown): StateRows => JSON.parse(JSON.stringify(rows))

async function storedRows(app: TestApp, municipalityId: string): Promise<StateRows> {
  return app.db.transaction().execute(async (trx) => {
    await sql`SELECT set_config('framgang.municipality_id', ${municipalityId}, true)`.execute(trx)
    // The tests connect as a superuser, whom row-level security does not confine: filter too.
    const families = await trx.selectFrom('family_state').selectAll().where('municipality_id', '=', municipalityId).orderBy('family_id').execute()
    const series = await trx
      .selectFrom('series_state')
      .selectAll()
      .where('municipality_id', '=', municipalityId)
      .orderBy('family_id')
      .orderBy('position')
      .execute()
    return normalised({ families, series })
  })
}

/**
 * A family's progress as the rules give it with every band model looked up in the fitted models
 * (not read from the stored state), in the API's units, as JSON would carry it.
 */
async function progressByLookup(app: TestApp, municipalityId: string, familyId: string): Promise<unknown> {
  return inMunicipality(app.db, municipalityId, async (trx) => {
    const family = await trx.selectFrom('families').selectAll().where('family_id', '=', familyId).executeTakeFirstOrThrow()
    const [ctx, facts] = await Promise.all([progressContext(trx), loadFamilyFacts(trx, [familyId])])
    const progress = (await progressWithBands(trx, [family], facts, ctx)).get(familyId)!
    return JSON.parse(JSON.stringify(progressToPoints(progress)))
  })
}

async function rulesRows(app: TestApp, municipalityId: string): Promise<StateRows> {
  return inMunicipality(app.db, municipalityId, async (trx) => {
    const ids = (await trx.selectFrom('families').select('family_id').execute()).map((f) => f.family_id)
    return normalised(ids.length === 0 ? { families: [], series: [] } : await computedStateRows(trx, ids))
  })
}

/** Where two JSON values first differ, as a path and both values; null when they are equal. */
function firstDifference(a: unknown, b: unknown, path = ''): string | null {
  if (a === b) return null
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const d = firstDifference(a[i], b[i], `${path}[${i}]`)
      if (d) return d
    }
    if (a.length !== b.length)
      return `${path}: ${a.length} rows vs ${b.length}; extra: ${JSON.stringify((a.length > b.length ? a : b).slice(Math.min(a.length, b.length)))}`
    return null
  }
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)])
    for (const k of keys) {
      const d = firstDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`)
      if (d) return d
    }
    return null
  }
  return `${path}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`
}

/** Where two sets of state rows first differ, row by row (a family, or a family's series at a position). */
function stateDifference(a: StateRows, b: StateRows, names: [string, string]): string | null {
  const tables = [
    ['family_state', a.families, b.families, (r: Record<string, unknown>) => `${r.family_id}`],
    ['series_state', a.series, b.series, (r: Record<string, unknown>) => `${r.family_id} position ${r.position}`],
  ] as const
  for (const [table, left, right, key] of tables) {
    const rightByKey = new Map(right.map((r) => [key(r), r]))
    const leftKeys = new Set(left.map(key))
    for (const row of left) {
      const other = rightByKey.get(key(row))
      if (!other) return `${table} ${key(row)}: a row ${names[0]} has and ${names[1]} has not: ${JSON.stringify(row)}`
      const d = firstDifference(row, other)
      if (d) return `${table} ${key(row)} (${names[0]} vs ${names[1]}) at ${d}`
    }
    for (const row of right) if (!leftKeys.has(key(row))) return `${table} ${key(row)}: a row ${names[1]} has and ${names[0]} has not: ${JSON.stringify(row)}`
  }
  const d = firstDifference(a, b)
  return d && `the same rows in another order (${names[0]} vs ${names[1]}) at ${d}`
}

const RANK: Record<string, number> = { notice: 1, warning: 2, alert: 3 }
const highestSeverity = (flags: { severity: string }[]) =>
  flags.reduce<string | null>((top, f) => (top === null || RANK[f.severity] > RANK[top] ? f.severity : top), null)

// ---------------------------------------------------------------------------------------------

t.test('the stored state equals the rules after every write, and the caseload shows the progress flags', async (t) => {
  const app = await testApp(t)
  const stats = new Map<string, number>()
  const count = (what: string) => stats.set(what, (stats.get(what) ?? 0) + 1)

  await fc.assert(
    fc.asyncProperty(runArb, async (run) => {
      count('runs')
      const { municipalityId, apiKey } = await app.newMunicipality()
      const log: string[] = []
      const model: Model = { today: daysAgo(0), coordinators: [], families: [], lastCreate: null, names: new Map() }
      const name = (id: string, label: string) => model.names.set(id, label)
      const labels = { sessions: 0, ratings: 0 }
      const readable = (text: string) =>
        text.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, (id) => model.names.get(id.toLowerCase()) ?? id.slice(0, 8))

      const fail = (message: string): never => {
        throw new Error(readable(`${message}\nthe writes of this run:\n  ${log.join('\n  ')}`))
      }
      const call = async (method: string, url: string, body?: unknown, idempotencyKey?: string) => {
        const res = await app.call(method, url, { key: apiKey, body, idempotencyKey })
        if (method !== 'GET' || res.statusCode !== 200) {
          log.push(
            `${method} ${url} ${body === undefined ? '' : JSON.stringify(body)} → ${res.statusCode}${res.statusCode >= 400 ? ` ${res.body.slice(0, 200)}` : ''}`,
          )
        }
        if (res.statusCode >= 500) fail(`${method} ${url} answered ${res.statusCode}: ${res.body}`)
        return res
      }
      const created = async (url: string, body: unknown) => {
        const idempotencyKey = `model-${Math.random()}`
        const res = await call('POST', url, body, idempotencyKey)
        return { res, idempotencyKey }
      }
      const must = (res: LightMyRequestResponse, status: number, what: string) => {
        if (res.statusCode !== status) fail(`${what}: expected ${status}, got ${res.statusCode} ${res.body.slice(0, 300)}`)
        return res.json()
      }

      const addSessionToModel = (family: FamilyModel, s: any) => {
        name(s.id, `S${++labels.sessions}`)
        const session: SessionModel = { id: s.id, familyId: family.id, heldOn: s.heldOn, ratings: [] }
        for (const r of s.ratings) addRatingToModel(session, r)
        family.sessions.push(session)
      }
      const addRatingToModel = (session: SessionModel, r: any) => {
        name(r.id, `R${++labels.ratings}`)
        session.ratings.push({
          id: r.id,
          sessionId: session.id,
          memberId: r.memberId,
          instrument: r.instrument,
          rater: r.rater,
          raterMemberId: r.raterMemberId,
          instrumentOverride: r.instrumentOverride,
        })
      }

      /** A session body for a family, valid unless a fault is asked for. */
      const sessionBody = (family: FamilyModel, d: { at: number; ratings: RatingDesc[]; fault: RatingFault | SessionFault | null }) => {
        let heldOn = dateIn(model, family, d.at)
        let fault = d.fault
        if (fault === 'after-end' && family.endedOn === null) fault = 'future'
        if (fault === 'future') heldOn = addDays(model.today, 2)
        if (fault === 'before-start') heldOn = addDays(family.startedOn, -3)
        if (fault === 'after-end') heldOn = addDays(family.endedOn!, 1 + Math.floor((daysBetween(family.endedOn!, model.today) * d.at) / 1000))
        const ratingFault = fault !== null && (RATING_FAULTS as readonly string[]).includes(fault) ? (fault as RatingFault) : null
        const ratings: RatingBody[] = []
        const seen = new Set<string>()
        const descs = ratingFault && d.ratings.length === 0 ? [A_RATING] : d.ratings
        let faultMade = ratingFault === null
        descs.forEach((desc, i) => {
          const body = ratingBody(model, family, heldOn, desc, i === 0 && ratingFault !== 'duplicate' ? ratingFault : null)
          if (!body || seen.has(keyOf(body))) return
          seen.add(keyOf(body))
          ratings.push(body)
          if (i === 0) faultMade = true
        })
        if (ratingFault === 'duplicate' && ratings.length > 0) ratings.push({ ...ratings[0] })
        // No one to make the fault with: refuse by the date instead.
        if (!faultMade || (ratingFault === 'duplicate' && ratings.length < 2)) heldOn = addDays(model.today, 2)
        return { heldOn, kind: 'home-visit', ratings }
      }

      /** Sends one command and updates the model from the answer; null when it has nothing to act on. */
      async function perform(cmd: Command): Promise<{ res: LightMyRequestResponse; refused: boolean } | null> {
        switch (cmd.op) {
          case 'create-session': {
            const family = pick(live(model), cmd.family)
            if (!family) return null
            const body = sessionBody(family, cmd)
            const url = `/v1/families/${family.id}/sessions`
            const { res, idempotencyKey } = await created(url, body)
            if (res.statusCode === 201) {
              addSessionToModel(family, res.json())
              model.lastCreate = { url, body, idempotencyKey, familyId: family.id, answer: res.json() }
            }
            return { res, refused: cmd.fault !== null }
          }
          case 'patch-session': {
            const session = pick(sessionsOf(model), cmd.session)
            if (!session) return null
            const heldOn = cmd.future ? addDays(model.today, 2) : dateIn(model, familyOfSession(model, session), cmd.at)
            const res = await call('PATCH', `/v1/sessions/${session.id}`, { heldOn, kind: 'video' })
            if (res.statusCode === 200) session.heldOn = res.json().heldOn
            return { res, refused: cmd.future }
          }
          case 'delete-session': {
            const session = pick(sessionsOf(model), cmd.session)
            if (!session) return null
            const res = await call('DELETE', `/v1/sessions/${session.id}`)
            if (res.statusCode === 204) {
              const family = familyOfSession(model, session)
              family.sessions = family.sessions.filter((s) => s !== session)
            }
            return { res, refused: false }
          }
          case 'add-rating': {
            const session = pick(sessionsOf(model), cmd.session)
            if (!session) return null
            const body = ratingBody(model, familyOfSession(model, session), session.heldOn, cmd.rating, cmd.fault, session.ratings)
            if (!body) return null
            const url = `/v1/sessions/${session.id}/ratings`
            const { res, idempotencyKey } = await created(url, body)
            if (res.statusCode === 201) {
              addRatingToModel(session, res.json())
              model.lastCreate = { url, body, idempotencyKey, familyId: session.familyId, answer: res.json() }
            }
            return { res, refused: cmd.fault !== null }
          }
          case 'put-rating': {
            const rating = pick(ratingsOf(model), cmd.rating)
            if (!rating) return null
            const session = sessionsOf(model).find((s) => s.id === rating.sessionId)!
            const kind: Kind = rating.instrument.includes('SRS') ? 'alliance' : 'outcome'
            let body: RatingBody | null
            if (cmd.how === 'replace') body = ratingBody(model, familyOfSession(model, session), session.heldOn, cmd.score, null)
            else {
              const score = cmd.how === 'too-high' ? { total: itemCount(rating.instrument) * 10 + 0.5 } : scoreFor(rating.instrument, kind, cmd.score.score)
              body = {
                memberId: rating.memberId,
                instrument: rating.instrument,
                rater: rating.rater,
                ...(rating.raterMemberId !== null && { raterMemberId: rating.raterMemberId }),
                ...(rating.instrumentOverride && { instrumentOverride: rating.instrumentOverride }),
                ...score,
              }
            }
            if (!body) return null
            const res = await call('PUT', `/v1/sessions/${session.id}/ratings/${rating.id}`, body)
            if (res.statusCode === 200) {
              const r = res.json()
              Object.assign(rating, {
                memberId: r.memberId,
                instrument: r.instrument,
                rater: r.rater,
                raterMemberId: r.raterMemberId,
                instrumentOverride: r.instrumentOverride,
              })
            }
            return { res, refused: cmd.how === 'too-high' }
          }
          case 'delete-rating': {
            const rating = pick(ratingsOf(model), cmd.rating)
            if (!rating) return null
            const session = sessionsOf(model).find((s) => s.id === rating.sessionId)!
            const res = await call('DELETE', `/v1/sessions/${session.id}/ratings/${rating.id}`)
            if (res.statusCode === 204) session.ratings = session.ratings.filter((r) => r !== rating)
            return { res, refused: false }
          }
          case 'patch-member': {
            const family = pick(live(model), cmd.family)
            const member = family && pick(family.members, cmd.member)
            if (!family || !member) return null
            const body =
              cmd.how === 'role'
                ? { role: cmd.shiftDays % 2 === 0 ? 'adult' : 'child' }
                : { birthDate: cmd.how === 'future-birth-date' ? addDays(model.today, 3) : addDays(member.birthDate, cmd.shiftDays) }
            const res = await call('PATCH', `/v1/families/${family.id}/members/${member.id}`, body)
            if (res.statusCode === 200) member.birthDate = res.json().birthDate
            return { res, refused: cmd.how === 'future-birth-date' }
          }
          case 'add-member': {
            const family = pick(live(model), cmd.family)
            if (!family) return null
            const body = { alias: `Ny${family.members.length}`, role: cmd.adult ? 'adult' : 'child', birthDate: addDays(model.today, -cmd.ageDays) }
            const url = `/v1/families/${family.id}/members`
            const { res, idempotencyKey } = await created(url, body)
            if (res.statusCode === 201) {
              const m = res.json()
              family.members.push({ id: m.id, alias: m.alias, birthDate: m.birthDate })
              name(m.id, `${family.label}.${m.alias}`)
              model.lastCreate = { url, body, idempotencyKey, familyId: family.id, answer: m }
            }
            return { res, refused: false }
          }
          case 'patch-family': {
            const family = pick(live(model), cmd.family)
            if (!family) return null
            let body: Record<string, unknown>
            let refused = false
            switch (cmd.how) {
              case 'end': {
                const from = lastSessionOn(family) ?? family.startedOn
                body = { endedOn: addDays(from, Math.round((daysBetween(from, model.today) * cmd.at) / 1000)), ending: cmd.ending }
                break
              }
              case 'reopen':
                body = { endedOn: null, ending: null }
                break
              case 'reassign':
                body = { coordinatorId: model.coordinators[cmd.coordinator % model.coordinators.length] }
                break
              case 'rename':
                body = { externalRef: uniqueRef('F') }
                break
              case 'end-before-start':
                body = { endedOn: addDays(family.startedOn, -1), ending: cmd.ending }
                refused = true
                break
              case 'unknown-coordinator':
                body = { coordinatorId: '00000000-0000-4000-8000-000000000000' }
                refused = true
                break
            }
            const res = await call('PATCH', `/v1/families/${family.id}`, body)
            if (res.statusCode === 200) {
              const f = res.json()
              family.endedOn = f.endedOn
              family.coordinatorId = f.coordinatorId
            }
            return { res, refused }
          }
          case 'patch-settings': {
            const { body, refused } = SETTINGS[cmd.variant]
            return { res: await call('PATCH', '/v1/settings', body), refused: refused === true }
          }
          case 'recompute-bands':
            return { res: await call('POST', '/v1/expected-bands/recompute'), refused: false }
          case 'replay-create': {
            const last = model.lastCreate
            if (!last || model.families.find((f) => f.id === last.familyId)!.erased) return null
            const res = await call('POST', last.url, last.body, last.idempotencyKey)
            // A replay answers what the first request answered and writes nothing.
            const diff = firstDifference(res.json(), last.answer)
            if (res.statusCode !== 201 || diff) fail(`a replay with the same idempotency key answered ${res.statusCode}, differing at ${diff}`)
            return { res, refused: false }
          }
          case 'erase-family': {
            const family = pick(live(model), cmd.family)
            if (!family || !cmd.really || live(model).length <= 1) return null
            const res = await call('DELETE', `/v1/families/${family.id}`)
            if (res.statusCode === 204) {
              family.erased = true
              family.sessions = []
            }
            return { res, refused: false }
          }
        }
      }

      // ---- Set-up: coordinators, families, a few conversations, maybe a reference cohort.
      for (let i = 0; i < 2; i++) {
        const id = must((await created('/v1/coordinators', { externalRef: uniqueRef('C'), displayName: `Koordinator ${i}` })).res, 201, 'coordinator').id
        model.coordinators.push(id)
        name(id, `C${i}`)
      }
      for (const [i, spec] of familySpecs().slice(0, run.families).entries()) {
        const startedOn = daysAgo(spec.startedDaysAgo)
        const body = { externalRef: uniqueRef('F'), coordinatorId: model.coordinators[i % 2], startedOn, members: spec.members }
        const family = must((await created('/v1/families', body)).res, 201, 'family')
        const f: FamilyModel = {
          id: family.id,
          label: `F${i}`,
          startedOn,
          endedOn: null,
          coordinatorId: body.coordinatorId,
          members: [],
          sessions: [],
          erased: false,
        }
        name(f.id, f.label)
        for (const m of family.members) {
          f.members.push({ id: m.id, alias: m.alias, birthDate: m.birthDate })
          name(m.id, `${f.label}.${m.alias}`)
        }
        model.families.push(f)
      }
      for (const s of run.seed) {
        const family = pick(live(model), s.family)!
        const res = (await created(`/v1/families/${family.id}/sessions`, sessionBody(family, s))).res
        addSessionToModel(family, must(res, 201, 'a seed session'))
      }
      if (run.syntheticCohort) {
        // A dense synthetic cohort (as the demo seeds one), so bands and below-expected occur at any settings.
        await inMunicipality(app.db, municipalityId, async (trx) => {
          const rows = []
          let x = 12345
          const rnd = () => (x = (x * 16807) % 2147483647) / 2147483647
          for (const [instrument, n] of [
            ['ORS', 400],
            ['CORS', 300],
          ] as const) {
            for (let i = 0; i < n; i++) {
              const intake = Math.round(60 + rnd() * 300)
              const gain = 20 + rnd() * 60 - (intake - 200) * 0.1
              const scores = Array.from({ length: 3 + Math.floor(rnd() * 8) }, (_, k) =>
                k === 0 ? intake : Math.max(0, Math.min(400, Math.round(intake + gain * Math.log(k + 1) + (rnd() - 0.5) * 60))),
              )
              rows.push({
                municipality_id: municipalityId,
                instrument_code: instrument,
                series_key: `synthetic-${instrument}-${i}`,
                intake,
                scores,
                synthetic: true,
              })
            }
          }
          await trx.insertInto('reference_series').values(rows).execute()
        })
        must(await call('POST', '/v1/expected-bands/recompute'), 200, 'recompute-bands')
      }

      // ---- The invariants, checked after the set-up and after every command.
      const check = async (stored: StateRows, when: string) => {
        for (const row of stored.series) {
          for (const flag of row.flags as { code: string }[]) count(`flag ${flag.code}`)
          if (row.band_p25 !== null) count('series with a band')
        }
        const rules = await rulesRows(app, municipalityId)
        const diff = stateDifference(stored, rules, ['the stored state', 'the rules'])
        if (diff) fail(`${when}: the stored state differs from the rules: ${diff}`)
        const caseload = must(await call('GET', '/v1/caseload?limit=200'), 200, 'caseload')
        const active = live(model).filter((f) => f.endedOn === null)
        const listed = caseload.items.map((i: { familyId: string }) => i.familyId).sort()
        if (JSON.stringify(listed) !== JSON.stringify(active.map((f) => f.id).sort()))
          fail(`${when}: the caseload lists ${listed.join(', ')}, the active families are ${active.map((f) => f.label).join(', ')}`)
        for (const f of active) {
          const item = caseload.items.find((i: { familyId: string }) => i.familyId === f.id)
          const progress = must(await call('GET', `/v1/families/${f.id}/progress`), 200, 'progress')
          // The API takes the band models from the stored state: they must be the fitted ones.
          const bandDiff = firstDifference(progress, await progressByLookup(app, municipalityId, f.id))
          if (bandDiff) fail(`${when}: ${f.label}'s progress differs from the progress with looked-up band models (API vs lookup) at ${bandDiff}`)
          const flagDiff = firstDifference(item.flags, progress.flags)
          if (flagDiff) fail(`${when}: ${f.label}'s caseload flags differ from its progress flags (caseload vs progress) at ${flagDiff}`)
          if (item.severity !== highestSeverity(progress.flags))
            fail(`${when}: ${f.label}'s caseload severity is ${item.severity}, its progress flags' highest is ${highestSeverity(progress.flags)}`)
          if (item.coordinatorId !== f.coordinatorId) fail(`${when}: ${f.label}'s caseload coordinator is ${item.coordinatorId}, not ${f.coordinatorId}`)
          if (item.sessionCount !== f.sessions.length || item.lastSessionOn !== lastSessionOn(f)) {
            fail(
              `${when}: ${f.label}'s caseload has ${item.sessionCount} sessions, last ${item.lastSessionOn}; the family has ${f.sessions.length}, last ${lastSessionOn(f)}`,
            )
          }
        }
      }
      let stored = await storedRows(app, municipalityId)
      await check(stored, 'after the set-up')

      // ---- The commands.
      for (const [n, cmd] of run.commands.entries()) {
        const outcome = await perform(cmd)
        if (outcome === null) continue
        const { res, refused } = outcome
        count(`${cmd.op} ${res.statusCode}`)
        const after = await storedRows(app, municipalityId)
        const when = `after command ${n + 1} (${cmd.op} → ${res.statusCode})`
        if (refused && res.statusCode < 400) fail(`${when}: a request the rules forbid was accepted`)
        if (res.statusCode >= 400) {
          const diff = stateDifference(after, stored, ['the state after', 'the state before'])
          if (diff) fail(`${when}: a refused request changed the stored state: ${diff}`)
        }
        await check(after, when)
        stored = after
      }
      return true
    }),
    // Bounded in time as well: on the slower embedded database fewer runs fit, and a failure's
    // shrinking stops in time to be reported within the file's timeout.
    { numRuns: 20, interruptAfterTimeLimit: 60_000 },
  )
  t.comment(
    `seen: ${[...stats]
      .sort()
      .map(([k, v]) => `${k}: ${v}`)
      .join(', ')}`,
  )
  t.ok([...stats.keys()].some((k) => k.endsWith(' 201')) && [...stats.keys()].some((k) => / 4\d\d$/.test(k)), 'writes were accepted and refused')
})
