import type { AgeGroup, Ending, IsoDate, Rater, SeriesStatus } from '../contracts/common.js'
import type { Trx } from '../db/kysely.js'
import { groupBy } from '../domain/group-by.js'
import { collateralRatersOf, periodOf, type ReportFamilyOutcome, type ReportPerson } from '../domain/report.js'

/**
 * What the outcome report counts, from the stored state: the persons whose primary series ends
 * in the period (with their collateral raters in it) and their families' endings. Filtering by
 * period here only leaves out persons the domain would not count.
 */
export async function reportInputs(trx: Trx, period: { from: IsoDate; to: IsoDate }) {
  // Every primary series of the municipality, whatever its period or coordinator: the report
  // weighs each answer against the broader questions the caller could ask.
  const primary = trx
    .selectFrom('series_state as s')
    .innerJoin('family_state as f', (j) => j.onRef('f.municipality_id', '=', 's.municipality_id').onRef('f.family_id', '=', 's.family_id'))
    .select([
      's.family_id',
      's.member_id',
      's.age_group_at_intake',
      's.intake',
      's.latest',
      's.latest_on',
      's.points',
      's.days_in_service',
      's.first_alliance',
      's.cutoff',
      's.status',
      'f.coordinator_id',
      'f.ending',
      'f.left_behind',
    ])
    .where('s.is_primary', '=', true)
  const collateral = trx
    .selectFrom('series_state')
    .select(['member_id', 'instrument_code', 'rater', 'rater_member_id', 'latest_on'])
    .where('rater', '<>', 'self')
    .where('latest_on', '>=', period.from)
    .where('latest_on', '<=', period.to)
  const [primaryRows, collateralRows] = await Promise.all([primary.execute(), collateral.execute()])
  const collateralOf = groupBy(collateralRows, (r) => r.member_id)
  const inPeriod = periodOf(period)
  const persons: ReportPerson[] = primaryRows.map((r) => ({
    memberId: r.member_id,
    familyId: r.family_id,
    ageGroup: r.age_group_at_intake as AgeGroup | null,
    intake: r.intake,
    latest: r.latest,
    latestOn: r.latest_on,
    sessions: r.points,
    daysInService: r.days_in_service!,
    firstAlliance: r.first_alliance,
    cutoff: r.cutoff,
    status: r.status as SeriesStatus | null,
    collateralRaters: collateralRatersOf(
      (collateralOf.get(r.member_id) ?? []).map((c) => ({
        instrument: c.instrument_code,
        rater: c.rater as Rater,
        raterMemberId: c.rater_member_id,
        latestOn: c.latest_on,
      })),
      inPeriod,
    ),
  }))
  const families = new Map<string, ReportFamilyOutcome>(
    primaryRows.map((r) => [r.family_id, { coordinatorId: r.coordinator_id, ending: r.ending as Ending | null, leftBehind: r.left_behind }]),
  )
  return { persons, families }
}
