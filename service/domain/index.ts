/**
 * The domain layer: pure functions over ratings, series and instruments. No I/O; every score
 * is integer tenths (the API edge converts to points).
 */
export { ageOn, daysBetween, parseIsoDate } from './calendar.js'
export {
  ageGroupOf,
  cutoffFor,
  fitsAge,
  instrumentByCode,
  instrumentFor,
  isPsychometricAlliance,
  isPsychometricOutcome,
  type InstrumentDef,
  type Thresholds,
} from './instruments.js'
export { scoreRating, type EnteredScores, type ScoredRating, type ScoreProblem } from './scoring.js'
export {
  buildSeries,
  comparePointOrder,
  latestPoint,
  sameSeries,
  seriesKey,
  type RatingFact,
  type SeriesFacts,
  type SeriesIdentity,
  type SeriesOrder,
  type SeriesPoint,
} from './series.js'
export {
  changeStatus,
  jacobsonTruaxCutoff,
  reliableChangeThreshold,
  seriesStatus,
  type ChangeStatus,
} from './change-status.js'
export { trendOf, MIN_TREND_POINTS, type TrendPoint } from './trend.js'
export {
  bandAt,
  bandFromModel,
  defaultReferenceKey,
  expectedBand,
  expectedBandModel,
  percentile,
  referenceCohort,
  referenceIndex,
  referenceSeriesOf,
  toReferenceIndex,
  type BandModel,
  type ExpectedBandInput,
  type ReferenceCohort,
  type ReferenceIndex,
  type ReferenceKeyOf,
  type ReferenceSeries,
} from './expected-band.js'
export { FLAG_SEVERITY, severityOf, severityRank } from './severity.js'
export {
  lastSessionOf,
  NON_SCORE_DETAIL_KEYS,
  overdueFlag,
  SCORE_DETAIL_KEYS,
  seriesFlags,
  type FlagDetails,
  type OverdueInput,
  type SeriesFlagInput,
} from './flags.js'
export { buildProgress, type ProgressInput, type ProgressMember } from './progress.js'
export { familyView, type FamilyViewOptions } from './family-view.js'
export { compareCaseload, type CaseloadEntry } from './caseload.js'
export { PRIMARY_OUTCOME_INSTRUMENTS, primarySeriesOf } from './primary-series.js'
export {
  MIN_CELL_PERSONS,
  outcomeReport,
  REPORT_AGE_GROUPS,
  type OutcomeCell,
  type OutcomeGroup,
  type OutcomeReport,
  type OutcomeReportInput,
  type ReportAgeGroup,
  type ReportFamily,
  type ReportMember,
} from './report.js'
