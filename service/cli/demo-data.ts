import type { CreateMember } from '../contracts/families.js'
import { inMunicipality, type Db, type Trx } from '../db/kysely.js'
import { addDays, ageOn } from '../domain/calendar.js'
import type { ReferenceSeries } from '../domain/expected-band.js'
import { instrumentFor, type InstrumentDef } from '../domain/instruments.js'
import type { RatingValues } from '../domain/rating-rules.js'
import { rebuildReferenceSeries } from '../expected-bands/reference-series.js'
import { hasSyntheticReferenceSeries, insertReferenceSeries } from '../repositories/band-models.js'
import { coordinatorIdByRef } from '../repositories/coordinators.js'
import { familyIdByExternalRef, insertFamily, updateFamily } from '../repositories/families.js'
import { loadInstruments } from '../repositories/instruments.js'
import { municipalityToday } from '../repositories/municipalities.js'
import { insertSession } from '../repositories/sessions.js'
import { rebuildMunicipalityState } from '../state/stored-state.js'

/** A small deterministic generator (mulberry32): the same demo on every machine. */
function random(seed: number) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** How a person's outcome develops over the conversations (fraction 0..1 of the way through). */
type Course = 'improving' | 'recovering' | 'flat' | 'deteriorating' | 'improve-then-lose' | 'sudden-drop'
type AllianceCourse = 'good' | 'weak' | 'dropping'

interface DemoPerson extends CreateMember {
  course: Course
  alliance: AllianceCourse
  /** Intake outcome in tenths of a four-item total (0–400); one-item forms get the same share of their line. */
  intake: number
  attends: number
  /** The first conversation (0-based) the person takes part in: someone who joined later. */
  from?: number
}

interface DemoFamily {
  externalRef: string
  coordinator: 0 | 1
  startedDaysAgo: number
  lastSessionDaysAgo: number
  sessions: number
  ended?: { ending: 'planned' | 'unilateral' | 'moved'; daysAgo: number }
  members: DemoPerson[]
}

const yearsAgo = (today: string, years: number, days = 0) => addDays(today, -Math.round(years * 365.25) - days)

function families(today: string): DemoFamily[] {
  const p = (
    alias: string,
    role: 'adult' | 'child',
    ageYears: number,
    course: Course,
    intake: number,
    alliance: AllianceCourse = 'good',
    attends = 1,
  ): DemoPerson => ({
    alias,
    role,
    birthDate: yearsAgo(today, ageYears, (alias.length * 37) % 200),
    course,
    alliance,
    intake,
    attends,
  })
  return [
    {
      externalRef: 'DEMO-1001',
      coordinator: 0,
      startedDaysAgo: 900,
      lastSessionDaysAgo: 9,
      sessions: 24,
      members: [
        p('Kari', 'adult', 38, 'recovering', 190),
        p('Ola', 'adult', 41, 'improving', 220),
        p('Emma', 'child', 10, 'improving', 240, 'good', 0.8),
        p('Noah', 'child', 4, 'improving', 250, 'good', 0.7),
      ],
    },
    {
      externalRef: 'DEMO-1002',
      coordinator: 0,
      startedDaysAgo: 700,
      lastSessionDaysAgo: 16,
      sessions: 14,
      members: [
        p('Aisha', 'adult', 33, 'flat', 200),
        p('Yusuf', 'child', 14, 'flat', 230, 'weak', 0.9),
        p('Maryam', 'child', 8, 'improving', 250, 'good', 0.9),
      ],
    },
    {
      externalRef: 'DEMO-1003',
      coordinator: 0,
      startedDaysAgo: 420,
      lastSessionDaysAgo: 6,
      sessions: 11,
      members: [p('Tone', 'adult', 45, 'deteriorating', 240, 'dropping'), p('Jonas', 'child', 16, 'sudden-drop', 260, 'good', 0.8)],
    },
    {
      externalRef: 'DEMO-1004',
      coordinator: 0,
      startedDaysAgo: 1500,
      lastSessionDaysAgo: 70,
      sessions: 30,
      members: [p('Marit', 'adult', 52, 'improve-then-lose', 180), p('Sofie', 'child', 13, 'improving', 220, 'good', 0.9)],
    },
    {
      externalRef: 'DEMO-1005',
      coordinator: 1,
      startedDaysAgo: 120,
      lastSessionDaysAgo: 3,
      sessions: 5,
      members: [
        p('Piotr', 'adult', 36, 'flat', 210, 'weak'),
        p('Anna', 'adult', 34, 'improving', 200),
        p('Lena', 'child', 7, 'flat', 260, 'good', 0.9),
        p('Filip', 'child', 2, 'flat', 0, 'good', 0),
        { ...p('Ewa', 'adult', 63, 'flat', 220), from: 4 },
      ],
    },
    {
      externalRef: 'DEMO-1006',
      coordinator: 1,
      startedDaysAgo: 1200,
      lastSessionDaysAgo: 20,
      sessions: 26,
      members: [
        p('Hassan', 'adult', 47, 'recovering', 170),
        p('Leyla', 'child', 12, 'recovering', 230, 'good', 0.9),
        p('Omar', 'child', 17, 'improving', 240, 'dropping', 0.8),
      ],
    },
    {
      externalRef: 'DEMO-1007',
      coordinator: 1,
      startedDaysAgo: 60,
      lastSessionDaysAgo: 60,
      sessions: 0,
      members: [p('Silje', 'adult', 24, 'flat', 200), p('Mia', 'child', 5, 'flat', 260, 'good', 0.8)],
    },
    {
      externalRef: 'DEMO-1008',
      coordinator: 0,
      startedDaysAgo: 300,
      lastSessionDaysAgo: 25,
      sessions: 8,
      members: [p('Reza', 'adult', 29, 'improving', 150, 'weak'), p('Sara', 'child', 9, 'deteriorating', 300, 'good', 0.9)],
    },
    {
      externalRef: 'DEMO-1009',
      coordinator: 1,
      startedDaysAgo: 1700,
      lastSessionDaysAgo: 200,
      sessions: 32,
      ended: { ending: 'planned', daysAgo: 190 },
      members: [p('Ingrid', 'adult', 44, 'recovering', 200), p('Magnus', 'child', 15, 'recovering', 250, 'good', 0.9)],
    },
    {
      externalRef: 'DEMO-1010',
      coordinator: 1,
      startedDaysAgo: 500,
      lastSessionDaysAgo: 150,
      sessions: 9,
      ended: { ending: 'unilateral', daysAgo: 140 },
      members: [p('Camilla', 'adult', 31, 'flat', 210, 'dropping'), p('Elias', 'child', 11, 'deteriorating', 280, 'good', 0.9)],
    },
  ]
}

