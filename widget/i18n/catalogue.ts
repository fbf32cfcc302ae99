import type { FlagCode, InstrumentKind, Rater, SeriesStatus, SessionKind, Severity } from '../../service/contracts/common.js'

/**
 * Every word the widget shows. Plain strings where the text never changes, functions where a
 * number, name or date goes in (the caller formats numbers and dates for the language first).
 * Family-facing texts (`family*`) never use clinical words: docs/rules.md, "Family-facing wording".
 */
export interface Catalogue {
  /** BCP 47 tags for Intl, most specific first; the last is a safe fallback. */
  locales: string[]

  loading: string
  retry: string
  genericError: string
  notFound: string
  noAccess: string
  offline: string
  tokenExpired: string
  sessions: (n: number, formatted: string) => string

  // ---- progress, coordinator words ----
  kindTitle: Record<InstrumentKind, string>
  rater: Record<Rater, string>
  raterWithName: (rater: string, name: string) => string
  sessionAxis: string
  scoreAxis: string
  cutoffBand: (value: string) => string
  allianceCutoffBand: (value: string) => string
  /** The cutoff as a phrase inside a chart summary. */
  cutoffIs: Record<InstrumentKind, (value: string) => string>
  expectedBand: string
  expectedMedian: string
  trend: string
  trendText: (perSession: string, per30Days: string | null) => string
  status: Record<SeriesStatus, string>
  statusLabel: string
  severity: Record<Severity, string>
  noFlags: string
  flagsHeading: string
  flag: Record<FlagCode, string>
  flagAt: (session: string, date: string) => string
  summary: (p: {
    who: string
    instrument: string
    count: string
    first: string
    last: string
    latest: string
    max: string
    cutoff: string | null
    status: string | null
    trend: string | null
    flags: number
  }) => string
  noData: string
  noSeries: string
  pointAnnouncement: (session: string, date: string, score: string, series: string) => string
  chartHint: string
  showTable: string
  hideTable: string
  tableCaption: (who: string) => string
  /** The table's session column: the chart's x-axis (with several lines, the member's conversations). */
  colSession: string
  /** With several lines on a chart: a line's own number for its points, apart from `colSession`. */
  colRating: string
  colDate: string
  colTotal: string
  colExpected: (p: '25' | '50' | '75') => string
  itemLabels: Record<string, string[]>

  // ---- progress, family words ----
  familyTitle: (alias: string) => string
  familyKindTitle: Record<InstrumentKind, string>
  familySelf: (alias: string) => string
  familyAbout: (rater: string, alias: string) => string
  familyReferenceBand: Record<InstrumentKind, string>
  familySessionAxis: string
  familyScoreAxis: string
  familyDirection: string
  familyTrend: Record<'up' | 'flat' | 'down', string>
  familySummary: (p: { who: string; count: string; latest: string; max: string; date: string; trend: string | null }) => string
  familyShowTable: string
  familyHideTable: string
  familyColSession: string
  familyColRating: string
  familyColScore: string

  // ---- session form ----
  formTitle: string
  heldOn: string
  kind: string
  sessionKind: Record<SessionKind, string>
  participants: string
  participantsHint: string
  age: (years: string) => string
  tooYoung: string
  outcomeHeading: string
  allianceHeading: string
  allianceHint: string
  formFor: (instrument: string, years: string) => string
  modeScales: string
  modeTotal: string
  modeSkip: string
  howEntered: (alias: string) => string
  notSet: string
  totalLabel: (max: string) => string
  note: string
  noteHint: string
  save: string
  saving: string
  saved: string
  errorSummary: string
  errorRequired: string
  errorChooseSomeone: string
  errorFuture: string
  errorDate: string
  errorTotal: (max: string) => string
  errorServer: string
  queuedNow: string
  waiting: (n: number, formatted: string) => string
  waitingItem: (date: string, who: string) => string
  sendNow: string
  discard: string
  rejected: (message: string) => string
  replayed: (n: number, formatted: string) => string

  // ---- caseload ----
  caseloadTitle: string
  lastSession: (date: string) => string
  noSessionYet: string
  caseloadEmpty: string
  showMore: string
  moreFlags: (n: string) => string
  /** How many people one flag in the caseload is about, when more than one. */
  persons: (n: number, formatted: string) => string
  openFamily: string
}

export type Lang = 'nb' | 'nn' | 'en'
