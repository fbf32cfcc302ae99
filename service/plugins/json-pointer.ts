/**
 * Field names longer than this are not repeated back in a problem: no field of the API has such
 * a name, and a hostile body could make one as long as the body itself.
 */
export const MAX_ECHOED_NAME = 64

/**
 * The RFC 6901 pointer to a place in the request (`/ratings/0/items/2`). A segment too long to
 * repeat ends the pointer there, so it names the nearest ancestor that contains the place.
 */
export function jsonPointer(segments: readonly (string | number)[]): string {
  let out = ''
  for (const segment of segments) {
    const s = String(segment)
    if (s.length > MAX_ECHOED_NAME) break
    out += `/${s.replace(/~/g, '~0').replace(/\//g, '~1')}`
  }
  return out
}
