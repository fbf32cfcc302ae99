import { randomUUID } from 'node:crypto'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { $Page } from '../../contracts/common.js'
import { $FamilyParams } from '../../contracts/families.js'
import {
  $CreateRating,
  $CreateSession,
  $ListSessionsQuery,
  $Rating,
  $RatingParams,
  $Session,
  $SessionParams,
  $UpdateSession,
} from '../../contracts/sessions.js'
import type { Trx } from '../../db/kysely.js'
import type { FamilyRow, MemberRow, SessionRow } from '../../db/schema.js'
import { todayIn } from '../../domain/calendar.js'
import { ageFitErrors, checkRatings, checkSessionDate, ratingKey, type RatedMember } from '../../domain/rating-rules.js'
import { audit, auditEvent } from '../../plugins/audit.js'
import { createOnce } from '../../plugins/idempotency.js'
import { badRequest, forbidden, notFound, ruleBroken, type FieldError } from '../../plugins/problems.js'
import { membersOf, municipalityAndMembers } from '../../repositories/families.js'
import { loadInstruments } from '../../repositories/instruments.js'
import { municipalityToday } from '../../repositories/municipalities.js'
import * as sessions from '../../repositories/sessions.js'
import { refreshFamilyState } from '../../state/stored-state.js'
import { familyFor } from '../access.js'
import { decodeCursor, toPage } from '../cursor.js'
import { $IdempotencyHeaders, problems } from '../responses.js'

/** One rating checked as the body itself: `/0/items` is `/items`. */
const unnest = (e: FieldError): FieldError => ({ ...e, path: e.path.replace(/^\/0/, '') })

const invalidRatings = (errors: FieldError[]) => badRequest(errors.map((e) => `${e.path || '/'}: ${e.message}`).join('; '), errors)

const ratedMembers = (members: readonly MemberRow[]): RatedMember[] => members.map((m) => ({ id: m.member_id, birthDate: m.birth_date }))
const familyDates = (family: FamilyRow) => ({ startedOn: family.started_on, endedOn: family.ended_on })
/** The keys of a session's stored ratings (see ratingKey). */
const keysOf = (ratings: readonly Parameters<typeof sessions.toRatingValues>[0][]) => new Set(ratings.map((r) => ratingKey(sessions.toRatingValues(r))))

/** The session and its family if the principal may see them; 404 otherwise. */
async function sessionFor(trx: Trx, request: FastifyRequest, sessionId: string, options: { lock?: boolean } = {}) {
  const found = await sessions.findSessionRow(trx, sessionId)
  if (!found) throw notFound('The session')
  let family
  try {
    family = await familyFor(trx, request, found.family_id, options)
  } catch {
    throw notFound('The session')
  }
  // Read again under the family's lock: the session may have changed or gone meanwhile.
  const session = options.lock ? await sessions.findSessionRow(trx, sessionId) : found
  if (!session) throw notFound('The session')
  return { session, family }
}

/** A family token with self-report may add its members' own ratings to its one session only. */
function assertSelfReport(request: FastifyRequest, session: SessionRow, ratings: { memberId: string; rater: string }[]) {
  const p = request.principal
  if (p.kind !== 'family') return
  if (!p.scopes.includes('self-report')) throw forbidden('This token may read, not write (no self-report scope)')
  if (p.sessionId !== session.session_id) throw notFound('The session')
  for (const r of ratings) {
    if (r.rater !== 'self' || (p.memberId !== null && r.memberId !== p.memberId))
      throw forbidden('A self-report token adds the covered members’ own ratings only')
  }
}

