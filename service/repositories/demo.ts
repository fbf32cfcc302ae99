import type { Trx } from '../db/kysely.js'

/**
 * Whom the demo page's tokens are for: the first demo coordinator, a demo family (the one
 * asked for, else DEMO-1001), and the oldest API client that is not revoked, which stands in for
 * the host backend holding the demo key. Null when the demo is not (or no longer) seeded.
 */
export async function demoTokenSubjects(
  trx: Trx,
  familyId: string | undefined,
): Promise<{ coordinatorId: string; familyId: string; apiClientId: string } | null> {
  const coordinator = await trx.selectFrom('coordinators').select('coordinator_id').where('external_ref', '=', 'DEMO-C1').executeTakeFirst()
  const family = familyId
    ? await trx.selectFrom('families').select('family_id').where('family_id', '=', familyId).executeTakeFirst()
    : await trx.selectFrom('families').select('family_id').where('external_ref', '=', 'DEMO-1001').executeTakeFirst()
  const client = await trx
    .selectFrom('api_clients')
    .select('api_client_id')
    .where('revoked_at', 'is', null)
    .orderBy('created_at')
    .orderBy('api_client_id')
    .executeTakeFirst()
  return coordinator && family && client ? { coordinatorId: coordinator.coordinator_id, familyId: family.family_id, apiClientId: client.api_client_id } : null
}
