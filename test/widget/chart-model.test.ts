import t from 'tap'
import { buildProgressModel, kindsFor, modeOf } from '../../widget/chart/model.js'
import { pointText } from '../../widget/chart/point-text.js'
import { direction } from '../../widget/chart/summary.js'
import { localize } from '../../widget/i18n/index.js'
import { familyView, ids, laggingParent, motherOnly, progress } from './fixtures.js'

const nb = localize('nb')
const en = localize('en')

t.test('coordinator view: one chart per member and instrument, outcome only', async (t) => {
  const model = buildProgressModel(progress, { ...nb })
  t.equal(model.mode, 'coordinator')
  t.same(
    model.members.map((m) => [m.alias, m.charts.map((c) => c.instrument)]),
    [
      ['Kari', ['ORS']],
      ['Emma', ['CORS']],
      ['Jonas', ['YCORS']],
    ],
  )
  const emma = model.members[1].charts[0]
  t.equal(emma.lines.length, 2, 'self and parent ratings share the chart')
  t.equal(emma.lines[0].rater, 'self', 'self-rated line first')
  t.equal(emma.lines[1].label, 'Forelder (Kari)', 'collateral rater named by alias')
  t.not(emma.lines[0].shape, emma.lines[1].shape, 'lines differ by marker shape, not only colour')
  t.equal(emma.scaleMax, 40)
  t.equal(model.members[2].charts[0].scaleMax, 10, 'young-child form on its own 0–10 scale')
})

t.test('cutoff band, expected range and status for coordinators', async (t) => {
  const kari = buildProgressModel(progress, { ...nb }).members[0].charts[0]
  t.same(kari.band && { kind: kari.band.kind, value: kari.band.value }, { kind: 'cutoff', value: 25 })
  t.equal(kari.band?.label, 'Under klinisk grense (25)')
  t.ok(kari.expected)
  t.equal(kari.xMax, 10, 'the x axis reaches the end of the expected range')
  t.equal(kari.status, 'Bedret, nå over grensen')
  t.match(kari.summary, /^Kari, ORS: 6 samtaler fra 4\. mars 2026 til 21\. okt\. 2026\. Siste skår 27,5 av 40, klinisk grense 25\. Status: Bedret/)
  t.match(kari.summary, /Trend: \+\d,\d\d per samtale \(\+\d,\d\d per 30 dager\)\./)
  t.same(
    kari.legend.map((l) => l.kind),
    ['line', 'trend', 'cutoff', 'expected', 'median'],
  )
})

t.test('flags become numbered markers at their session, most severe first where they share one', async (t) => {
  const emma = buildProgressModel(progress, { ...nb }).members[1].charts[0]
  t.same(
    emma.flags.map((f) => [f.n, f.code, f.sessionNumber, f.y, f.severityText]),
    [
      [1, 'deterioration', 5, 21, 'Haster'],
      [2, 'no-change-3', 5, 21, 'Merk'],
    ],
  )
  t.equal(emma.flags[0].where, 'samtale 5, 2. sep. 2026')
})

t.test('the table holds the payload numbers, one row per session', async (t) => {
  const kari = buildProgressModel(progress, { ...nb }).members[0].charts[0]
  const table = kari.tables[0]
  t.same(table.head, ['Samtale nr.', 'Dato', 'Sum', 'Personlig', 'Nære relasjoner', 'Sosialt', 'Alt i alt', 'Forventet P25', 'Forventet P50', 'Forventet P75'])
  const series = progress.members[0].series[0]
  series.points.forEach((p, i) => {
    const row = table.rows[i]
    t.equal(row[0].value, p.sessionNumber)
    t.equal(row[2].value, p.total)
    t.equal(row[2].text, nb.f.score(p.total))
    t.same(
      row.slice(3, 7).map((c) => c.value),
      p.items,
    )
    t.equal(row[8].value, series.expected!.p50[i])
  })
  t.equal(table.rows.length, 10, 'expected-only sessions 7–10 have rows too')
  t.same(
    table.rows[8].slice(1, 3).map((c) => c.text),
    ['–', '–'],
  )
})

