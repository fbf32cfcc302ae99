import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { $Page } from '../../contracts/common.js'
import {
  $CreateFamily,
  $CreateMember,
  $Family,
  $FamilyParams,
  $ListFamiliesQuery,
  $Member,
  $MemberParams,
  $UpdateFamily,
  $UpdateMember,
} from '../../contracts/families.js'
import { birthDateErrors, endDateErrors, startDateErrors } from '../../domain/family-rules.js'
import { ageFitErrors } from '../../domain/rating-rules.js'
import { audit, auditFamilies } from '../../plugins/audit.js'
import { createOnce } from '../../plugins/idempotency.js'
import { conflict, forbidden, notFound, ruleBroken, type FieldError } from '../../plugins/problems.js'
import { coordinatorExists } from '../../repositories/coordinators.js'
import * as families from '../../repositories/families.js'
import { loadInstruments } from '../../repositories/instruments.js'
import { municipalityToday } from '../../repositories/municipalities.js'
import { refreshFamilyState } from '../../state/stored-state.js'
import { familyFor } from '../access.js'
import { decodeCursor, toPage } from '../cursor.js'
import { $IdempotencyHeaders, problems } from '../responses.js'

export default async function familyRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>()
  const tags = ['families']

  r.post('/v1/families', {
    config: { allow: ['api-client', 'coordinator'] },
    schema: {
      operationId: 'createFamily',
      tags,
      summary: 'Create a family with its members',
      headers: $IdempotencyHeaders,
      body: $CreateFamily,
      response: { 201: $Family, ...problems(404, 409, 422) },
    },
    handler: (request, reply) =>
      createOnce(app, request, reply, async (trx) => {
        const input = request.body
        const p = request.principal
        if (p.kind === 'coordinator' && input.coordinatorId !== p.coordinatorId) throw forbidden('A coordinator creates families in their own caseload only')
        const today = await municipalityToday(trx)
        const errors: FieldError[] = []
        if (!(await coordinatorExists(trx, input.coordinatorId))) errors.push({ path: '/coordinatorId', message: 'no such coordinator in this municipality' })
        errors.push(...startDateErrors(input.startedOn, today))
        errors.push(...birthDateErrors(input.members, today, '/members'))
        if (errors.length) throw ruleBroken(errors)
        if (await families.externalRefTaken(trx, input.externalRef))
          throw conflict('externalRef is already used by another family in this municipality', [
            { path: '/externalRef', message: 'already used in this municipality' },
          ])
        const family = await families.insertFamily(trx, p.municipalityId, input)
        await refreshFamilyState(trx, family.id)
        await audit(trx, request, 'family.create', family.id, `family/${family.id}`)
        return { body: family, location: `/v1/families/${family.id}` }
      }),
  })

  r.get('/v1/families', {
    config: { allow: ['api-client', 'coordinator'] },
    schema: {
      operationId: 'listFamilies',
      tags,
      summary: 'List families (cursor-paginated)',
      querystring: $ListFamiliesQuery,
      response: { 200: $Page($Family), ...problems() },
    },
    handler: (request) =>
      app.tenant(request, async (trx) => {
        const p = request.principal
        const { cursor, limit, ...filter } = request.query
        const result = await families.listFamilies(
          trx,
          { ...filter, coordinatorId: p.kind === 'coordinator' ? p.coordinatorId : filter.coordinatorId },
          { after: decodeCursor(cursor, ['int', 'uuid']), limit },
        )
        // Every family shown is audited, all of them in one statement.
        await auditFamilies(
          trx,
          request,
          'family.list',
          result.items.map((f) => f.id),
        )
        return toPage(result)
      }),
  })

  r.get('/v1/families/:familyId', {
    config: { allow: ['api-client', 'coordinator', 'family'] },
    schema: {
      operationId: 'getFamily',
      tags,
      summary: 'A family with its members',
      params: $FamilyParams,
      response: { 200: $Family, ...problems(404) },
    },
    handler: (request) =>
      app.tenant(request, async (trx) => {
        const row = await familyFor(trx, request, request.params.familyId)
        await audit(trx, request, 'family.read', row.family_id, `family/${row.family_id}`)
        // A family token bound to one member sees that member only, as in its progress.
        const p = request.principal
        const members = (await families.membersOf(trx, [row.family_id])).filter((m) => p.kind !== 'family' || !p.memberId || m.member_id === p.memberId)
        return families.toFamily(row, members)
      }),
  })

  r.patch('/v1/families/:familyId', {
    config: { allow: ['api-client', 'coordinator'] },
    schema: {
      operationId: 'updateFamily',
      tags,
      summary: 'Reassign, rename or end (or reopen) a family',
      params: $FamilyParams,
      body: $UpdateFamily,
      response: { 200: $Family, ...problems(404, 409, 422) },
    },
    handler: (request) =>
      app.tenant(request, async (trx) => {
        const row = await familyFor(trx, request, request.params.familyId, { lock: true })
        const patch = request.body
        if (request.principal.kind === 'coordinator' && patch.coordinatorId !== undefined) throw forbidden('Only the host system reassigns a family')
        const today = await municipalityToday(trx)
        const errors: FieldError[] = []
        if (patch.coordinatorId !== undefined && !(await coordinatorExists(trx, patch.coordinatorId)))
          errors.push({ path: '/coordinatorId', message: 'no such coordinator in this municipality' })
        if (patch.endedOn)
          errors.push(...endDateErrors(patch.endedOn, { startedOn: row.started_on, lastSessionOn: await families.lastSessionOn(trx, row.family_id) }, today))
        if (errors.length) throw ruleBroken(errors)
        if (patch.externalRef !== undefined && (await families.externalRefTaken(trx, patch.externalRef, row.family_id))) {
          throw conflict('externalRef is already used by another family in this municipality', [
            { path: '/externalRef', message: 'already used in this municipality' },
          ])
        }
        await families.updateFamily(trx, row.family_id, patch)
        await refreshFamilyState(trx, row.family_id)
        const action =
          patch.coordinatorId !== undefined && patch.coordinatorId !== row.coordinator_id ? 'family.reassign' : patch.endedOn ? 'family.end' : 'family.update'
        await audit(trx, request, action, row.family_id, `family/${row.family_id}`)
        return (await families.findFamily(trx, row.family_id))!
      }),
  })

  r.post('/v1/families/:familyId/members', {
    config: { allow: ['api-client', 'coordinator'] },
    schema: {
      operationId: 'addMember',
      tags,
      summary: 'Add a member to a family',
      params: $FamilyParams,
      headers: $IdempotencyHeaders,
      body: $CreateMember,
      response: { 201: $Member, ...problems(404, 409, 422) },
    },
    handler: (request, reply) =>
      createOnce(app, request, reply, async (trx) => {
        const row = await familyFor(trx, request, request.params.familyId, { lock: true })
        const errors = birthDateErrors([request.body], await municipalityToday(trx), '')
        if (errors.length) throw ruleBroken(errors.map((e) => ({ ...e, path: '/birthDate' })))
        const member = families.toMember(await families.insertMember(trx, request.principal.municipalityId, row.family_id, request.body))
        await refreshFamilyState(trx, row)
        await audit(trx, request, 'member.create', row.family_id, `member/${member.id}`)
        return { body: member, location: `/v1/families/${row.family_id}/members/${member.id}` }
      }),
  })

  r.get('/v1/families/:familyId/members/:memberId', {
    config: { allow: ['api-client', 'coordinator', 'family'] },
    schema: {
      operationId: 'getMember',
      tags,
      summary: 'One member of a family',
      params: $MemberParams,
      response: { 200: $Member, ...problems(404) },
    },
    handler: (request) =>
      app.tenant(request, async (trx) => {
        const row = await familyFor(trx, request, request.params.familyId)
        const member = (await families.membersOf(trx, [row.family_id])).find((m) => m.member_id === request.params.memberId)
        const p = request.principal
        if (!member || (p.kind === 'family' && p.memberId && p.memberId !== member.member_id)) throw notFound('The member')
        await audit(trx, request, 'member.read', row.family_id, `member/${member.member_id}`)
        return families.toMember(member)
      }),
  })

  r.patch('/v1/families/:familyId/members/:memberId', {
    config: { allow: ['api-client', 'coordinator'] },
    schema: {
      operationId: 'updateMember',
      tags,
      summary: 'Correct a member',
      params: $MemberParams,
      body: $UpdateMember,
      response: { 200: $Member, ...problems(404, 422) },
    },
    handler: (request) =>
      app.tenant(request, async (trx) => {
        const row = await familyFor(trx, request, request.params.familyId, { lock: true })
        if (request.body.birthDate) {
          const errors = birthDateErrors([{ birthDate: request.body.birthDate }], await municipalityToday(trx), '')
          if (errors.length) throw ruleBroken(errors.map((e) => ({ ...e, path: '/birthDate' })))
          // The member's ratings were checked against the old birth date; they must still fit.
          const rated = await families.ratingsOfMember(trx, row.family_id, request.params.memberId)
          const instruments = (await loadInstruments(trx)).map((i) => i.def)
          const misfits = ageFitErrors(
            rated.map((r) => ({ ...r, birthDate: request.body.birthDate! })),
            instruments,
          )
          if (misfits.length) throw ruleBroken(misfits.map((message) => ({ path: '/birthDate', message })))
        }
        const updated = await families.updateMember(trx, row.family_id, request.params.memberId, request.body)
        if (!updated) throw notFound('The member')
        await refreshFamilyState(trx, row)
        await audit(trx, request, 'member.update', row.family_id, `member/${updated.member_id}`)
        return families.toMember(updated)
      }),
  })
}
