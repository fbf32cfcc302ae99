import type { FlagCode, InstrumentKind, Rater, Severity } from '../../service/contracts/common.js'
import type { FamilyFlag, FamilyProgress, FamilySeries, Flag, Point, Progress, Series, Trend } from '../../service/contracts/progress.js'
import type { Catalogue, Formatters } from '../i18n/index.js'
import { totalMax } from '../instruments.js'

/**
 * The progress payload turned into what one chart shows, in words of one language. Pure: no
 * DOM, no chart.js; the component renders it and `buildChartConfig` turns it into a chart.
 */

export type Mode = 'coordinator' | 'family'
export type ProgressView = 'outcome' | 'alliance' | 'family'
export type ProgressPayload = Progress | FamilyProgress
export type PointShape = 'circle' | 'rect' | 'triangle' | 'rectRot'

/** Marker shapes in the order lines get them, so two lines differ by shape as well as colour. */
export const lineShapes: PointShape[] = ['circle', 'rect', 'triangle', 'rectRot']
export const seriesColours = 4

export interface LinePoint {
  /** Where the point sits on the chart's x-axis (see `axisOf`). */
  x: number
  /** Its position in its own series, as the API numbers it (the table's own-number column). */
  sessionNumber: number
  y: number
  heldOn: string
  sessionId: string
  items: number[] | null
}

export interface LineModel {
  key: string
  label: string
  rater: Rater
  colour: number
  shape: PointShape
  points: LinePoint[]
  trend: { from: { x: number; y: number }; to: { x: number; y: number } } | null
}

export interface BandModel {
  /** cutoff: shaded below the line (coordinators); reference: a soft band above it (families). */
  kind: 'cutoff' | 'reference'
  value: number
  label: string
}

export interface ExpectedModel {
  /** The primary series' session numbers (the table's), and where each sits on the x-axis. */
  sessionNumbers: number[]
  x: number[]
  p25: number[]
  p50: number[]
  p75: number[]
}

export interface FlagMarker {
  n: number
  code: FlagCode
  severity: Severity
  line: number
  sessionNumber: number
  x: number
  y: number
  severityText: string
  text: string
  where: string
}

export interface FlagEntry {
  code: FlagCode
  severity: Severity
  severityText: string
  text: string
  where: string | null
}

export interface Cell {
  text: string
  /** The payload number behind the text (null for text cells and gaps). */
  value: number | null
}

export interface TableModel {
  caption: string
  head: string[]
  rows: Cell[][]
}

export interface LegendEntry {
  kind: 'line' | 'trend' | 'cutoff' | 'reference' | 'expected' | 'median'
  label: string
  colour?: number
  shape?: PointShape
}

export interface ChartModel {
  id: string
  mode: Mode
  memberId: string
  alias: string
  instrument: string
  kind: InstrumentKind
  heading: string
  /** Coordinators: status of the primary line in words. */
  status: string | null
  scaleMax: number
  xMax: number
  lines: LineModel[]
  band: BandModel | null
  expected: ExpectedModel | null
  flags: FlagMarker[]
  legend: LegendEntry[]
  summary: string
  tables: TableModel[]
  /** Axis titles in this mode's words. */
  xTitle: string
  yTitle: string
}

export interface MemberModel {
  memberId: string
  alias: string
  heading: string
  charts: ChartModel[]
}

export interface ProgressModel {
  mode: Mode
  familyId: string
  members: MemberModel[]
  /** Coordinators: flags about the whole family (overdue), not about one member's line. */
  familyFlags: FlagEntry[]
  empty: boolean
}

export interface ModelOptions {
  t: Catalogue
  f: Formatters
  view?: ProgressView | null
  memberId?: string | null
}

type AnySeries = Series | FamilySeries

export function isFamilyPayload(p: ProgressPayload): p is FamilyProgress {
  return (p as FamilyProgress).view === 'family'
}

export function modeOf(p: ProgressPayload, view: ProgressView | null | undefined): Mode {
  return isFamilyPayload(p) || view === 'family' ? 'family' : 'coordinator'
}

