import type { Caseload } from '../../service/contracts/caseload.js'
import type { Family } from '../../service/contracts/families.js'
import type { FamilyProgress, FamilySeries, Point, Progress, Series, Trend } from '../../service/contracts/progress.js'

/**
 * Payloads shaped as docs/api.md describes them, for the widget's own tests (unit and browser) and
 * the demo's offline sample. Numbers look like a real family's: one adult who recovered, a
 * child whose line fell (two flags at her latest session), a young child on the pictorial form.
 */

export const ids = {
  family: '0b7f6a7e-4a53-4f0e-9a0e-6a2b1f3c4d01',
  coordinator: '5f1c2d3e-0000-4a00-8000-00000000c001',
  kari: '11111111-1111-4111-8111-111111111111',
  emma: '22222222-2222-4222-8222-222222222222',
  jonas: '33333333-3333-4333-8333-333333333333',
  sara: '44444444-4444-4444-8444-444444444444',
  lille: '55555555-5555-4555-8555-555555555555',
}

const sessionDates = ['2026-03-04', '2026-04-15', '2026-05-27', '2026-07-01', '2026-09-02', '2026-10-21']
const sessionId = (n: number) => `9a9a9a9a-0000-4000-8000-${String(n).padStart(12, '0')}`

function dayNumber(iso: string): number {
  const [y, m, d] = iso.split('-').map(Number)
  return Date.UTC(y, m - 1, d) / 86_400_000
}

/** Ordinary least squares of total on session number, and on days for the 30-day slope (docs/rules.md, "Trend lines"). */
export function trendOf(points: Point[]): Trend | null {
  const n = points.length
  if (n < 3) return null
  const fit = (xs: number[], ys: number[]) => {
    const mx = xs.reduce((a, b) => a + b, 0) / n
    const my = ys.reduce((a, b) => a + b, 0) / n
    let sxy = 0
    let sxx = 0
    let syy = 0
    for (let i = 0; i < n; i++) {
      sxy += (xs[i] - mx) * (ys[i] - my)
      sxx += (xs[i] - mx) ** 2
      syy += (ys[i] - my) ** 2
    }
    const slope = sxy / sxx
    return { slope, intercept: my - slope * mx, r2: syy === 0 ? null : (sxy * sxy) / (sxx * syy) }
  }
  const ys = points.map((p) => p.total)
  const bySession = fit(
    points.map((p) => p.sessionNumber),
    ys,
  )
  const byDay = fit(
    points.map((p) => dayNumber(p.heldOn)),
    ys,
  )
  return { slopePerSession: bySession.slope, slopePer30Days: byDay.slope * 30, intercept: bySession.intercept, r2: bySession.r2, n }
}

function points(totals: number[], items?: number[][], dates = sessionDates): Point[] {
  return totals.map((total, i) => ({
    sessionId: sessionId(i + 1),
    sessionNumber: i + 1,
    heldOn: dates[i],
    total,
    items: items ? items[i] : null,
  }))
}

const kariOrs = points(
  [18.2, 20.4, 22.9, 24.1, 26.3, 27.5],
  [
    [4.1, 4.6, 4.2, 5.3],
    [4.9, 5.1, 4.8, 5.6],
    [5.6, 5.8, 5.5, 6.0],
    [6.0, 6.1, 5.8, 6.2],
    [6.5, 6.7, 6.4, 6.7],
    [6.8, 7.0, 6.6, 7.1],
  ],
)
const kariSrs = points([37.0, 38.1, 37.6, 38.4, 36.9, 35.2])
const emmaCors = points(
  [27.0, 28.5, 26.0, 20.5, 21.0],
  [
    [6.5, 7.0, 6.5, 7.0],
    [7.0, 7.5, 6.5, 7.5],
    [6.5, 6.5, 6.5, 6.5],
    [5.0, 5.5, 4.5, 5.5],
    [5.5, 5.0, 5.0, 5.5],
  ],
)
const emmaByKari = points([25.5, 26.0, 24.0, 22.5])
const emmaCsrs = points([36.5, 37.0, 38.0, 37.5, 38.5])
const jonasYcors = points([6.5, 7.0, 8.2], [[6.5], [7.0], [8.2]])

