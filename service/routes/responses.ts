import { z } from 'zod'
import { $Problem } from '../contracts/common.js'

/** Creating POSTs require an Idempotency-Key (docs/api.md, Idempotency). */
export const $IdempotencyHeaders = z.object({
  'idempotency-key': z.string().min(1).max(255).describe('Required: makes the create safe to retry; 1–255 characters'),
})

/** The problem+json answers a route can give besides its success, for the OpenAPI document. */
export function problems(...statuses: number[]) {
  const base = [400, 401, 403, 429, 500]
  return Object.fromEntries([...new Set([...base, ...statuses])].map((s) => [s, $Problem.describe('application/problem+json (RFC 9457)')]))
}