t.test('family view: plain words, soft band above the line, no percentiles or flags', async (t) => {
  const model = buildProgressModel(familyView(progress), { ...nb })
  t.equal(model.mode, 'family')
  t.same(model.familyFlags, [])
  const emma = model.members[1].charts[0]
  t.equal(model.members[1].heading, 'Slik går det for Emma')
  t.equal(emma.heading, 'Hvordan går det?')
  t.same(emma.band && { kind: emma.band.kind, value: emma.band.value }, { kind: 'reference', value: 32 })
  t.equal(emma.expected, null)
  t.same(emma.flags, [])
  t.equal(emma.status, null)
  t.equal(emma.lines[0].label, 'Svarene til Emma')
  t.equal(emma.lines[1].label, 'Kari om Emma')
  t.same(emma.tables[0].head, ['Samtale', 'Svar nr.', 'Dato', 'Poeng'], 'two lines: the conversation, then the line’s own number')
  t.equal(emma.summary, 'Svarene til Emma: 5 samtaler. Siste gang 21,0 av 40 poeng (2. sep. 2026). Det har gått nedover.')
  const words = JSON.stringify(model)
  t.notMatch(words, /klinisk|persentil|forverr|Forventet|Haster/i)
})

t.test('a coordinator payload shown with view="family" is stripped to the family view', async (t) => {
  const model = buildProgressModel(progress, { ...en, view: 'family' })
  t.equal(model.mode, 'family')
  const kari = model.members[0].charts[0]
  t.equal(kari.expected, null)
  t.same(kari.flags, [])
  t.equal(kari.band?.kind, 'reference')
  t.notMatch(JSON.stringify(model), /clinical|percentile|deteriorat/i)
  t.same(
    model.members.map((m) => m.charts.map((c) => c.kind)),
    [['outcome'], ['outcome'], ['outcome']],
  )
})

t.test('alliance view and member filter', async (t) => {
  const model = buildProgressModel(progress, { ...en, view: 'alliance', memberId: ids.kari })
  t.equal(model.members.length, 1)
  const srs = model.members[0].charts[0]
  t.equal(srs.instrument, 'SRS')
  t.equal(srs.band?.label, 'Below the alliance cutoff (36)')
  t.same(
    srs.flags.map((f) => f.code),
    ['alliance-low', 'alliance-drop'],
  )
  t.same(kindsFor(familyView(progress), null), ['outcome', 'alliance'])
  t.same(kindsFor(progress, null), ['outcome'])
  t.same(kindsFor(progress, 'family'), ['outcome'], 'a coordinator payload shown to a family: outcome only')
  t.equal(modeOf(progress, 'alliance'), 'coordinator')
})

t.test('family view shows alliance charts only when the service sends them', async (t) => {
  const without = buildProgressModel(familyView(progress), { ...nb })
  t.same(
    without.members[0].charts.map((c) => c.kind),
    ['outcome'],
  )
  const withAlliance = buildProgressModel(familyView(progress, { alliance: true }), { ...nb })
  t.same(
    withAlliance.members[0].charts.map((c) => c.heading),
    ['Hvordan går det?', 'Hvordan var samtalene?'],
  )
})

t.test('family-level flags (overdue) are listed apart from the charts', async (t) => {
  const withOverdue = {
    ...progress,
    flags: [
      ...progress.flags,
      {
        code: 'overdue' as const,
        severity: 'notice' as const,
        sessionNumber: null,
        sessionId: null,
        heldOn: null,
        detail: {},
        memberId: null,
        instrument: null,
        rater: null,
      },
    ],
  }
  const model = buildProgressModel(withOverdue, { ...nb })
  t.same(
    model.familyFlags.map((f) => [f.code, f.text, f.where]),
    [['overdue', 'Lenge siden siste samtale', null]],
  )
})

t.test('a member with no points and an empty family', async (t) => {
  const empty = buildProgressModel({ familyId: ids.family, members: [], flags: [] }, { ...nb })
  t.equal(empty.empty, true)
  const noPoints = buildProgressModel(
    {
      familyId: ids.family,
      flags: [],
      members: [{ ...progress.members[0], series: progress.members[0].series.map((s) => ({ ...s, points: [] })) }],
    },
    { ...nb },
  )
  t.equal(noPoints.empty, true)
})

