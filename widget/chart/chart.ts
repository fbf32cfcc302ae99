import type { Series } from '../../service/contracts/progress.js'
import { totalMax } from '../instruments.js'
import { placeOn } from './axis.js'
import { flagMarkers } from './flags.js'
import { linesOf } from './lines.js'
import { summaryOf } from './summary.js'
import { buildTable } from './tables.js'
import type { AnySeries, BandModel, ChartInput, ChartModel, ExpectedModel, LegendEntry, LineModel } from './types.js'

/**
 * One chart: one member's series of one instrument kind and instrument, self-rated first (it
 * carries the band and the expected range), collateral raters after it.
 */
export function buildChart(input: ChartInput): ChartModel {
  const { mode, kind, instrument, member, t, f } = input
  const series = [...input.series].sort((a, b) => Number(b.rater === 'self') - Number(a.rater === 'self'))
  const primary = series[0]
  const lines = linesOf(series, input)
  const cutoff = cutoffOf(primary)
  const band = bandOf(cutoff, input)
  const expected = expectedOf(series, lines, input)
  const flags = mode === 'coordinator' ? flagMarkers(series, lines, t, f) : []
  const scaleMax = scaleMaxOf(instrument, lines, cutoff, expected)
  const { summary, status } = summaryOf(input, { primary, line: lines[0], scaleMax, cutoff, flags: flags.length })

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
    xMax: xMaxOf(lines, expected),
    lines,
    band,
    expected,
    flags,
    legend: legendOf(lines, band, expected, input),
    summary,
    tables: lines.map((l, i) => buildTable(l, i === 0 ? expected : null, input, lines.length > 1)),
    xTitle: mode === 'family' ? t.familySessionAxis : t.sessionAxis,
    yTitle: mode === 'family' ? t.familyScoreAxis : t.scoreAxis,
  }
}

function cutoffOf(s: AnySeries): number | null {
  return 'referenceLine' in s ? s.referenceLine : s.cutoff
}

/** Coordinators: the cutoff, shaded below; families: the same value as a soft reference band above. */
function bandOf(cutoff: number | null, input: ChartInput): BandModel | null {
  const { mode, kind, t, f } = input
  if (cutoff === null) return null
  if (mode === 'family') return { kind: 'reference', value: cutoff, label: t.familyReferenceBand[kind] }
  return {
    kind: 'cutoff',
    value: cutoff,
    label: kind === 'alliance' ? t.allianceCutoffBand(f.decimal(cutoff)) : t.cutoffBand(f.decimal(cutoff)),
  }
}

/** Coordinators: the first series' expected range that the service sent, placed on the x-axis by its line. */
function expectedOf(series: AnySeries[], lines: LineModel[], input: ChartInput): ExpectedModel | null {
  const source = input.mode === 'coordinator' ? (series.find((s) => 'expected' in s && s.expected) as Series | undefined) : undefined
  if (!source?.expected) return null
  return {
    sessionNumbers: source.expected.sessionNumbers,
    x: source.expected.sessionNumbers.map(placeOn(lines[series.indexOf(source)])),
    p25: source.expected.p25,
    p50: source.expected.p50,
    p75: source.expected.p75,
  }
}

function niceCeil(v: number): number {
  if (v <= 10) return 10
  return Math.ceil(v / 10) * 10
}

/** The instrument's highest total; for an instrument the widget does not know, room for everything drawn. */
function scaleMaxOf(instrument: string, lines: LineModel[], cutoff: number | null, expected: ExpectedModel | null): number {
  const allValues = lines.flatMap((l) => l.points.map((p) => p.y))
  return totalMax(instrument) ?? niceCeil(Math.max(...allValues, cutoff ?? 0, ...(expected ? expected.p75 : [])))
}

function xMaxOf(lines: LineModel[], expected: ExpectedModel | null): number {
  return Math.max(...lines.flatMap((l) => l.points.map((p) => p.x)), ...(expected ? expected.x : []))
}

/** Every line, then what else the chart draws, each in this mode's words. */
function legendOf(lines: LineModel[], band: BandModel | null, expected: ExpectedModel | null, input: ChartInput): LegendEntry[] {
  const { mode, t } = input
  const legend: LegendEntry[] = []
  lines.forEach((l) => legend.push({ kind: 'line', label: l.label, colour: l.colour, shape: l.shape }))
  if (lines.some((l) => l.trend)) legend.push({ kind: 'trend', label: mode === 'family' ? t.familyDirection : t.trend })
  if (band) legend.push({ kind: band.kind, label: band.label })
  if (expected) {
    legend.push({ kind: 'expected', label: t.expectedBand })
    legend.push({ kind: 'median', label: t.expectedMedian })
  }
  return legend
}