/**
 * Which kinds of series a view shows: coordinators one kind at a time; a family payload both
 * where the service sent them (it sends alliance only where the municipality shows it to
 * families); a coordinator payload shown with view="family" outcome only, since whether the
 * municipality shows alliance to families is not known here.
 */
export function kindsFor(payload: ProgressPayload, view: ProgressView | null | undefined): InstrumentKind[] {
  if (view === 'alliance') return ['alliance']
  if (view === 'outcome' || !isFamilyPayload(payload)) return ['outcome']
  return ['outcome', 'alliance']
}

const severityRank: Record<Severity, number> = { notice: 1, warning: 2, alert: 3 }
export const bySeverity = (a: { severity: Severity }, b: { severity: Severity }) =>
  severityRank[b.severity] - severityRank[a.severity]

function niceCeil(v: number): number {
  if (v <= 10) return 10
  return Math.ceil(v / 10) * 10
}

function lastDate(s: AnySeries): string {
  return s.points.length ? s.points[s.points.length - 1].heldOn : ''
}

function cutoffOf(s: AnySeries): number | null {
  return 'referenceLine' in s ? s.referenceLine : s.cutoff
}

function capitalise(s: string): string {
  return s ? s[0].toLocaleUpperCase() + s.slice(1) : s
}

/** The trend from a line's first to its latest point: valued at their session numbers, drawn at their x. */
function trendSegment(trend: Trend | null, points: LinePoint[]): LineModel['trend'] {
  if (!trend || points.length < 2) return null
  const at = (p: LinePoint) => ({ x: p.x, y: trend.intercept + trend.slopePerSession * p.sessionNumber })
  return { from: at(points[0]), to: at(points[points.length - 1]) }
}

/**
 * The x-axis of a chart. A series numbers its points within itself (`sessionNumber`), so when
 * one chart draws several series of a member (self-rated plus a parent's, say) their numbers do
 * not line up: a parent's 12th rating may come from the child's 19th conversation. With several
 * series the axis is therefore the member's conversations in this chart: every session (by
 * sessionId) any of its series has a point at, ordered by heldOn, then by first appearance
 * (primary series first), numbered 1..N. A point sits at its session's number, so points from
 * one conversation share an x. With one series the axis is its own session numbers, as before.
 * What names one point (tooltip, announcement, flag list) uses its x, so the number a reader sees
 * is the tick under the point; the tables keep each series' own sessionNumber and, with several
 * series, add the x (see `buildTable`).
 */