t.test('trend direction in family words is judged against the scale', async (t) => {
  const trend = (slopePerSession: number) => ({ slopePerSession, slopePer30Days: null, intercept: 0, r2: null, n: 3 })
  t.equal(direction(trend(0.3), 40), 'up')
  t.equal(direction(trend(0.2), 40), 'flat')
  t.equal(direction(trend(-0.3), 40), 'down')
  t.equal(direction(trend(0.1), 10), 'up', 'a tenth per session is a lot on 0–10')
  t.equal(direction(null, 40), null)
})

t.test('an instrument the widget does not know is charted on a scale from its data', async (t) => {
  const m = progress.members[0]
  const custom = buildProgressModel(
    {
      familyId: ids.family,
      flags: [],
      members: [
        {
          ...m,
          series: [
            {
              ...m.series[0],
              instrument: 'GAS',
              cutoff: 55,
              expected: null,
              points: m.series[0].points.map((p) => ({ ...p, total: p.total * 2, items: null })),
            },
          ],
        },
      ],
    },
    { ...en },
  )
  t.equal(custom.members[0].charts[0].scaleMax, 60)
  t.same(custom.members[0].charts[0].tables[0].head, ['Session', 'Date', 'Total'])
})

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i)

t.test('several series: the x-axis is the member’s conversations, so one conversation’s points line up', async (t) => {
  const chart = buildProgressModel(laggingParent, { ...nb }).members[0].charts[0]
  const [child, mother] = chart.lines
  t.same([child.rater, mother.rater], ['self', 'parent'], 'self-rated line first, whatever the payload order')
  t.same(
    child.points.map((p) => p.sessionNumber),
    range(1, 20),
    'each line keeps its own session numbers',
  )
  t.same(
    mother.points.map((p) => p.sessionNumber),
    range(1, 12),
  )

  // The union of both lines' sessions, by date: the child's 20 and the one only the mother rated at.
  t.same(
    child.points.map((p) => p.x),
    [...range(1, 13), ...range(15, 21)],
    'the conversation without the child leaves x = 14 free',
  )
  t.same(
    mother.points.map((p) => p.x),
    [7, 8, 10, 11, 12, 14, 15, 16, 17, 18, 19, 20],
  )
  const childX = new Map(child.points.map((p) => [p.sessionId, p.x]))
  for (const p of mother.points) {
    if (p.sessionId === motherOnly.sessionId) t.equal(p.x, 14, 'the mother-only conversation between the child’s 13th (x 13) and 14th (x 15)')
    else t.equal(p.x, childX.get(p.sessionId), `mother’s ${p.sessionNumber}. rating (${p.heldOn}) at the x of the child’s point from that conversation`)
  }
  const twelfth = mother.points[11]
  t.equal(twelfth.heldOn, child.points[18].heldOn, 'the mother’s 12th rating is from the child’s 19th conversation …')
  t.equal(twelfth.x, child.points[18].x, '… and is drawn there')
  t.not(twelfth.x, child.points[11].x, 'not next to the child’s 12th, a year earlier')
  t.equal(chart.xMax, 23, '21 conversations, and the expected range two beyond the child’s latest')

  // Neighbouring points in a line are neighbours in time, and the axis only moves forward.
  for (const line of chart.lines) {
    line.points.forEach((p, i) => {
      if (i === 0) return
      const prev = line.points[i - 1]
      t.ok(p.x > prev.x && p.heldOn > prev.heldOn && p.sessionNumber === prev.sessionNumber + 1, `${line.rater} ${i}: after ${i - 1}`)
    })
  }

  // Flags sit at their own line's point; the list is in axis order and names the conversation on the axis.
  t.same(
    chart.flags.map((f) => [f.n, f.code, f.line, f.sessionNumber, f.x, f.y, f.where]),
    [
      [1, 'sudden-drop', 1, 12, 20, 19.5, 'samtale 20, 10. des. 2025'],
      [2, 'no-change-10', 0, 20, 21, 29.5, 'samtale 21, 21. jan. 2026'],
    ],
  )

  // Tables keep the API's numbers and dates, and with two lines lead with the conversation on the axis.
  const [childTable, motherTable] = chart.tables
  t.same(childTable.head.slice(0, 4), ['Samtale nr.', 'Skåring nr.', 'Dato', 'Sum'])
  t.same(motherTable.head, ['Samtale nr.', 'Skåring nr.', 'Dato', 'Sum'])
  t.same(
    childTable.rows.map((r) => r[1].value),
    range(1, 22),
    'child: her 20 points and the expected range to 22',
  )
  t.same(
    childTable.rows.map((r) => r[0].value),
    [...child.points.map((p) => p.x), 22, 23],
    'each row at its x; the expected range past her latest where the band is drawn',
  )
  t.same(
    childTable.rows.map((r) => r[0].value),
    [...child.points.map((p) => p.x), ...chart.expected!.x.slice(20)],
  )
  t.same(
    motherTable.rows.map((r) => [r[0].value, r[1].value, r[2].text, r[3].value]),
    mother.points.map((p) => [p.x, p.sessionNumber, nb.f.date(p.heldOn), p.y]),
  )
  t.same(
    motherTable.rows[11].map((c) => c.text),
    ['20', '12', '10. des. 2025', '19,5'],
    'her 12th rating, in the row of conversation 20',
  )
  t.match(chart.summary, /^Emma, CORS: 20 samtaler fra 17\. jan\. 2024 til 21\. jan\. 2026\./)
})

