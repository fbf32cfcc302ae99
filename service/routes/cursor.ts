import { UUID_PATTERN } from '../contracts/common.js'
import { badRequest } from '../plugins/problems.js'
import type { Position } from '../repositories/keyset.js'

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
  // The service issues ids in lower case only.
  uuid: (v) => typeof v === 'string' && UUID_PATTERN.test(v) && v === v.toLowerCase(),
  date: (v) => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(v)),
  'date?': (v) => v === null || PART.date(v),
  int: (v) => Number.isSafeInteger(v) && (v as number) >= 0,
}

export function decodeCursor(cursor: string | undefined, parts: readonly CursorPart[]): Position | null {
  if (cursor === undefined) return null
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
    if (Array.isArray(value) && value.length === parts.length && parts.every((part, i) => PART[part](value[i]))) {
      return value as Position
    }
  } catch {
    /* fall through */
  }
  throw badRequest('The cursor is not one this service issued', [{ path: '/cursor', message: 'query parameter cursor is not valid' }])
}

/** A repository's page as the API answers it: the next page's position as an opaque cursor. */
export function toPage<T>(page: { items: T[]; next: Position | null }): { items: T[]; nextCursor: string | null } {
  return { items: page.items, nextCursor: page.next === null ? null : encodeCursor(page.next) }
}
