import type { FastifyInstance } from 'fastify'
import { UUID_PATTERN } from '../../contracts/common.js'
import { inMunicipality } from '../../db/kysely.js'
import { notFound } from '../../plugins/problems.js'
import type { EmbedClaims } from '../../plugins/tokens.js'
import { demoTokenSubjects } from '../../repositories/demo.js'

/**
 * The demo page's stand-in for a host system's backend: it mints short-lived embed tokens for the
 * demo municipality only (first demo coordinator; first demo family). Registered only when the
 * server seeded the demo (the embedded default), never for a real municipality.
 */
export default async function demoTokenRoutes(app: FastifyInstance, opts: { demoMunicipalityId?: string | null }) {
  const municipalityId = opts.demoMunicipalityId
  if (!municipalityId) return
  app.get<{ Querystring: { role?: string; familyId?: string } }>('/demo/token', { schema: { hide: true } }, async (request, reply) => {
    const role = request.query.role === 'family' ? 'family' : 'coordinator'
    const wanted = UUID_PATTERN.test(request.query.familyId ?? '') ? request.query.familyId : undefined
    const facts = await inMunicipality(app.db, municipalityId, (trx) => demoTokenSubjects(trx, wanted))
    if (!facts) throw notFound('The demo family')
    // The demo page stands in for the host backend that holds the demo API key: its tokens
    // name that client, so they end with it like any other.
    const grant = { mun: municipalityId, client_id: facts.apiClientId }
    const claims: EmbedClaims = role === 'coordinator' ? { ...grant, role, coordinatorId: facts.coordinatorId } : { ...grant, role, familyId: facts.familyId }
    reply.header('cache-control', 'no-store')
    return { ...(await app.tokens.issue(claims, 600)), role, coordinatorId: facts.coordinatorId, familyId: facts.familyId }
  })
}