t.test('several series: the expected range, cutoff and trend follow the primary (self-rated) series', async (t) => {
  const chart = buildProgressModel(laggingParent, { ...nb }).members[0].charts[0]
  const [child, mother] = chart.lines
  const self = laggingParent.members[0].series[1]
  const parent = laggingParent.members[0].series[0]
  const e = chart.expected!
  t.same(e.sessionNumbers, range(1, 22), 'the payload’s session numbers, for the table')
  t.same(e.x, [...range(1, 13), ...range(15, 21), 22, 23], 'k at the x of the child’s k-th point, then one step per k past her latest')
  e.sessionNumbers.forEach((k, i) => {
    if (k <= 20) t.equal(e.x[i], child.points[k - 1].x)
  })
  t.equal(e.x[e.x.length - 1], child.points[19].x + 2, 'the band still reaches the latest point + 2')
  t.same(e.p50, self.expected!.p50)
  t.same(chart.band && [chart.band.kind, chart.band.value], ['cutoff', 32])
  t.equal(chart.status, 'Reell bedring', 'the child’s status, not the mother’s (no reliable change)')

  // Each trend is the payload's line in its own session numbers, drawn from its first to its latest point.
  const at = (trend: typeof self.trend, k: number) => trend!.intercept + trend!.slopePerSession * k
  t.same(child.trend, { from: { x: 1, y: at(self.trend, 1) }, to: { x: 21, y: at(self.trend, 20) } })
  t.same(mother.trend, { from: { x: 7, y: at(parent.trend, 1) }, to: { x: 20, y: at(parent.trend, 12) } })
})

t.test('one series: x is the session number, as before', async (t) => {
  const [parent, self] = laggingParent.members[0].series
  const only = (s: typeof self) => ({ ...laggingParent, members: [{ ...laggingParent.members[0], series: [s] }] })
  const child = buildProgressModel(only(self), { ...nb }).members[0].charts[0]
  t.same(
    child.lines[0].points.map((p) => p.x),
    range(1, 20),
  )
  t.same(child.expected!.x, child.expected!.sessionNumbers)
  t.equal(child.xMax, 22)
  t.same(
    child.flags.map((f) => f.x),
    [20],
  )
  t.same(child.tables[0].head.slice(0, 3), ['Samtale nr.', 'Dato', 'Sum'], 'one line: no extra column')
  t.same(
    child.tables[0].rows.map((r) => r[0].value),
    range(1, 22),
  )
  const mother = buildProgressModel(only(parent), { ...nb }).members[0].charts[0]
  t.same(
    mother.lines[0].points.map((p) => p.x),
    range(1, 12),
    'a collateral line alone is placed by its own numbers',
  )
  t.same(mother.lines[0].trend!.to.x, 12)
  // The fixture family: Kari alone on her ORS chart, and Emma's parent rating at her first four sessions.
  const model = buildProgressModel(progress, { ...nb })
  const kari = model.members[0].charts[0]
  t.same(
    kari.lines[0].points.map((p) => p.x),
    progress.members[0].series[0].points.map((p) => p.sessionNumber),
  )
  t.same(kari.expected!.x, kari.expected!.sessionNumbers)
  const emma = model.members[1].charts[0]
  t.same(
    emma.lines.map((l) => l.points.map((p) => p.x)),
    [range(1, 5), range(1, 4)],
    'the same conversations: the same x as before',
  )
})