const expectedFor = (intake: number) => {
  const k = Array.from({ length: 10 }, (_, i) => i + 1)
  return {
    sessionNumbers: k,
    p25: k.map((n) => intake + 2.1 * Math.log(n)),
    p50: k.map((n) => intake + 3.6 * Math.log(n)),
    p75: k.map((n) => intake + 5.2 * Math.log(n)),
    cohortSize: 143,
  }
}

function series(partial: Partial<Series> & Pick<Series, 'instrument' | 'kind' | 'points'>): Series {
  return {
    rater: 'self',
    raterMemberId: null,
    cutoff: null,
    reliableChange: null,
    status: null,
    expected: null,
    flags: [],
    ...partial,
    trend: partial.trend === undefined ? trendOf(partial.points) : partial.trend,
  }
}

const emmaFlags: Series['flags'] = [
  { code: 'deterioration', severity: 'alert', sessionNumber: 5, sessionId: sessionId(5), heldOn: '2026-09-02', detail: { intake: 27.0, latest: 21.0 } },
  { code: 'no-change-3', severity: 'notice', sessionNumber: 5, sessionId: sessionId(5), heldOn: '2026-09-02', detail: { sessions: 5 } },
]
const kariAllianceFlags: Series['flags'] = [
  { code: 'alliance-low', severity: 'warning', sessionNumber: 6, sessionId: sessionId(6), heldOn: '2026-10-21', detail: { latest: 35.2, cutoff: 36 } },
  { code: 'alliance-drop', severity: 'notice', sessionNumber: 6, sessionId: sessionId(6), heldOn: '2026-10-21', detail: { previous: 36.9, latest: 35.2 } },
]

export const progress: Progress = {
  familyId: ids.family,
  members: [
    {
      memberId: ids.kari,
      alias: 'Kari',
      role: 'adult',
      ageGroup: 'adult',
      series: [
        series({ instrument: 'ORS', kind: 'outcome', points: kariOrs, cutoff: 25, reliableChange: 5, status: 'recovered', expected: expectedFor(18.2) }),
        series({ instrument: 'SRS', kind: 'alliance', points: kariSrs, cutoff: 36, flags: kariAllianceFlags }),
      ],
    },
    {
      memberId: ids.emma,
      alias: 'Emma',
      role: 'child',
      ageGroup: 'child',
      series: [
        series({ instrument: 'CORS', kind: 'outcome', points: emmaCors, cutoff: 32, reliableChange: 5, status: 'deteriorated', flags: emmaFlags }),
        series({
          instrument: 'CORS',
          kind: 'outcome',
          rater: 'parent',
          raterMemberId: ids.kari,
          points: emmaByKari,
          cutoff: 32,
          reliableChange: 5,
          status: 'no-reliable-change',
        }),
        series({ instrument: 'CSRS', kind: 'alliance', points: emmaCsrs, cutoff: 36 }),
      ],
    },
    {
      memberId: ids.jonas,
      alias: 'Jonas',
      role: 'child',
      ageGroup: 'young-child',
      series: [series({ instrument: 'YCORS', kind: 'outcome', points: jonasYcors })],
    },
  ],
  flags: [
    ...emmaFlags.map((f) => ({ ...f, memberId: ids.emma, instrument: 'CORS', rater: 'self' as const })),
    ...kariAllianceFlags.map((f) => ({ ...f, memberId: ids.kari, instrument: 'SRS', rater: 'self' as const })),
  ],
}

/**
 * A child rated at 20 conversations over two years, and her mother rating her at only 12 of them,
 * from the child's 7th on: the mother's 12th rating comes from the child's 19th conversation, a
 * year after the child's 12th. At one conversation (2025-03-19) only the mother rated. Each series
 * numbers its points within itself, as the API does (docs/api.md, "Progress payload").
 */
