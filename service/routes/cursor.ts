import { badRequest } from '../plugins/problems.js'

/**
 * Opaque, stable list cursors: the sort key of the last item returned, base64url-encoded JSON.
 * Keyset pagination keeps pages stable when rows are inserted meanwhile.
 */
export function encodeCursor(position: readonly (string | number | null)[]): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url')
}

export function decodeCursor(cursor: string | undefined, length: number): (string | number | null)[] | null {
  if (cursor === undefined) return null
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
    if (Array.isArray(value) && value.length === length && value.every((v) => v === null || ['string', 'number'].includes(typeof v))) {
      return value as (string | number | null)[]
    }
  } catch {
    /* fall through */
  }
  throw badRequest('The cursor is not one this service issued', [{ path: '/cursor', message: 'query parameter cursor is not valid' }])
}

export function page<T>(rows: T[], limit: number, positionOf: (row: T) => (string | number | null)[]) {
  const items = rows.slice(0, limit)
  const nextCursor = rows.length > limit ? encodeCursor(positionOf(items[items.length - 1])) : null
  return { items, nextCursor }
}
