import type { FlagCode, Severity } from '../contracts/common.js'

/** Each flag's severity is part of its definition (docs/rules.md, table of flags), not configuration. */
export const FLAG_SEVERITY: Readonly<Record<FlagCode, Severity>> = {
  'no-change-3': 'notice',
  'no-change-6': 'warning',
  'no-change-10': 'alert',
  deterioration: 'alert',
  'sudden-drop': 'warning',
  'below-expected': 'warning',
  'alliance-low': 'warning',
  'alliance-drop': 'notice',
  overdue: 'notice',
}

const RANK: Readonly<Record<Severity, number>> = { notice: 1, warning: 2, alert: 3 }

/** notice < warning < alert; no severity at all ranks below notice (0). */
export function severityRank(severity: Severity | null): number {
  return severity === null ? 0 : RANK[severity]
}

/** The severity of a rank (severityRank's inverse); a rank beyond alert is alert's. */
export function severityAtRank(rank: number): Severity | null {
  return rank <= 0 ? null : rank === 1 ? 'notice' : rank === 2 ? 'warning' : 'alert'
}

/** The highest severity among the flags, or null when there are none. */
export function severityOf(flags: readonly { readonly severity: Severity }[]): Severity | null {
  let highest: Severity | null = null
  for (const flag of flags) {
    if (severityRank(flag.severity) > severityRank(highest)) highest = flag.severity
  }
  return highest
}
