import type { SeriesStatus } from '../contracts/common.js'

/** The status of a series with at least two points. */
export type ChangeStatus = Exclude<SeriesStatus, 'not-enough-data'>

/**
 * Change from intake to the latest point (docs/rules.md "Per-person change status").
 *
 * All arguments are integer tenths, so the boundaries are exact: a change equal to the
 * reliable-change value is reliable; a score equal to the cutoff is not in the clinical range.
 * With no cutoff (an instrument added without one, or an age group it has none for) nobody can
 * be `recovered`, but reliable improvement and deterioration are still recognised.
 */
export function changeStatus(intake: number, latest: number, cutoff: number | null, reliableChange: number): ChangeStatus {
  const change = latest - intake
  if (change >= reliableChange) {
    const crossedCutoff = cutoff !== null && intake < cutoff && latest >= cutoff
    return crossedCutoff ? 'recovered' : 'improved'
  }
  if (-change >= reliableChange) return 'deteriorated'
  return 'no-reliable-change'
}

/**
 * The status of a series from its totals in order. Null when status has no meaning: without a
 * reliable-change value there is no way to call a change reliable. Callers give null for alliance
 * and young-child series before they get here.
 */
export function seriesStatus(totals: readonly number[], cutoff: number | null, reliableChange: number | null): SeriesStatus | null {
  if (reliableChange === null) return null
  if (totals.length < 2) return 'not-enough-data'
  return changeStatus(totals[0], totals[totals.length - 1], cutoff, reliableChange)
}

/**
 * Jacobson & Truax (1991) cutoff between a functional population (0) and a clinical one (1):
 * c = (s0·M1 + s1·M0) / (s0 + s1). For instruments a municipality adds from norm data; the
 * published ORS/CORS/SRS values are constants and never recomputed. Same units in and out.
 */
export function jacobsonTruaxCutoff(s0: number, m0: number, s1: number, m1: number): number {
  return (s0 * m1 + s1 * m0) / (s0 + s1)
}

/**
 * Jacobson & Truax reliable-change threshold 1.96·Sdiff, with SE = s·√(1 − r), Sdiff = √2·SE.
 *
 * `s` is the standard deviation the municipality's norm data gives for the measure. docs/rules.md's
 * check (s0 = 5, s1 = 8, r = .90 → 4.383) is met with s = 5, i.e. the functional population's SD
 * in that example; with s1 = 8 it would be 7.012. The choice of SD is therefore the caller's, and
 * this function takes it explicitly rather than guessing.
 */
export function reliableChangeThreshold(s: number, r: number): number {
  const standardError = s * Math.sqrt(1 - r)
  const standardErrorOfDifference = Math.SQRT2 * standardError
  return 1.96 * standardErrorOfDifference
}