function axisOf(series: AnySeries[]): (p: Point) => number {
  if (series.length < 2) return (p) => p.sessionNumber
  const heldOn = new Map<string, string>()
  for (const s of series) for (const p of s.points) if (!heldOn.has(p.sessionId)) heldOn.set(p.sessionId, p.heldOn)
  // A stable sort: the same day keeps the order of first appearance.
  const order = [...heldOn].sort(([, a], [, b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([id]) => id)
  return (p) => order.indexOf(p.sessionId) + 1
}

/**
 * Where session number k of a line sits on the x-axis: at the line's k-th point; past its latest
 * point, one step per k. The primary line places the expected range this way (it reaches past the
 * latest point), every line its flags and table rows.
 */
function placeOn(line: LineModel): (k: number) => number {
  const last = line.points[line.points.length - 1]
  return (k) => line.points.find((p) => p.sessionNumber === k)?.x ?? last.x + k - last.sessionNumber
}

/** Family words for a trend: up, about level, or down, judged against the scale (¼ point per session on 0–40). */
export function direction(trend: Trend | null, scaleMax: number): 'up' | 'flat' | 'down' | null {
  if (!trend) return null
  const level = scaleMax / 160
  if (trend.slopePerSession > level) return 'up'
  if (trend.slopePerSession < -level) return 'down'
  return 'flat'
}

export function buildProgressModel(payload: ProgressPayload, options: ModelOptions): ProgressModel {
  const { t, f } = options
  const mode = modeOf(payload, options.view)
  const kinds = kindsFor(payload, options.view)
  const aliases = new Map(payload.members.map((m) => [m.memberId, m.alias]))
  const members: MemberModel[] = []

  for (const member of payload.members) {
    if (options.memberId && member.memberId !== options.memberId) continue
    const charts: ChartModel[] = []
    for (const kind of kinds) {
      const byInstrument = new Map<string, AnySeries[]>()
      for (const s of member.series as AnySeries[]) {
        if (s.kind !== kind || s.points.length === 0) continue
        const list = byInstrument.get(s.instrument) ?? []
        list.push(s)
        byInstrument.set(s.instrument, list)
      }
      // The instrument in use now first (a child who turned 13 has a newer ORS above the old CORS).
      const groups = [...byInstrument.entries()].sort(
        ([, a], [, b]) => Math.max(...b.map((s) => +new Date(lastDate(s)))) - Math.max(...a.map((s) => +new Date(lastDate(s)))),
      )
      for (const [instrument, series] of groups) {
        charts.push(buildChart({ mode, kind, instrument, series, member, aliases, t, f }))
      }
    }
    const heading = mode === 'family' ? t.familyTitle(member.alias) : member.alias
    members.push({ memberId: member.memberId, alias: member.alias, heading, charts })
  }

  const familyFlags: FlagEntry[] =
    mode === 'coordinator' && !isFamilyPayload(payload)
      ? payload.flags
          .filter((fl: FamilyFlag) => fl.memberId === null)
          .sort(bySeverity)
          .map((fl) => flagEntry(fl, t, f))
      : []

  return {
    mode,
    familyId: payload.familyId,
    members,
    familyFlags,
    empty: members.every((m) => m.charts.length === 0),
  }
}

export function flagEntry(fl: Flag, t: Catalogue, f: Formatters): FlagEntry {
  return {
    code: fl.code,
    severity: fl.severity,
    severityText: t.severity[fl.severity],
    text: t.flag[fl.code] ?? fl.code,
    where:
      fl.sessionNumber !== null && fl.heldOn
        ? t.flagAt(f.integer(fl.sessionNumber), f.date(fl.heldOn))
        : fl.heldOn
          ? f.date(fl.heldOn)
          : null,
  }
}

interface ChartInput {
  mode: Mode
  kind: InstrumentKind
  instrument: string
  series: AnySeries[]
  member: ProgressPayload['members'][number]
  aliases: Map<string, string>
  t: Catalogue
  f: Formatters
}

function lineLabel(s: AnySeries, input: ChartInput): string {
  const { mode, member, aliases, t } = input
  const raterName = s.raterMemberId ? aliases.get(s.raterMemberId) ?? null : null
  if (mode === 'family') {
    if (s.rater === 'self') return t.familySelf(member.alias)
    return t.familyAbout(raterName ?? capitalise(t.rater[s.rater]), member.alias)
  }
  return raterName ? t.raterWithName(t.rater[s.rater], raterName) : t.rater[s.rater]
}

function buildChart(input: ChartInput): ChartModel {
  const { mode, kind, instrument, member, t, f } = input
  // Self-rated first: it carries the band and the expected range; collateral raters follow.
  const series = [...input.series].sort((a, b) => Number(b.rater === 'self') - Number(a.rater === 'self'))
  const primary = series[0]
  const xOf = axisOf(series)

  const lines: LineModel[] = series.map((s, i) => {
    // In time order (the API's order), so arrow keys step to the neighbouring point in time.
    const points = [...s.points]
      .sort((a, b) => a.sessionNumber - b.sessionNumber)
      .map((p) => ({ x: xOf(p), sessionNumber: p.sessionNumber, y: p.total, heldOn: p.heldOn, sessionId: p.sessionId, items: p.items }))
    return {
      key: `${s.rater}:${s.raterMemberId ?? ''}`,
      label: lineLabel(s, input),
      rater: s.rater,
      colour: i % seriesColours,
      shape: lineShapes[i % lineShapes.length],
      points,
      trend: trendSegment(s.trend, points),
    }
  })

  const cutoff = cutoffOf(primary)
  const band: BandModel | null =
    cutoff === null
      ? null
      : mode === 'family'
        ? { kind: 'reference', value: cutoff, label: t.familyReferenceBand[kind] }
        : {
            kind: 'cutoff',
            value: cutoff,
            label: kind === 'alliance' ? t.allianceCutoffBand(f.decimal(cutoff)) : t.cutoffBand(f.decimal(cutoff)),
          }

  const expectedSource = mode === 'coordinator' ? (series.find((s) => 'expected' in s && s.expected) as Series | undefined) : undefined
  const expected: ExpectedModel | null = expectedSource?.expected
    ? {
        sessionNumbers: expectedSource.expected.sessionNumbers,
        x: expectedSource.expected.sessionNumbers.map(placeOn(lines[series.indexOf(expectedSource)])),
        p25: expectedSource.expected.p25,
        p50: expectedSource.expected.p50,
        p75: expectedSource.expected.p75,
      }
    : null

  const flags: FlagMarker[] = []
  if (mode === 'coordinator') {
    series.forEach((s, line) => {
      if (!('flags' in s)) return
      for (const fl of s.flags) {
        if (fl.sessionNumber === null) continue
        const point = lines[line].points.find((p) => p.sessionNumber === fl.sessionNumber)
        const x = placeOn(lines[line])(fl.sessionNumber)
        // Named by its conversation on the axis, like the tooltip of the point it sits at.
        const entry = flagEntry({ ...fl, sessionNumber: x }, t, f)
        flags.push({
          n: 0,
          code: fl.code,
          severity: fl.severity,
          line,
          sessionNumber: fl.sessionNumber,
          x,
          y: point ? point.y : NaN,
          severityText: entry.severityText,
          text: entry.text,
          where: entry.where ?? '',
        })
      }
    })
    flags.sort((a, b) => a.x - b.x || bySeverity(a, b))
    flags.forEach((fl, i) => (fl.n = i + 1))
  }

  const allValues = lines.flatMap((l) => l.points.map((p) => p.y))
  const scaleMax =
    totalMax(instrument) ?? niceCeil(Math.max(...allValues, cutoff ?? 0, ...(expected ? expected.p75 : [])))
  const xMax = Math.max(...lines.flatMap((l) => l.points.map((p) => p.x)), ...(expected ? expected.x : []))

  const legend: LegendEntry[] = []
  lines.forEach((l) => legend.push({ kind: 'line', label: l.label, colour: l.colour, shape: l.shape }))
  if (lines.some((l) => l.trend)) legend.push({ kind: 'trend', label: mode === 'family' ? t.familyDirection : t.trend })
  if (band) legend.push({ kind: band.kind, label: band.label })
  if (expected) {
    legend.push({ kind: 'expected', label: t.expectedBand })
    legend.push({ kind: 'median', label: t.expectedMedian })
  }

  const primaryLine = lines[0]
  const latest = primaryLine.points[primaryLine.points.length - 1]
  const first = primaryLine.points[0]
  let summary: string
  let status: string | null = null
  if (mode === 'family') {
    const dir = direction(primary.trend, scaleMax)
    summary = t.familySummary({
      who: primaryLine.label,
      count: t.sessions(primaryLine.points.length, f.integer(primaryLine.points.length)),
      latest: f.score(latest.y),
      max: f.integer(scaleMax),
      date: f.date(latest.heldOn),
      trend: dir ? t.familyTrend[dir] : null,
    })
  } else {
    const s = primary as Series
    status = s.status ? t.status[s.status] : null
    summary = t.summary({
      who: member.alias,
      instrument: primary.rater === 'self' ? instrument : `${instrument} (${primaryLine.label})`,
      count: t.sessions(primaryLine.points.length, f.integer(primaryLine.points.length)),
      first: f.date(first.heldOn),
      last: f.date(latest.heldOn),
      latest: f.score(latest.y),
      max: f.integer(scaleMax),
      cutoff: cutoff === null ? null : t.cutoffIs[kind](f.decimal(cutoff)),
      status,
      trend: s.trend
        ? t.trendText(f.signed(s.trend.slopePerSession, 2), s.trend.slopePer30Days === null ? null : f.signed(s.trend.slopePer30Days, 2))
        : null,
      flags: flags.length,
    })
  }

  const tables = lines.map((l, i) => buildTable(l, i === 0 ? expected : null, input, lines.length > 1))

  return {
    id: `${member.memberId}:${kind}:${instrument}`,
    mode,
    memberId: member.memberId,
    alias: member.alias,
    instrument,
    kind,
    heading: mode === 'family' ? t.familyKindTitle[kind] : `${instrument} · ${t.kindTitle[kind]}`,
    status,
    scaleMax,
    xMax,
    lines,
    band,
    expected,
    flags,
    legend,
    summary,
    tables,
    xTitle: mode === 'family' ? t.familySessionAxis : t.sessionAxis,
    yTitle: mode === 'family' ? t.familyScoreAxis : t.scoreAxis,
  }
}

const gap: Cell = { text: '–', value: null }

/**
 * One line's numbers, each cell the payload's. With several lines on the chart its first column
 * (the row header) is the conversation on the x-axis, where the row's point (or expected value)
 * is drawn, and the line's own session number follows under a name of its own.
 */
function buildTable(line: LineModel, expected: ExpectedModel | null, input: ChartInput, several: boolean): TableModel {
  const table = ownTable(line, expected, input)
  if (several) {
    const at = placeOn(line)
    table.head.splice(1, 0, input.mode === 'family' ? input.t.familyColRating : input.t.colRating)
    for (const row of table.rows) {
      const x = at(row[0].value!)
      row.unshift({ text: input.f.integer(x), value: x })
    }
  }
  return table
}

function ownTable(line: LineModel, expected: ExpectedModel | null, input: ChartInput): TableModel {
  const { mode, instrument, member, t, f } = input
  const caption = t.tableCaption(mode === 'family' ? line.label : `${member.alias}, ${instrument}, ${line.label}`)
  if (mode === 'family') {
    return {
      caption,
      head: [t.familyColSession, t.colDate, t.familyColScore],
      rows: line.points.map((p) => [
        { text: f.integer(p.sessionNumber), value: p.sessionNumber },
        { text: f.date(p.heldOn), value: null },
        { text: f.score(p.y), value: p.y },
      ]),
    }
  }
  const itemCount = Math.max(0, ...line.points.map((p) => p.items?.length ?? 0))
  const labels = t.itemLabels[instrument]
  const itemHead = Array.from({ length: itemCount }, (_, i) =>
    labels && labels.length === itemCount ? labels[i] : f.integer(i + 1),
  )
  const head = [t.colSession, t.colDate, t.colTotal, ...itemHead]
  if (expected) head.push(t.colExpected('25'), t.colExpected('50'), t.colExpected('75'))

  const numbers = new Set(line.points.map((p) => p.sessionNumber))
  if (expected) expected.sessionNumbers.forEach((n) => numbers.add(n))
  const rows = [...numbers]
    .sort((a, b) => a - b)
    .map((n) => {
      const p = line.points.find((q) => q.sessionNumber === n)
      const row: Cell[] = [{ text: f.integer(n), value: n }]
      row.push(p ? { text: f.date(p.heldOn), value: null } : gap)
      row.push(p ? { text: f.score(p.y), value: p.y } : gap)
      for (let i = 0; i < itemCount; i++) {
        const v = p?.items?.[i]
        row.push(v === undefined ? gap : { text: f.score(v), value: v })
      }
      if (expected) {
        const k = expected.sessionNumbers.indexOf(n)
        for (const q of [expected.p25, expected.p50, expected.p75]) {
          row.push(k < 0 ? gap : { text: f.score(q[k]), value: q[k] })
        }
      }
      return row
    })
  return { caption, head, rows }
}

/**
 * What the tooltip (`head`, `value`) and the live region (`said`) say about a point: the
 * conversation it sits at on the x-axis, with its date, and who rated when the chart has more
 * than one line. Null when there is no such point.
 */
export function pointText(chart: ChartModel, line: number, index: number, t: Catalogue, f: Formatters) {
  const l = chart.lines[line]
  const p = l?.points[index]
  if (!p) return null
  const [n, d, v] = [f.integer(p.x), f.date(p.heldOn), f.score(p.y)]
  return {
    head: `${chart.xTitle} ${n} · ${d}`,
    value: chart.lines.length > 1 ? `${l.label}: ${v}` : v,
    said: t.pointAnnouncement(n, d, v, l.label),
  }
}
