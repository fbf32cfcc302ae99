import fc from 'fast-check'
import t from 'tap'
import type { ExpectedBand, Flag } from '../../service/contracts/progress.js'
import { NON_SCORE_DETAIL_KEYS, overdueFlag, SCORE_DETAIL_KEYS, seriesFlags, type OverdueInput } from '../../service/domain/flags.js'
import type { InstrumentDef } from '../../service/domain/instruments.js'
import { CORS, CSRS, ORS, SRS, YCORS, YCSRS } from './fixtures/instruments.js'
import { seriesOf, uuid } from './fixtures/ratings.js'

// Adult ORS in tenths: cutoff 250, reliable change 50. SRS: cutoff 360, alliance drop 10.
function flagsOf(totals: readonly number[], instrument: InstrumentDef = ORS, expected: ExpectedBand | null = null): Flag[] {
  const cutoff = instrument.kind === 'alliance' ? 360 : 250
  return seriesFlags({ instrument, points: seriesOf(totals, { instrument: instrument.code }).points, cutoff, expected })
}
const codes = (flags: readonly Flag[]) => flags.map((flag) => flag.code)

/** Totals that stay within ±4.9 of an intake of 20.0 (no reliable change, no sudden drop). */
const flat = (n: number, last = 200) => [...Array(n - 1).fill(200), last]

t.test('no-change-3: three conversations without reliable improvement', async (t) => {
  t.same(codes(flagsOf([200, 220, 249])), ['no-change-3'], '+4.9 at the third')
  t.same(codes(flagsOf([200, 220, 250])), [], '+5.0 is reliable improvement')
  t.same(codes(flagsOf([200, 220, 251])), [], '+5.1')
  t.same(codes(flagsOf([200, 249])), [], 'two conversations are not yet three')
  const [flag] = flagsOf([200, 220, 249])
  t.same(flag, {
    code: 'no-change-3',
    severity: 'notice',
    sessionNumber: 3,
    sessionId: seriesOf([200, 220, 249]).points[2].sessionId,
    heldOn: seriesOf([200, 220, 249]).points[2].heldOn,
    detail: { sessions: 3, intake: 200, latest: 249, change: 49, reliableChange: 50 },
  })
})

t.test('only the highest no-change prompt reached is shown', async (t) => {
  t.same(codes(flagsOf(flat(5))), ['no-change-3'], 'five')
  t.same(codes(flagsOf(flat(6))), ['no-change-6'], 'six')
  t.same(flagsOf(flat(6))[0].severity, 'warning')
  t.same(codes(flagsOf(flat(6, 250))), [], 'six with +5.0')
  t.same(codes(flagsOf(flat(9))), ['no-change-6'], 'nine')
  t.same(codes(flagsOf(flat(10))), ['no-change-10'], 'ten')
  t.same(flagsOf(flat(10))[0].severity, 'alert')
  t.same(codes(flagsOf(flat(10, 250))), [], 'ten with +5.0')
  t.same(codes(flagsOf(flat(25))), ['no-change-10'], 'and beyond')
})

t.test('improved and then lost it: flagged again, because flags look at the latest point', async (t) => {
  t.same(codes(flagsOf([200, 260, 270, 280, 230])), ['no-change-3', 'sudden-drop'])
})

t.test('the no-change prompts follow the configured numbers, in order', async (t) => {
  const later = { ...ORS, thresholds: { ...ORS.thresholds, noChangeSessions: [12, 4, 8] } }
  t.same(codes(flagsOf(flat(3), later)), [])
  t.same(
    flagsOf(flat(4), later).map((f) => [f.code, f.detail.sessions]),
    [['no-change-3', 4]],
  )
  t.same(
    flagsOf(flat(8), later).map((f) => [f.code, f.detail.sessions]),
    [['no-change-6', 8]],
  )
  t.same(
    flagsOf(flat(12), later).map((f) => [f.code, f.detail.sessions]),
    [['no-change-10', 12]],
  )
})

t.test('deterioration: intake − latest ≥ reliable change', async (t) => {
  t.same(codes(flagsOf([300, 280, 251])), ['no-change-3'], '−4.9')
  t.same(codes(flagsOf([300, 280, 250])), ['no-change-3', 'deterioration'], '−5.0')
  t.same(codes(flagsOf([300, 280, 249])), ['no-change-3', 'deterioration'], '−5.1')
  t.same(flagsOf([300, 280, 250])[1].severity, 'alert')
  t.same(codes(flagsOf([300, 250])), ['deterioration', 'sudden-drop'], 'from the second point on')
})

