/** The sort key of a list's row, as a cursor carries it (routes/cursor.ts encodes it for HTTP). */
export type Position = (string | number | null)[]

/**
 * One page of a keyset-paginated list read with `limit + 1` rows: the extra row only tells that
 * there is more, and the next page starts after the last row shown.
 */
export function keysetPage<T>(rows: T[], limit: number, positionOf: (row: T) => Position): { items: T[]; next: Position | null } {
  const items = rows.slice(0, limit)
  return { items, next: rows.length > limit ? positionOf(items[items.length - 1]) : null }
}
