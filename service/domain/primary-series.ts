import { comparePointOrder, latestPoint, type SeriesFacts } from './series.js'

/** The instruments a person is counted by in the outcome report (docs/rules.md). */
export const PRIMARY_OUTCOME_INSTRUMENTS: readonly string[] = ['ORS', 'CORS']

/**
 * A person's primary series: the self-rated series of the outcome instrument they were rated on
 * last, so a child who turned 13 counts by the ORS series, not the CORS one. Null when the person
 * never rated themself on one (young children, people rated only by others).
 */
export function primarySeriesOf(
  seriesOfPerson: readonly SeriesFacts[],
  primaryInstruments: readonly string[] = PRIMARY_OUTCOME_INSTRUMENTS,
): SeriesFacts | null {
  let primary: SeriesFacts | null = null
  for (const series of seriesOfPerson) {
    if (series.rater !== 'self' || !primaryInstruments.includes(series.instrument)) continue
    if (primary === null || comparePointOrder(latestPoint(series), latestPoint(primary)) > 0) primary = series
  }
  return primary
}