t.test('family view of several series: the same axis, the family table with its own numbers', async (t) => {
  const chart = buildProgressModel(familyView(laggingParent), { ...en }).members[0].charts[0]
  t.same(
    chart.lines[1].points.map((p) => p.x),
    [7, 8, 10, 11, 12, 14, 15, 16, 17, 18, 19, 20],
  )
  t.same(chart.tables[1].head, ['Session', 'Answer no.', 'Date', 'Points'])
  t.same(
    chart.tables[1].rows.map((r) => r[1].value),
    range(1, 12),
  )
  t.same(
    chart.tables[1].rows.map((r) => r[0].value),
    [7, 8, 10, 11, 12, 14, 15, 16, 17, 18, 19, 20],
  )
  t.same(
    chart.tables[0].rows.map((r) => r[0].value),
    chart.lines[0].points.map((p) => p.x),
    'the family table has no expected rows',
  )
  t.equal(chart.xTitle, 'Session')
})

t.test('several series: the tooltip and the announcement give the conversation on the axis, not the line’s own number', async (t) => {
  const chart = buildProgressModel(laggingParent, { ...nb }).members[0].charts[0]
  const [child, mother] = chart.lines
  // The child's 18th and the mother's 11th rating are from one conversation, drawn over tick 19.
  t.same([child.points[17].sessionNumber, child.points[17].x, mother.points[10].sessionNumber, mother.points[10].x], [18, 19, 11, 19])
  t.same(pointText(chart, 0, 17, nb.t, nb.f), {
    head: 'Samtale nr. 19 · 15. okt. 2025',
    value: 'Selv: 28,0',
    said: 'Selv, samtale 19, 15. okt. 2025: 28,0',
  })
  t.same(pointText(chart, 1, 10, nb.t, nb.f), {
    head: 'Samtale nr. 19 · 15. okt. 2025',
    value: 'Forelder: 24,0',
    said: 'Forelder, samtale 19, 15. okt. 2025: 24,0',
  })
  const english = buildProgressModel(laggingParent, { ...en }).members[0].charts[0]
  t.same(pointText(english, 1, 11, en.t, en.f), {
    head: 'Session no. 20 · 10 Dec 2025',
    value: 'Parent: 19.5',
    said: 'Parent, session 20, 10 Dec 2025: 19.5',
  })
  // Every point says the tick it sits over, and its own date.
  chart.lines.forEach((line, l) =>
    line.points.forEach((p, i) => {
      const words = pointText(chart, l, i, nb.t, nb.f)!
      t.equal(words.head, `Samtale nr. ${p.x} · ${nb.f.date(p.heldOn)}`, `${line.rater} ${p.sessionNumber}: tick ${p.x}`)
      t.ok(words.said.startsWith(`${line.label}, samtale ${p.x}, ${nb.f.date(p.heldOn)}: `))
    }),
  )
  t.equal(pointText(chart, 1, 12, nb.t, nb.f), null, 'no such point')

  // The family's words: the axis is "Samtale", the line named as the family knows it.
  const family = buildProgressModel(familyView(laggingParent), { ...nb }).members[0].charts[0]
  t.same(pointText(family, 1, 11, nb.t, nb.f), {
    head: 'Samtale 20 · 10. des. 2025',
    value: 'Forelder om Emma: 19,5',
    said: 'Forelder om Emma, samtale 20, 10. des. 2025: 19,5',
  })

  // One line: the axis is the session number, and the tooltip needs no name.
  const kari = buildProgressModel(progress, { ...nb }).members[0].charts[0]
  t.same(pointText(kari, 0, 5, nb.t, nb.f), {
    head: 'Samtale nr. 6 · 21. okt. 2026',
    value: '27,5',
    said: 'Selv, samtale 6, 21. okt. 2026: 27,5',
  })
})
