import { z } from 'zod'
import { $Id, $Instant } from './common.js'

export const $ApiClient = z.object({
  id: $Id,
  name: z.string(),
  keyPrefix: z.string().describe('the first characters of the key, to recognise it; the key itself is shown once'),
  createdAt: $Instant,
  revokedAt: $Instant.nullable(),
})
export type ApiClient = z.infer<typeof $ApiClient>

export const $CreatedApiClient = $ApiClient.extend({
  apiKey: z.string().nullable().describe('shown once; store it as a secret. null on an idempotent replay: keys are never stored'),
})
export const $CreateApiClient = z.strictObject({ name: z.string().trim().min(1).max(200) })
