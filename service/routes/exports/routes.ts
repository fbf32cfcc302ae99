import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { $Family, $FamilyParams } from '../../contracts/families.js'
import { $Session } from '../../contracts/sessions.js'
import { buildSeries } from '../../domain/series.js'
import { audit } from '../../plugins/audit.js'
import { familyFor } from '../access.js'
import { membersOf, toFamily } from '../families/repository.js'
import { loadInstruments, toInstrument } from '../instruments/repository.js'
import { loadFamilyFacts, referenceKeyOf } from '../progress/repository.js'
import { problems } from '../responses.js'
import { ratingsOf, toSession } from '../sessions/repository.js'
import { sql } from 'kysely'
import { groupBy } from '../group-by.js'
import { familyBundle } from './fhir.js'

const $Export = z.object({ exportedAt: z.string(), family: $Family, sessions: z.array($Session) })

export default async function exportRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>()

  r.get('/v1/families/:familyId/export', {
    schema: {
      tags: ['privacy'],
      summary: "Everything stored about a family: JSON, or a FHIR R4 Bundle with ?format=fhir",
      params: $FamilyParams,
      querystring: z.strictObject({ format: z.enum(['json', 'fhir']).default('json') }),
      response: { 200: z.union([$Export, z.object({ resourceType: z.literal('Bundle') }).loose()]), ...problems(404) },
    },
    handler: (request, reply) =>
      app.tenant(request, async (trx) => {
        const row = await familyFor(trx, request, request.params.familyId)
        const family = toFamily(row, await membersOf(trx, [row.family_id]))
        const sessionRows = await trx.selectFrom('sessions').selectAll().where('family_id', '=', row.family_id).orderBy('held_on').orderBy('created_at').execute()
        const ratings = groupBy(await ratingsOf(trx, sessionRows.map((s) => s.session_id)), (x) => x.session_id)
        const sessions = sessionRows.map((s) => toSession(s, ratings.get(s.session_id) ?? []))
        const exportedAt = new Date().toISOString()
        await audit(trx, request, 'family.export', row.family_id, `family/${row.family_id}/export?format=${request.query.format}`)
        if (request.query.format === 'fhir') {
          reply.type('application/fhir+json; charset=utf-8')
          return familyBundle(family, sessions, (await loadInstruments(trx)).map((i) => toInstrument(i, 'nb')), exportedAt)
        }
        return { exportedAt, family, sessions }
      }),
  })

  r.delete('/v1/families/:familyId', {
    schema: {
      tags: ['privacy'],
      summary: 'Erase a family: members, sessions, ratings and their audit trail; only the fact of the erasure is kept',
      params: $FamilyParams,
      response: { 204: z.null().describe('Erased'), ...problems(404) },
    },
    handler: async (request, reply) => {
      await app.tenant(request, async (trx) => {
        const row = await familyFor(trx, request, request.params.familyId, { lock: true })
        const fid = row.family_id
        // Reference series derived from this family's ratings go too (matched by their hashed key).
        const facts = await loadFamilyFacts(trx, [fid])
        const keys = buildSeries(facts.ratings.map((x) => x.fact)).map(referenceKeyOf)
        if (keys.length) await trx.deleteFrom('reference_series').where('synthetic', '=', false).where('series_key', 'in', keys).execute()
        // Stored idempotent responses hold the family's data as well: the family and its members
        // (by location), sessions (familyId), ratings (memberId: also those in sessions deleted
        // since, which no sessionId here names) and what a family token created (its principal).
        const sessionIds = facts.sessions.map((s) => s.session_id)
        const memberIds = facts.members.map((m) => m.member_id)
        await trx
          .deleteFrom('idempotency_keys')
          .where((eb) =>
            eb.or([
              eb('location', 'like', `/v1/families/${fid}%`),
              eb('principal', 'like', `family:${fid}%`),
              eb(sql<string>`body->>'familyId'`, '=', fid),
              ...(memberIds.length ? [eb(sql<string>`body->>'memberId'`, 'in', memberIds)] : []),
              ...(sessionIds.length ? [eb(sql<string>`body->>'sessionId'`, 'in', sessionIds)] : []),
            ]),
          )
          .execute()
        await sql`SELECT framgang_erase_family_audit(${fid}::uuid)`.execute(trx)
        await trx.deleteFrom('families').where('family_id', '=', fid).execute()
        await audit(trx, request, 'family.erase', fid, `family/${fid}`)
      })
      // After the commit: once the client has the 204, nothing of the family may be readable.
      return reply.code(204).send(null)
    },
  })
}
