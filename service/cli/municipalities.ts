import { randomUUID } from 'node:crypto'
import { ORIGIN_PATTERN } from '../contracts/common.js'
import { asAdminInMunicipality, type Db } from '../db/kysely.js'
import { isValidTimeZone } from '../domain/calendar.js'
import { replaceOrigins } from '../repositories/allowed-origins.js'
import { createApiClient } from '../repositories/api-clients.js'
import { insertMunicipality } from '../repositories/municipalities.js'

export interface NewMunicipality {
  municipalityId: string
  apiClientId: string
  apiKey: string
}

/** A municipality with its first API client. Row-level security needs the new id set first. */
export async function createMunicipality(db: Db, input: { name: string; origins?: string[]; timeZone?: string }): Promise<NewMunicipality> {
  if (input.timeZone && !isValidTimeZone(input.timeZone)) throw new Error(`Not an IANA time zone: ${input.timeZone}`)
  for (const origin of input.origins ?? []) {
    if (!ORIGIN_PATTERN.test(origin)) throw new Error(`Not an origin (scheme://host[:port], no path): ${origin}`)
  }
  const municipalityId = randomUUID()
  return asAdminInMunicipality(db, municipalityId, async (trx) => {
    await insertMunicipality(trx, { municipalityId, name: input.name, timeZone: input.timeZone })
    if (input.origins?.length) await replaceOrigins(trx, municipalityId, input.origins)
    const client = await createApiClient(trx, municipalityId, `${input.name} (created by admin)`)
    return { municipalityId, apiClientId: client.id, apiKey: client.apiKey }
  })
}
