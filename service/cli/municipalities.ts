import { randomUUID } from 'node:crypto'
import { asAdminInMunicipality, inMunicipality, type Db } from '../db/kysely.js'
import { createApiClient } from '../routes/api-clients/repository.js'
import { isValidTimeZone } from '../routes/calendar.js'
import { replaceOrigins } from '../routes/settings/repository.js'

export interface NewMunicipality {
  municipalityId: string
  apiClientId: string
  apiKey: string
}

/** A municipality with its first API client. Row-level security needs the new id set first. */
export async function createMunicipality(db: Db, input: { name: string; origins?: string[]; timeZone?: string }): Promise<NewMunicipality> {
  if (input.timeZone && !isValidTimeZone(input.timeZone)) throw new Error(`Not an IANA time zone: ${input.timeZone}`)
  for (const origin of input.origins ?? []) {
    if (!/^https?:\/\/[^/\s]+$/.test(origin)) throw new Error(`Not an origin (scheme://host[:port], no path): ${origin}`)
  }
  const municipalityId = randomUUID()
  return asAdminInMunicipality(db, municipalityId, async (trx) => {
    await trx
      .insertInto('municipalities')
      .values({ municipality_id: municipalityId, name: input.name, ...(input.timeZone && { time_zone: input.timeZone }) })
      .execute()
    if (input.origins?.length) await replaceOrigins(trx, municipalityId, input.origins)
    const client = await createApiClient(trx, municipalityId, `${input.name} (created by admin)`)
    return { municipalityId, apiClientId: client.id, apiKey: client.apiKey }
  })
}

export async function municipalityExists(db: Db, municipalityId: string): Promise<boolean> {
  return inMunicipality(db, municipalityId, async (trx) => (await trx.selectFrom('municipalities').select('municipality_id').executeTakeFirst()) !== undefined)
}