const lagDates = [
  '2024-01-17',
  '2024-02-14',
  '2024-03-13',
  '2024-04-10',
  '2024-05-15',
  '2024-06-12',
  '2024-07-10',
  '2024-08-14',
  '2024-09-11',
  '2024-10-09',
  '2024-11-13',
  '2024-12-11',
  '2025-02-12',
  '2025-04-23',
  '2025-06-04',
  '2025-07-09',
  '2025-09-03',
  '2025-10-15',
  '2025-12-10',
  '2026-01-21',
]
const lagSession = (n: number) => `7c7c7c7c-0000-4000-8000-${String(n).padStart(12, '0')}`
/** The conversation with the mother's rating only, between the child's 13th and 14th. */
export const motherOnly = { sessionId: lagSession(99), heldOn: '2025-03-19' }
const childTotals = [17.5, 18.0, 19.2, 18.8, 20.1, 21.0, 20.4, 22.3, 23.0, 22.1, 24.0, 24.6, 25.3, 24.8, 26.0, 27.1, 26.5, 28.0, 28.8, 29.5]
const laggingChild = childTotals.map((total, i): Point => ({ sessionId: lagSession(i + 1), sessionNumber: i + 1, heldOn: lagDates[i], total, items: null }))
/** Child conversations (1-based) the mother rated at, and `0` for the one only she rated at. */
const motherAt = [7, 8, 10, 11, 12, 0, 14, 15, 16, 17, 18, 19]
const motherTotals = [19.0, 19.5, 20.5, 21.0, 20.0, 22.5, 23.0, 22.0, 24.5, 25.0, 24.0, 19.5]
const laggingMother = motherAt.map((c, i): Point => ({
  ...(c ? { sessionId: lagSession(c), heldOn: lagDates[c - 1] } : motherOnly),
  sessionNumber: i + 1,
  total: motherTotals[i],
  items: null,
}))
const lagExpected = {
  sessionNumbers: Array.from({ length: 22 }, (_, i) => i + 1),
  p25: Array.from({ length: 22 }, (_, i) => 17.5 + 2.1 * Math.log(i + 1)),
  p50: Array.from({ length: 22 }, (_, i) => 17.5 + 3.6 * Math.log(i + 1)),
  p75: Array.from({ length: 22 }, (_, i) => 17.5 + 5.2 * Math.log(i + 1)),
  cohortSize: 143,
}
const lagFlag = (sessionNumber: number, p: Point, code: 'sudden-drop' | 'no-change-10', severity: 'warning' | 'notice'): Series['flags'][number] => ({
  code,
  severity,
  sessionNumber,
  sessionId: p.sessionId,
  heldOn: p.heldOn,
  detail: {},
})

export const laggingParent: Progress = {
  familyId: ids.family,
  members: [
    {
      memberId: ids.emma,
      alias: 'Emma',
      role: 'child',
      ageGroup: 'child',
      series: [
        // Collateral first in the payload: the widget puts the self-rated line first anyway.
        series({
          instrument: 'CORS',
          kind: 'outcome',
          rater: 'parent',
          raterMemberId: ids.kari,
          points: laggingMother,
          cutoff: 32,
          reliableChange: 5,
          status: 'no-reliable-change',
          flags: [lagFlag(12, laggingMother[11], 'sudden-drop', 'warning')],
        }),
        series({
          instrument: 'CORS',
          kind: 'outcome',
          points: laggingChild,
          cutoff: 32,
          reliableChange: 5,
          status: 'improved',
          expected: lagExpected,
          flags: [lagFlag(20, laggingChild[19], 'no-change-10', 'notice')],
        }),
      ],
    },
  ],
  flags: [],
}

