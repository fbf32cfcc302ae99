import type { FlagCode, InstrumentKind, Rater, Severity } from '../../service/contracts/common.js'
import type { FamilyProgress, FamilySeries, Progress, Series } from '../../service/contracts/progress.js'
import type { Catalogue, Formatters } from '../i18n/index.js'

/**
 * What one progress payload becomes for the element to render, in words of one language: the
 * members, their charts and each chart's lines, band, expected range, flags, legend, summary and
 * tables. Types only; the builders live beside them (model.ts is where to start).
 */

export type Mode = 'coordinator' | 'family'
export type ProgressView = 'outcome' | 'alliance' | 'family'
export type ProgressPayload = Progress | FamilyProgress
export type PointShape = 'circle' | 'rect' | 'triangle' | 'rectRot'

export interface LinePoint {
  /** Where the point sits on the chart's x-axis (see `axisOf` in axis.ts). */
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

/** A series as either view sends it: the coordinator's (with status, expected range and flags) or the family's. */
export type AnySeries = Series | FamilySeries

/** What building one chart needs: one member's series of one instrument, and the words. */
export interface ChartInput {
  mode: Mode
  kind: InstrumentKind
  instrument: string
  series: AnySeries[]
  member: ProgressPayload['members'][number]
  aliases: Map<string, string>
  t: Catalogue
  f: Formatters
}