/** Outcome (tenths of a four-item total) at fraction f of the way, before noise. */
function courseValue(course: Course, intake: number, f: number): number {
  switch (course) {
    case 'improving':
      return intake + 80 * Math.sqrt(f)
    case 'recovering':
      return intake + 140 * Math.sqrt(f)
    case 'flat':
      return intake + 10 * Math.sin(f * 6)
    case 'deteriorating':
      return intake - 90 * f
    case 'improve-then-lose':
      return f < 0.6 ? intake + 130 * (f / 0.6) : intake + 130 - 150 * ((f - 0.6) / 0.4)
    case 'sudden-drop':
      return f < 0.9 ? intake + 60 * f : intake - 20
  }
}

function allianceValue(course: AllianceCourse, f: number, last: boolean): number {
  switch (course) {
    case 'good':
      return 370 + 20 * f
    case 'weak':
      return 320 + 10 * f
    case 'dropping':
      return last ? 335 : 375
  }
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, Math.round(v)))

/** Splits a total (tenths) into item scores (tenths, 0–itemMax each) that add up to it exactly. */
function splitIntoItems(total: number, count: number, itemMax: number, rnd: () => number): number[] {
  if (count === 1) return [clamp(total, 0, itemMax)]
  const items = Array.from({ length: count }, () => clamp(total / count + (rnd() - 0.5) * 30, 0, itemMax))
  let diff = total - items.reduce((a, b) => a + b, 0)
  for (let i = 0; diff !== 0 && i < 1000; i++) {
    const k = i % count
    const step = diff > 0 ? Math.min(diff, itemMax - items[k]) : Math.max(diff, -items[k])
    items[k] += step
    diff -= step
  }
  return items
}

function rating(instrument: InstrumentDef, memberId: string, total4: number, rnd: () => number): RatingValues {
  const max = instrument.itemMax * instrument.itemCount
  const total = clamp((total4 / 400) * max, 0, max)
  const items = splitIntoItems(total, instrument.itemCount, instrument.itemMax, rnd)
  return { memberId, instrument: instrument.code, rater: 'self', raterMemberId: null, items, total: items.reduce((a, b) => a + b, 0), overrideReason: null }
}

export interface DemoCounts {
  coordinators: number
  families: number
  members: number
  sessions: number
  ratings: number
  syntheticReferenceSeries?: number
}

/**
 * Ten demo families with histories over up to five years, dated back from today: improving,
 * recovering, flat, deteriorating, a sudden drop, weak and dropping alliance, a family with no
 * conversation yet, ended families, and children of every age band (one too young to be rated).
 */
export async function seedDemo(db: Db, municipalityId: string): Promise<DemoCounts> {
  return inMunicipality(db, municipalityId, async (trx) => {
    const counts = await seedDemoIn(trx, municipalityId)
    counts.syntheticReferenceSeries = await seedSyntheticReference(trx, municipalityId)
    await rebuildReferenceSeries(trx, municipalityId)
    await rebuildMunicipalityState(trx, municipalityId)
    return counts
  })
}

/**
 * A synthetic reference cohort (marked synthetic) so the demo can show expected bands: a real
 * municipality builds its own from its ended and ongoing series with recompute-bands.
 * Trajectories follow intake + a·ln(k) with a spread of gains, as outcome series tend to.
 */
