import { badRequest } from '../plugins/problems.js'

/**
 * Opaque, stable list cursors: the sort key of the last item returned, base64url-encoded JSON.
 * Keyset pagination keeps pages stable when rows are inserted meanwhile.
 */
export function encodeCursor(position: readonly (string | number | null)[]): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url')
}

/** What each position of a cursor holds; anything else is not a cursor this service issued. */
export type CursorPart = 'uuid' | 'date' | 'int' | 'date?'

const PART: Record<CursorPart, (v: unknown) => boolean> = {
  uuid: (v) => typeof v === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(v),
  date: (v) => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(v)),
  'date?': (v) => v === null || PART.date(v),
  int: (v) => Number.isSafeInteger(v) && (v as number) >= 0,
}

export function decodeCursor(cursor: string | undefined, parts: readonly CursorPart[]): (string | number | null)[] | null {
  if (cursor === undefined) return null
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
    if (Array.isArray(value) && value.length === parts.length && parts.every((part, i) => PART[part](value[i]))) {
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