export default async function sessionRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>()
  const tags = ['sessions']

  r.post('/v1/families/:familyId/sessions', {
    config: { allow: ['api-client', 'coordinator'] },
    schema: {
      operationId: 'createSession',
      tags,
      summary: 'Log one conversation with all its ratings, atomically',
      params: $FamilyParams,
      headers: $IdempotencyHeaders,
      body: $CreateSession,
      response: { 201: $Session, ...problems(404, 409, 422) },
    },
    handler: (request, reply) =>
      createOnce(app, request, reply, async (trx) => {
        const family = await familyFor(trx, request, request.params.familyId, { lock: true })
        const input = request.body
        const { members, municipality: m } = await municipalityAndMembers(trx, family.family_id)
        const instruments = (await loadInstruments(trx, m)).map((i) => i.def)
        const today = todayIn(m.time_zone)
        const dateErrors = checkSessionDate(input.heldOn, familyDates(family), today)
        const { invalid, errors, values } = checkRatings(
          input.ratings,
          { heldOn: input.heldOn, members: ratedMembers(members), instruments, existing: new Set() },
          '/ratings',
        )
        if (invalid.length) throw invalidRatings(invalid)
        if (dateErrors.length || errors.length) throw ruleBroken([...dateErrors, ...errors])
        // The id is chosen here so the audit event goes in the statement that inserts the session.
        const sessionId = randomUUID()
        const created = auditEvent(trx, request, 'session.create', family.family_id, `session/${sessionId}`)
        const session = await sessions.insertSession(trx, request.principal.municipalityId, family.family_id, { ...input, id: sessionId }, values, {
          alongside: created,
        })
        // A session leaves the family's row and members as they are: what was read is current.
        await refreshFamilyState(trx, family, { settings: m, members })
        return { body: session, location: `/v1/sessions/${session.id}` }
      }),
  })

  r.get('/v1/families/:familyId/sessions', {
    config: { allow: ['api-client', 'coordinator'] },
    schema: {
      operationId: 'listSessions',
      tags,
      summary: "A family's sessions, newest first",
      params: $FamilyParams,
      querystring: $ListSessionsQuery,
      response: { 200: $Page($Session), ...problems(404) },
    },
    handler: (request) =>
      app.tenant(request, async (trx) => {
        const family = await familyFor(trx, request, request.params.familyId)
        const result = await sessions.listSessions(trx, family.family_id, {
          after: decodeCursor(request.query.cursor, ['date', 'int', 'uuid']),
          limit: request.query.limit,
        })
        await audit(trx, request, 'session.list', family.family_id, `family/${family.family_id}/sessions`)
        return toPage(result)
      }),
  })

  r.get('/v1/sessions/:sessionId', {
    config: { allow: ['api-client', 'coordinator'] },
    schema: {
      operationId: 'getSession',
      tags,
      summary: 'One session with its ratings',
      params: $SessionParams,
      response: { 200: $Session, ...problems(404) },
    },
    handler: (request) =>
      app.tenant(request, async (trx) => {
        const { session, family } = await sessionFor(trx, request, request.params.sessionId)
        await audit(trx, request, 'session.read', family.family_id, `session/${session.session_id}`)
        return sessions.toSession(session, await sessions.ratingsOf(trx, [session.session_id]))
      }),
  })

  r.patch('/v1/sessions/:sessionId', {
    config: { allow: ['api-client', 'coordinator'] },
    schema: {
      operationId: 'updateSession',
      tags,
      summary: 'Correct the date, kind or note of a session',
      params: $SessionParams,
      body: $UpdateSession,
      response: { 200: $Session, ...problems(404, 422) },
    },
    handler: (request) =>
      app.tenant(request, async (trx) => {
        const { session, family } = await sessionFor(trx, request, request.params.sessionId, { lock: true })
        const patch = request.body
        const ratings = await sessions.ratingsOf(trx, [session.session_id])
        if (patch.heldOn !== undefined && patch.heldOn !== session.held_on) {
          const dateErrors = checkSessionDate(patch.heldOn, familyDates(family), await municipalityToday(trx))
          if (dateErrors.length) throw ruleBroken(dateErrors)
          // A new date may change who is which age: every rating must still fit (or carry an override).
          const [members, instruments] = await Promise.all([membersOf(trx, [family.family_id]), loadInstruments(trx)])
          const birthDates = new Map(members.map((m) => [m.member_id, m.birth_date]))
          const misfits = ageFitErrors(
            ratings.map(sessions.toRatingValues).map((x) => ({ ...x, heldOn: patch.heldOn!, birthDate: birthDates.get(x.memberId)! })),
            instruments.map((i) => i.def),
          )
          if (misfits.length) throw ruleBroken(misfits.map((message) => ({ path: '/heldOn', message })))
        }
        const updated = await sessions.updateSession(trx, session.session_id, patch)
        await refreshFamilyState(trx, family)
        await audit(trx, request, 'session.update', family.family_id, `session/${session.session_id}`, {
          previous: { heldOn: session.held_on, kind: session.kind },
        })
        return sessions.toSession(updated, ratings)
      }),
  })

  r.delete('/v1/sessions/:sessionId', {
    config: { allow: ['api-client', 'coordinator'] },
    schema: {
      operationId: 'deleteSession',
      tags,
      summary: 'Remove a session and its ratings',
      params: $SessionParams,
      response: { 204: z.null().describe('Deleted'), ...problems(404) },
    },
    handler: async (request, reply) => {
      await app.tenant(request, async (trx) => {
        const { session, family } = await sessionFor(trx, request, request.params.sessionId, { lock: true })
        await sessions.deleteSession(trx, session.session_id)
        await refreshFamilyState(trx, family)
        await audit(trx, request, 'session.delete', family.family_id, `session/${session.session_id}`)
      })
      // Answer after the commit: a client that reads right after the 204 must not see the session.
      return reply.code(204).send(null)
    },
  })

  r.post('/v1/sessions/:sessionId/ratings', {
    config: { allow: ['api-client', 'coordinator', 'family'] },
    schema: {
      operationId: 'addRating',
      tags,
      summary: 'Add one rating to a logged session (the alliance at the end, a self-report)',
      params: $SessionParams,
      headers: $IdempotencyHeaders,
      body: $CreateRating,
      response: { 201: $Rating, ...problems(404, 409, 422) },
    },
    handler: (request, reply) =>
      createOnce(app, request, reply, async (trx) => {
        const { session, family } = await sessionFor(trx, request, request.params.sessionId, { lock: true })
        assertSelfReport(request, session, [request.body])
        const [members, instruments, existing] = await Promise.all([
          membersOf(trx, [family.family_id]),
          loadInstruments(trx),
          sessions.ratingsOf(trx, [session.session_id]),
        ])
        const ctx = { heldOn: session.held_on, members: ratedMembers(members), instruments: instruments.map((i) => i.def), existing: keysOf(existing) }
        const { invalid, errors, values } = checkRatings([request.body], ctx, '')
        if (invalid.length) throw invalidRatings(invalid.map(unnest))
        if (errors.length) throw ruleBroken(errors.map(unnest))
        const [row] = await sessions.insertRatings(trx, request.principal.municipalityId, family.family_id, session.session_id, values)
        await refreshFamilyState(trx, family)
        await audit(trx, request, 'rating.create', family.family_id, `rating/${row.rating_id}`)
        return { body: sessions.toRating(row), location: `/v1/sessions/${session.session_id}/ratings/${row.rating_id}` }
      }),
  })

  r.get('/v1/sessions/:sessionId/ratings/:ratingId', {
    config: { allow: ['api-client', 'coordinator'] },
    schema: {
      operationId: 'getRating',
      tags,
      summary: 'One rating',
      params: $RatingParams,
      response: { 200: $Rating, ...problems(404) },
    },
    handler: (request) =>
      app.tenant(request, async (trx) => {
        const { session, family } = await sessionFor(trx, request, request.params.sessionId)
        const rating = (await sessions.ratingsOf(trx, [session.session_id])).find((x) => x.rating_id === request.params.ratingId)
        if (!rating) throw notFound('The rating')
        await audit(trx, request, 'rating.read', family.family_id, `rating/${rating.rating_id}`)
        return sessions.toRating(rating)
      }),
  })

  r.put('/v1/sessions/:sessionId/ratings/:ratingId', {
    config: { allow: ['api-client', 'coordinator'] },
    schema: {
      operationId: 'correctRating',
      tags,
      summary: 'Correct one rating; the old value stays in the audit trail',
      params: $RatingParams,
      body: $CreateRating,
      response: { 200: $Rating, ...problems(404, 422) },
    },
    handler: (request) =>
      app.tenant(request, async (trx) => {
        const { session, family } = await sessionFor(trx, request, request.params.sessionId, { lock: true })
        const all = await sessions.ratingsOf(trx, [session.session_id])
        const old = all.find((x) => x.rating_id === request.params.ratingId)
        if (!old) throw notFound('The rating')
        const [members, instruments] = await Promise.all([membersOf(trx, [family.family_id]), loadInstruments(trx)])
        const ctx = {
          heldOn: session.held_on,
          members: ratedMembers(members),
          instruments: instruments.map((i) => i.def),
          existing: keysOf(all.filter((x) => x !== old)),
        }
        const { invalid, errors, values } = checkRatings([request.body], ctx, '')
        if (invalid.length) throw invalidRatings(invalid.map(unnest))
        if (errors.length) throw ruleBroken(errors.map(unnest))
        const updated = await sessions.updateRating(trx, old.rating_id, values[0])
        await refreshFamilyState(trx, family)
        await audit(trx, request, 'rating.correct', family.family_id, `rating/${old.rating_id}`, { previous: sessions.toRating(old) })
        return sessions.toRating(updated)
      }),
  })

  r.delete('/v1/sessions/:sessionId/ratings/:ratingId', {
    config: { allow: ['api-client', 'coordinator'] },
    schema: {
      operationId: 'deleteRating',
      tags,
      summary: 'Remove one rating; the old value stays in the audit trail',
      params: $RatingParams,
      response: { 204: z.null().describe('Deleted'), ...problems(404) },
    },
    handler: async (request, reply) => {
      await app.tenant(request, async (trx) => {
        const { session, family } = await sessionFor(trx, request, request.params.sessionId, { lock: true })
        const old = await sessions.deleteRating(trx, session.session_id, request.params.ratingId)
        if (!old) throw notFound('The rating')
        await refreshFamilyState(trx, family)
        await audit(trx, request, 'rating.delete', family.family_id, `rating/${old.rating_id}`, { previous: sessions.toRating(old) })
      })
      return reply.code(204).send(null) // after the commit
    },
  })
}
