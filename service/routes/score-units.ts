/** Scores are integer tenths inside the service; the API speaks points with one decimal. */
export const toTenths = (points: number): number => Math.round(points * 10)
export const toPoints = (tenths: number): number => tenths / 10