t.test('sudden-drop: previous − latest ≥ reliable change', async (t) => {
  // Intake 20.0, up to 30.0, then down: the change from intake stays ≥ 5.0, so only the drop shows.
  t.same(codes(flagsOf([200, 300, 251])), [], '−4.9 since the previous point')
  t.same(codes(flagsOf([200, 300, 250])), ['sudden-drop'], '−5.0')
  t.same(codes(flagsOf([200, 300, 249])), ['no-change-3', 'sudden-drop'], '−5.1 (and now below reliable improvement)')
  t.same(flagsOf([200, 300, 250])[0].detail, {
    previous: 300,
    latest: 250,
    drop: 50,
    reliableChange: 50,
    previousSessionNumber: 2,
  })
})

t.test('below-expected: latest < p25 of the band at n, only where a band exists', async (t) => {
  const band: ExpectedBand = {
    sessionNumbers: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
    p25: [200, 210, 230, 240, 245, 250, 255, 258, 260, 262],
    p50: [200, 230, 250, 260, 265, 270, 275, 278, 280, 282],
    p75: [200, 250, 270, 280, 285, 290, 295, 298, 300, 302],
    cohortSize: 42,
  }
  const at = (latest: number) => codes(flagsOf([200, 260, latest], ORS, band)).filter((code) => code === 'below-expected')
  t.same(at(229), ['below-expected'], '22.9 below 23.0')
  t.same(at(230), [], 'on p25')
  t.same(at(231), [], 'above p25')
  t.same(codes(flagsOf([200, 260, 229], ORS, null)), ['no-change-3'], 'no band, no below-expected')
  t.same(flagsOf([200, 260, 229], ORS, band).find((f) => f.code === 'below-expected')?.detail, {
    latest: 229,
    p25: 230,
    p50: 250,
    cohortSize: 42,
  })
  t.same(codes(flagsOf([150], ORS, { ...band, p25: band.p25.map((v) => v + 100) })), [], 'never from a single point')
})

t.test('alliance-low: latest alliance below its cutoff, from the first conversation', async (t) => {
  t.same(codes(flagsOf([359], SRS)), ['alliance-low'], '35.9')
  t.same(codes(flagsOf([360], SRS)), [], '36.0 is not low')
  t.same(codes(flagsOf([361], SRS)), [], '36.1')
  t.same(flagsOf([359], SRS)[0].detail, { latest: 359, cutoff: 360 })
  t.same(flagsOf([359], CSRS)[0].severity, 'warning')
  t.same(codes(seriesFlags({ instrument: SRS, points: seriesOf([100]).points, cutoff: null, expected: null })), [], 'no cutoff for this age')
})

t.test('alliance-drop: previous alliance − latest ≥ 1.0', async (t) => {
  t.same(codes(flagsOf([395, 386], SRS)), [], '−0.9')
  t.same(codes(flagsOf([395, 385], SRS)), ['alliance-drop'], '−1.0')
  t.same(codes(flagsOf([395, 384], SRS)), ['alliance-drop'], '−1.1')
  t.same(codes(flagsOf([380, 365, 355], CSRS)), ['alliance-low', 'alliance-drop'])
  t.same(flagsOf([395, 385], SRS)[0], {
    code: 'alliance-drop',
    severity: 'notice',
    sessionNumber: 2,
    sessionId: seriesOf([395, 385], { instrument: 'SRS' }).points[1].sessionId,
    heldOn: seriesOf([395, 385], { instrument: 'SRS' }).points[1].heldOn,
    detail: { previous: 395, latest: 385, drop: 10, allianceDrop: 10, previousSessionNumber: 1 },
  })
})

t.test('outcome flags only for outcome instruments, alliance flags only for alliance ones', async (t) => {
  t.same(codes(flagsOf([300, 200, 100], SRS)), ['alliance-low', 'alliance-drop'], 'no deterioration on an alliance scale')
  t.same(codes(flagsOf([300, 290, 200], CORS)), ['no-change-3', 'deterioration', 'sudden-drop'], 'no alliance-low on outcome')
  const noRc = { ...ORS, thresholds: { ...ORS.thresholds, reliableChange: null } }
  t.same(codes(flagsOf([300, 200, 100], noRc)), [], 'without a reliable-change value no change flag can fire')
})

