import { $Id } from '../../contracts/common.js'
import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { $FamilyParams } from '../../contracts/families.js'
import { $FamilyProgress, $Progress } from '../../contracts/progress.js'
import type { Trx } from '../../db/kysely.js'
import { familyView } from '../../domain/family-view.js'
import { auditEvent } from '../../plugins/audit.js'
import { notFound } from '../../plugins/problems.js'
import { familyWithMembersFor } from '../access.js'
import { todayIn } from '../calendar.js'
import { loadInstruments } from '../instruments/repository.js'
import { problems } from '../responses.js'
import { compiledSerializer } from '../serialize.js'
import { municipality } from '../settings/repository.js'
import { familyProgressToPoints, progressToPoints } from './present.js'
import type { FamilyRow } from '../../db/schema.js'
import { loadBandModels } from '../expected-bands/repository.js'
import { bandModelsFromState, type StoredBand } from '../../domain/band-models.js'
import { isPsychometricOutcome, type InstrumentDef } from '../../domain/instruments.js'
import { loadFamilyFacts, progressOf, seriesIntakes, type FamilyFacts, type ProgressContext } from './repository.js'

/** Everything a progress computation needs besides the families' own facts. */
export async function progressContext(trx: Trx): Promise<ProgressContext & { showAllianceToFamilies: boolean }> {
  const m = await municipality(trx)
  const instruments = await loadInstruments(trx, m)
  return {
    today: todayIn(m.time_zone),
    instruments: instruments.map((i) => i.def),
    settings: { overdueDays: m.overdue_days, expectedBandMinSeries: m.expected_band_min_series },
    showAllianceToFamilies: m.show_alliance_to_families,
  }
}

/**
 * Progress of families from their facts, with the band models their series need: from the
 * families' stored state when the caller read it and it covers every series, else looked up.
 */
export async function progressWithBands(trx: Trx, families: FamilyRow[], facts: FamilyFacts, ctx: ProgressContext, onlyMemberId?: string | null, storedBands?: readonly StoredBand[]) {
  const needed = seriesIntakes(facts).filter((s) => isOutcomeCode(ctx.instruments, s.instrument))
  const bandModelOf =
    (storedBands && bandModelsFromState(storedBands, needed)) ?? (await loadBandModels(trx, needed, ctx.instruments, ctx.settings.expectedBandMinSeries))
  return progressOf(families, facts, ctx, bandModelOf, onlyMemberId)
}

function isOutcomeCode(instruments: readonly InstrumentDef[], code: string): boolean {
  const instrument = instruments.find((i) => i.code === code)
  return instrument !== undefined && isPsychometricOutcome(instrument)
}

export default async function progressRoutes(app: FastifyInstance) {
  // The largest answer the API gives on a hot path: see compiledSerializer.
  const serializeProgress = compiledSerializer($Progress)
  const serializeFamilyProgress = compiledSerializer($FamilyProgress)
  app.withTypeProvider<ZodTypeProvider>().get('/v1/families/:familyId/progress', {
    config: { allow: ['api-client', 'coordinator', 'family'] },
    schema: {
      tags: ['progress'],
      summary: "Each member's series with status, trend, expected band and flags; the family view for family tokens",
      params: $FamilyParams,
      querystring: z.strictObject({ memberId: $Id.optional().describe("only this member's series") }),
      response: { 200: z.union([$Progress, $FamilyProgress]), ...problems(404) },
    },
    handler: (request, reply) =>
      app.tenant(request, async (trx) => {
        const p = request.principal
        // A family token bound to one member sees that member only.
        const bound = p.kind === 'family' ? p.memberId : null
        if (bound && request.query.memberId && request.query.memberId !== bound) throw notFound('The member')
        const memberId = bound ?? request.query.memberId ?? null
        const familyId = request.params.familyId
        // The read is audited by the statement that reads the family; a 404 below rolls it back.
        const read = auditEvent(trx, request, 'progress.read', familyId, memberId ? `member/${memberId}/progress` : `family/${familyId}/progress`)
        const { row: family, members, storedBands } = await familyWithMembersFor(trx, request, familyId, { alongside: read })
        const [ctx, facts] = await Promise.all([progressContext(trx), loadFamilyFacts(trx, [family.family_id], { members })])
        if (memberId && !facts.members.some((m) => m.member_id === memberId)) throw notFound('The member')
        const progress = (await progressWithBands(trx, [family], facts, ctx, memberId, storedBands)).get(family.family_id)!
        if (p.kind === 'family') {
          reply.serializer(serializeFamilyProgress).type('application/json; charset=utf-8')
          return familyProgressToPoints(familyView(progress, { showAlliance: ctx.showAllianceToFamilies }))
        }
        reply.serializer(serializeProgress).type('application/json; charset=utf-8')
        return progressToPoints(progress)
      }),
  })
}
