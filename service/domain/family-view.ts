import type { FamilyProgress, Progress } from '../contracts/progress.js'

export interface FamilyViewOptions {
  /** The municipality's `showAllianceToFamilies`. */
  readonly showAlliance: boolean
  /** A family token bound to one member sees only that member. */
  readonly memberId?: string
}

/**
 * What a family sees of its own progress (docs/rules.md "Family-facing wording"): points and trend
 * lines, the cutoff as a soft reference line, and nothing that judges (no status, expected band,
 * flags or reliable-change value). Scores stay in tenths like the rest of the domain.
 */
export function familyView(progress: Progress, options: FamilyViewOptions): FamilyProgress {
  const members = options.memberId === undefined ? progress.members : progress.members.filter((member) => member.memberId === options.memberId)
  return {
    familyId: progress.familyId,
    view: 'family',
    members: members.map((member) => ({
      memberId: member.memberId,
      alias: member.alias,
      role: member.role,
      ageGroup: member.ageGroup,
      series: member.series
        .filter((series) => options.showAlliance || series.kind !== 'alliance')
        .map((series) => ({
          instrument: series.instrument,
          kind: series.kind,
          rater: series.rater,
          raterMemberId: series.raterMemberId,
          // Copies, so converting one payload's scores at the edge can never touch the other's.
          points: series.points.map((point) => ({ ...point, items: point.items === null ? null : [...point.items] })),
          trend: series.trend === null ? null : { ...series.trend },
          referenceLine: series.cutoff,
        })),
    })),
  }
}