const totalsArb = fc.array(fc.integer({ min: 0, max: 400 }), { minLength: 1, maxLength: 15 })

t.test('property: never a flag for YCORS or YCSRS', async () => {
  fc.assert(
    fc.property(totalsArb, fc.constantFrom(YCORS, YCSRS), fc.option(fc.integer({ min: 0, max: 400 }), { nil: null }), (totals, instrument, cutoff) => {
      const band: ExpectedBand = {
        sessionNumbers: [1, 2],
        p25: [400, 400],
        p50: [400, 400],
        p75: [400, 400],
        cohortSize: 99,
      }
      return seriesFlags({ instrument, points: seriesOf(totals).points, cutoff, expected: band }).length === 0
    }),
  )
})

t.test('property: no outcome flag from a single rating', async () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 400 }), fc.constantFrom(ORS, CORS), (total, instrument) => {
      const band: ExpectedBand = {
        sessionNumbers: [1, 2],
        p25: [400, 400],
        p50: [400, 400],
        p75: [400, 400],
        cohortSize: 99,
      }
      const lowThresholds = {
        ...instrument,
        thresholds: { ...instrument.thresholds, reliableChange: 0, noChangeSessions: [1, 1, 1] },
      }
      return seriesFlags({ instrument: lowThresholds, points: seriesOf([total]).points, cutoff: 400, expected: band }).length === 0
    }),
  )
})

t.test('property: every detail key is classified as a score or not, and scores are numbers', async () => {
  const scoreKeys = new Set<string>(SCORE_DETAIL_KEYS)
  const otherKeys = new Set<string>(NON_SCORE_DETAIL_KEYS)
  fc.assert(
    fc.property(totalsArb, fc.constantFrom(ORS, CORS, SRS, CSRS), (totals, instrument) => {
      const band: ExpectedBand = {
        sessionNumbers: totals.map((_, i) => i + 1),
        p25: totals.map(() => 300.5),
        p50: totals.map(() => 320),
        p75: totals.map(() => 340),
        cohortSize: 30,
      }
      return flagsOf(totals, instrument, band).every((flag) =>
        Object.entries(flag.detail).every(([key, value]) => (scoreKeys.has(key) ? typeof value === 'number' : otherKeys.has(key))),
      )
    }),
  )
})

const overdue = (over: Partial<OverdueInput>): Flag | null =>
  overdueFlag({
    today: '2026-03-14',
    familyStatus: 'active',
    startedOn: '2025-09-01',
    lastSession: { id: uuid(7), heldOn: '2026-01-31' },
    overdueDays: 42,
    ...over,
  })

t.test('overdue: 42 days or more since the last conversation in an active family', async (t) => {
  // 2026-01-31 + 42 days = 2026-03-14.
  t.equal(overdue({ today: '2026-03-13' }), null, '41 days')
  t.same(overdue({ today: '2026-03-14' }), {
    code: 'overdue',
    severity: 'notice',
    sessionNumber: null,
    sessionId: uuid(7),
    heldOn: '2026-01-31',
    detail: { since: '2026-01-31', lastSessionOn: '2026-01-31', days: 42, overdueDays: 42 },
  })
  t.equal(overdue({ today: '2026-03-15' })?.detail.days, 43, '43 days')
  t.equal(overdue({ familyStatus: 'ended' }), null, 'an ended family is never overdue')
  t.equal(overdue({ overdueDays: 43 }), null, 'the setting is used')
})

t.test('overdue counts from the start when there has been no conversation yet', async (t) => {
  t.equal(overdue({ lastSession: null, startedOn: '2026-02-01' }), null, '41 days since the start')
  t.same(overdue({ lastSession: null, startedOn: '2026-01-31' }), {
    code: 'overdue',
    severity: 'notice',
    sessionNumber: null,
    sessionId: null,
    heldOn: null,
    detail: { since: '2026-01-31', lastSessionOn: null, days: 42, overdueDays: 42 },
  })
})
