import { $Problem } from '../contracts/common.js'

/** The problem+json answers a route can give besides its success, for the OpenAPI document. */
export function problems(...statuses: number[]) {
  const base = [400, 401, 403, 429, 500]
  return Object.fromEntries([...new Set([...base, ...statuses])].map((s) => [s, $Problem.describe('application/problem+json (RFC 9457)')]))
}
