/** Scores are integer tenths inside the service; the API speaks points with one decimal. */
export const toTenths = (points: number): number => Math.round(points * 10)
export const toPoints = (tenths: number): number => tenths / 10
export const toPointsOrNull = (tenths: number | null): number | null => (tenths === null ? null : tenths / 10)

/** Per-age-group cutoffs from tenths to points (a missing cutoff is null). */
export function cutoffsToPoints(cutoffs: Readonly<Partial<Record<string, number | null>>>): Record<string, number | null> {
  return Object.fromEntries(Object.entries(cutoffs).map(([group, v]) => [group, v === null || v === undefined ? null : toPoints(v)]))
}