/** What a family token sees (docs/api.md, "family view"): points, trend and the cutoff as a reference line. */
export function familyView(p: Progress, options: { memberId?: string; alliance?: boolean } = {}): FamilyProgress {
  return {
    familyId: p.familyId,
    view: 'family',
    members: p.members
      .filter((m) => !options.memberId || m.memberId === options.memberId)
      .map((m) => ({
        memberId: m.memberId,
        alias: m.alias,
        role: m.role,
        ageGroup: m.ageGroup,
        series: m.series
          .filter((s) => options.alliance || s.kind === 'outcome')
          .map((s): FamilySeries => ({
            instrument: s.instrument,
            kind: s.kind,
            rater: s.rater,
            raterMemberId: s.raterMemberId,
            points: s.points,
            referenceLine: s.cutoff,
            trend: s.trend,
          })),
      })),
  }
}

/** Birth dates that give these ages today, so age-based instruments stay stable whatever day the tests run. */
function bornYearsAgo(years: number, today = new Date()): string {
  const d = new Date(Date.UTC(today.getFullYear() - years, today.getMonth(), today.getDate()))
  d.setUTCDate(d.getUTCDate() - 40)
  return d.toISOString().slice(0, 10)
}

export function family(today = new Date()): Family {
  return {
    id: ids.family,
    externalRef: 'NAV-2026-0142',
    coordinatorId: ids.coordinator,
    startedOn: '2026-02-10',
    endedOn: null,
    ending: null,
    status: 'active',
    createdAt: '2026-02-10T09:12:00.000Z',
    members: [
      { id: ids.kari, alias: 'Kari', role: 'adult', birthDate: bornYearsAgo(38, today) },
      { id: ids.sara, alias: 'Sara', role: 'child', birthDate: bornYearsAgo(13, today) },
      { id: ids.emma, alias: 'Emma', role: 'child', birthDate: bornYearsAgo(9, today) },
      { id: ids.jonas, alias: 'Jonas', role: 'child', birthDate: bornYearsAgo(4, today) },
      { id: ids.lille, alias: 'Lille', role: 'child', birthDate: bornYearsAgo(1, today) },
    ],
  }
}

const familyId = (n: number) => `f0f0f0f0-0000-4000-8000-${String(n).padStart(12, '0')}`

export const caseload: Caseload = {
  items: [
    {
      familyId: ids.family,
      externalRef: 'NAV-2026-0142',
      coordinatorId: ids.coordinator,
      lastSessionOn: '2026-10-21',
      sessionCount: 6,
      severity: 'alert',
      flags: progress.flags,
    },
    {
      familyId: familyId(2),
      externalRef: 'NAV-2025-0988',
      coordinatorId: ids.coordinator,
      lastSessionOn: '2026-11-12',
      sessionCount: 14,
      severity: 'warning',
      flags: [
        {
          code: 'no-change-6',
          severity: 'warning',
          sessionNumber: 7,
          sessionId: sessionId(7),
          heldOn: '2026-11-12',
          detail: {},
          memberId: ids.sara,
          instrument: 'ORS',
          rater: 'self',
        },
      ],
    },
    {
      familyId: familyId(3),
      externalRef: 'NAV-2026-0301',
      coordinatorId: ids.coordinator,
      lastSessionOn: null,
      sessionCount: 0,
      severity: 'notice',
      flags: [
        {
          code: 'overdue',
          severity: 'notice',
          sessionNumber: null,
          sessionId: null,
          heldOn: null,
          detail: { days: 48 },
          memberId: null,
          instrument: null,
          rater: null,
        },
      ],
    },
    {
      familyId: familyId(4),
      externalRef: 'NAV-2024-1177',
      coordinatorId: ids.coordinator,
      lastSessionOn: '2026-09-30',
      sessionCount: 22,
      severity: 'notice',
      flags: [
        {
          code: 'overdue',
          severity: 'notice',
          sessionNumber: null,
          sessionId: null,
          heldOn: null,
          detail: { days: 61 },
          memberId: null,
          instrument: null,
          rater: null,
        },
      ],
    },
    {
      familyId: familyId(5),
      externalRef: 'NAV-2026-0057',
      coordinatorId: ids.coordinator,
      lastSessionOn: '2026-11-24',
      sessionCount: 9,
      severity: null,
      flags: [],
    },
  ],
  nextCursor: null,
}