async function seedSyntheticReference(trx: Trx, municipalityId: string): Promise<number> {
  if (await hasSyntheticReferenceSeries(trx)) return 0
  const rnd = random(77)
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd())
  const rows: ReferenceSeries[] = []
  for (const [instrument, count, low, high] of [
    ['ORS', 500, 80, 330],
    ['CORS', 350, 140, 360],
  ] as const) {
    for (let i = 0; i < count; i++) {
      const intake = Math.round(low + rnd() * (high - low))
      const gain = 35 + gauss() * 30 - (intake - 200) * 0.12
      const n = 3 + Math.floor(rnd() * 16)
      const scores = Array.from({ length: n }, (_, k) => (k === 0 ? intake : clamp(intake + gain * Math.log(k + 1) + gauss() * 18, 0, 400)))
      rows.push({ key: `synthetic-${instrument}-${i}`, instrument, intake, scores })
    }
  }
  await insertReferenceSeries(trx, municipalityId, rows, { synthetic: true, chunk: 500 })
  return rows.length
}

async function seedDemoIn(trx: Trx, municipalityId: string): Promise<DemoCounts> {
  const today = await municipalityToday(trx)
  const instruments = (await loadInstruments(trx)).map((i) => i.def)
  const counts: DemoCounts = { coordinators: 0, families: 0, members: 0, sessions: 0, ratings: 0 }
  const coordinators = []
  for (const [ref, name] of [
    ['DEMO-C1', 'Demo koordinator Nord'],
    ['DEMO-C2', 'Demo koordinator Sør'],
  ]) {
    const { coordinatorId, created } = await coordinatorIdByRef(trx, municipalityId, ref, name)
    coordinators.push(coordinatorId)
    if (created) counts.coordinators++
  }
  const kinds = ['home-visit', 'office', 'home-visit', 'phone', 'network-meeting', 'video'] as const
  for (const [fi, spec] of families(today).entries()) {
    if ((await familyIdByExternalRef(trx, spec.externalRef)) !== undefined) continue
    const rnd = random(1000 + fi)
    const startedOn = addDays(today, -spec.startedDaysAgo)
    const family = await insertFamily(trx, municipalityId, {
      externalRef: spec.externalRef,
      coordinatorId: coordinators[spec.coordinator],
      startedOn,
      members: spec.members,
    })
    counts.families++
    counts.members += family.members.length
    const lastOn = addDays(today, -spec.lastSessionDaysAgo)
    const span = Math.max(0, spec.startedDaysAgo - spec.lastSessionDaysAgo)
    for (let s = 0; s < spec.sessions; s++) {
      const f = spec.sessions === 1 ? 1 : s / (spec.sessions - 1)
      // Irregular spacing, as over years of real conversations; the last one lands on lastOn.
      const jitter = s === 0 || s === spec.sessions - 1 ? 0 : Math.round((rnd() - 0.5) * (span / spec.sessions) * 0.6)
      const heldOn = s === spec.sessions - 1 ? lastOn : addDays(startedOn, Math.round(f * span) + jitter)
      const ratings: RatingValues[] = []
      spec.members.forEach((person, mi) => {
        const member = family.members[mi]
        const age = ageOn(member.birthDate, heldOn)
        if (age < 3 || s < (person.from ?? 0) || (s > (person.from ?? 0) && rnd() > person.attends)) return
        const outcome = instrumentFor('outcome', age, instruments)
        const alliance = instrumentFor('alliance', age, instruments)
        const noise = (rnd() - 0.5) * 24
        if (outcome) ratings.push(rating(outcome, member.id, clamp(courseValue(person.course, person.intake, f) + noise, 0, 400), rnd))
        if (alliance)
          ratings.push(rating(alliance, member.id, clamp(allianceValue(person.alliance, f, s === spec.sessions - 1) + (rnd() - 0.5) * 10, 0, 400), rnd))
      })
      // A parent's view of the youngest rated child now and then: a collateral series.
      const child = family.members.findIndex((m, i) => spec.members[i].role === 'child' && ageOn(m.birthDate, heldOn) >= 6 && ageOn(m.birthDate, heldOn) <= 12)
      const parent = family.members.findIndex((m) => m.role === 'adult')
      if (child >= 0 && parent >= 0 && s % 2 === 0) {
        const outcome = instrumentFor('outcome', ageOn(family.members[child].birthDate, heldOn), instruments)
        if (outcome) {
          const r = rating(outcome, family.members[child].id, clamp(courseValue(spec.members[child].course, spec.members[child].intake - 20, f), 0, 400), rnd)
          ratings.push({ ...r, rater: 'parent', raterMemberId: family.members[parent].id })
        }
      }
      await insertSession(trx, municipalityId, family.id, { heldOn, kind: kinds[s % kinds.length] }, ratings)
      counts.sessions++
      counts.ratings += ratings.length
    }
    if (spec.ended) {
      await updateFamily(trx, family.id, { endedOn: addDays(today, -spec.ended.daysAgo), ending: spec.ended.ending })
    }
  }
  return counts
}
