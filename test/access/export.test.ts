import { sql } from 'kysely'
import t from 'tap'
import { referenceKeyOf } from '../../service/repositories/band-models.js'
import { daysAgo } from '../helpers/app.js'
import { accessApp, BIRTH, createCoordinator, createFamily, createSession, expectStatus, inMunicipality, mint, orsSelf } from './fixtures/world.js'

/** Data-subject rights: the export (JSON and FHIR R4) holds everything; erasure leaves nothing. */

type Resource = Record<string, any> & { resourceType: string; id: string }

/** Every `reference` string anywhere inside a value. */
function references(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) references(v, out)
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'reference' && typeof v === 'string') out.push(v)
      else references(v, out)
    }
  }
  return out
}

t.test('export and erasure', async (t) => {
  const app = await accessApp(t)
  const m1 = app.municipality.municipalityId
  const coordinator = await createCoordinator(t, app)
  // The erased family's aliases are its own, so a search for them finds nothing of the other family.
  const family = await createFamily(t, app, coordinator, {
    members: [
      { alias: 'Slettmor', role: 'adult', birthDate: BIRTH.adult() },
      { alias: 'Slettungdom', role: 'child', birthDate: BIRTH.adolescent() },
      { alias: 'Slettbarn', role: 'child', birthDate: BIRTH.child() },
    ],
  })
  const keep = await createFamily(t, app, coordinator)
  const { Slettmor: Mor, Slettungdom: Tenåring, Slettbarn: Barn } = family.m

  const s1 = await createSession(
    t,
    app,
    family.id,
    [
      orsSelf(Mor, [2.5, 3, 3.5, 4]),
      { memberId: Barn, instrument: 'CORS', rater: 'self', items: [5, 5.5, 6, 6.5] },
      { memberId: Mor, instrument: 'SRS', rater: 'self', items: [9, 9.5, 8, 9] },
    ],
    { heldOn: daysAgo(90) },
  )
  const s2 = await createSession(
    t,
    app,
    family.id,
    [
      { memberId: Mor, instrument: 'ORS', rater: 'self', total: 17.4 },
      orsSelf(Tenåring, [6, 6, 6, 6]),
      { memberId: Barn, instrument: 'CORS', rater: 'parent', raterMemberId: Mor, items: [4, 4, 4, 4.5] },
    ],
    { heldOn: daysAgo(60) },
  )
  const s3 = await createSession(t, app, family.id, [orsSelf(Mor, [6, 6.5, 7, 7])], { heldOn: daysAgo(30) })
  // A self-reported rating (its idempotency record is kept under the family's principal).
  const selfSession = await createSession(t, app, family.id, [], { heldOn: daysAgo(20) })
  const token = await mint(t, app, { role: 'family', familyId: family.id, scopes: ['self-report'], sessionId: selfSession.id })
  expectStatus(t, await app.call('POST', `/v1/sessions/${selfSession.id}/ratings`, { key: token, body: orsSelf(Tenåring, [7, 7, 7, 7]) }), 201, 'a self-report')
  // A member added later, and a rating whose session is deleted again before the erasure.
  const added = expectStatus(
    t,
    await app.call('POST', `/v1/families/${family.id}/members`, { body: { alias: 'Slettbestemor', role: 'adult', birthDate: '1955-06-06' } }),
    201,
    'add a member',
  )
  const gone = await createSession(t, app, family.id, [], { heldOn: daysAgo(10) })
  const goneRating = expectStatus(
    t,
    await app.call('POST', `/v1/sessions/${gone.id}/ratings`, { body: orsSelf(added.id, [5, 5, 5, 5]) }),
    201,
    'a rating in a session deleted later',
  )
  expectStatus(t, await app.call('PUT', `/v1/sessions/${s3.id}/ratings/${s3.ratings[0].id}`, { body: orsSelf(Mor, [6, 6.5, 7, 7.5]) }), 200, 'a correction')
  expectStatus(t, await app.call('DELETE', `/v1/sessions/${gone.id}`), 204, 'delete that session')
  // The family that stays, with a series long enough for the expected bands.
  for (const [i, items] of [
    [3, 3, 3, 3],
    [4, 4, 4, 4],
    [5, 5, 5, 5],
  ].entries())
    await createSession(t, app, keep.id, [orsSelf(keep.m.Mor, items)], { heldOn: daysAgo(80 - i * 20) })

  const sessions = [s1, s2, s3, selfSession]
  const ratingsNow = (
    await Promise.all(sessions.map(async (s) => expectStatus(t, await app.call('GET', `/v1/sessions/${s.id}`), 200, 'read back').ratings))
  ).flat()
  t.equal(ratingsNow.length, 8, 'eight ratings in four sessions')

  await t.test('JSON export: the family, its members, sessions and ratings', async (t) => {
    const res = await app.call('GET', `/v1/families/${family.id}/export`)
    const body = expectStatus(t, res, 200, 'export')
    t.match(String(res.headers['content-type']), /^application\/json/, 'JSON')
    t.type(body.exportedAt, 'string')
    t.equal(body.family.id, family.id)
    t.same(body.family.members.map((m: { id: string }) => m.id).sort(), [Mor, Tenåring, Barn, added.id].sort(), 'every member')
    t.same(body.family.members.map((m: { alias: string }) => m.alias).sort(), ['Slettbarn', 'Slettbestemor', 'Slettmor', 'Slettungdom'], 'with their aliases')
    t.same(body.sessions.map((s: { id: string }) => s.id).sort(), sessions.map((s) => s.id).sort(), 'every session')
    const exported = body.sessions.flatMap((s: { ratings: unknown[] }) => s.ratings)
    t.same(
      exported.map((r: { id: string; items: number[] | null; total: number }) => [r.id, r.items, r.total]).sort(),
      ratingsNow.map((r: { id: string; items: number[] | null; total: number }) => [r.id, r.items, r.total]).sort(),
      'every rating with its items and total as entered',
    )
  })

  await t.test('FHIR R4 export: a Bundle whose references all resolve', async (t) => {
    const res = await app.call('GET', `/v1/families/${family.id}/export?format=fhir`)
    const bundle = expectStatus(t, res, 200, 'FHIR export')
    t.match(String(res.headers['content-type']), /^application\/fhir\+json/, 'content-type application/fhir+json')
    t.equal(bundle.resourceType, 'Bundle')
    t.equal(bundle.type, 'collection', 'type collection')
    t.ok(Array.isArray(bundle.entry) && bundle.entry.length > 0, 'entries')
    for (const e of bundle.entry) {
      t.ok(typeof e.fullUrl === 'string' && e.fullUrl.length > 0 && typeof e.resource?.resourceType === 'string', `entry ${e.fullUrl}: fullUrl and resource`)
    }
    const fullUrls = bundle.entry.map((e: { fullUrl: string }) => e.fullUrl)
    t.equal(new Set(fullUrls).size, fullUrls.length, 'fullUrls are unique')
    const byUrl = new Map<string, Resource>(bundle.entry.map((e: { fullUrl: string; resource: Resource }) => [e.fullUrl, e.resource]))
    const of = (type: string) =>
      bundle.entry.filter((e: { resource: Resource }) => e.resource.resourceType === type) as { fullUrl: string; resource: Resource }[]
    const urlOf = (type: string, id: string) => of(type).find((e) => e.resource.id === id)?.fullUrl

    const dangling = references(bundle).filter((r) => !byUrl.has(r))
    t.same(dangling, [], 'every reference resolves to an entry’s fullUrl')

    t.equal(of('Patient').length, 4, 'a Patient per member')
    t.equal(of('Encounter').length, 4, 'an Encounter per session')
    const questionnaires = of('Questionnaire')
    const used = [...new Set(ratingsNow.map((r: { instrument: string }) => r.instrument))].sort()
    t.same(questionnaires.map((q) => q.resource.name).sort(), used, 'one Questionnaire per instrument used')
    const canonicals = new Map(questionnaires.map((q) => [`${q.resource.url}|${q.resource.version}`, q.resource]))

    const responses = of('QuestionnaireResponse')
    const observations = of('Observation')
    t.equal(responses.length, ratingsNow.length, 'a QuestionnaireResponse per rating')
    t.equal(observations.length, ratingsNow.length, 'an Observation per rating total')
    for (const session of sessions) {
      for (const rating of ratingsNow.filter((r: { sessionId: string }) => r.sessionId === session.id)) {
        const what = `${rating.instrument} of ${rating.memberId.slice(0, 8)} by ${rating.rater}`
        const qr = responses.find((e) => e.resource.id === rating.id)
        t.ok(qr, `${what}: its QuestionnaireResponse`)
        if (!qr) continue
        const r = qr.resource
        const questionnaire = canonicals.get(r.questionnaire)
        t.ok(questionnaire, `${what}: questionnaire is the canonical url|version of a Questionnaire in the bundle`)
        t.equal(questionnaire?.name, rating.instrument, `${what}: of its instrument`)
        t.equal(r.status, 'completed')
        t.equal(r.subject?.reference, urlOf('Patient', rating.memberId), `${what}: subject is the member`)
        t.equal(r.encounter?.reference, urlOf('Encounter', session.id), `${what}: encounter is the session`)
        t.equal(r.authored, session.heldOn, `${what}: authored`)
        if (rating.items) {
          t.same(
            r.item.map((i: { answer: { valueDecimal: number }[] }) => i.answer[0].valueDecimal),
            rating.items,
            `${what}: item answers equal the item scores`,
          )
          t.same(
            r.item.map((i: { linkId: string }) => i.linkId),
            questionnaire?.item.map((i: { linkId: string }) => i.linkId),
            `${what}: linkIds are the questionnaire's`,
          )
        } else {
          t.same(
            r.item.map((i: { answer: { valueDecimal: number }[] }) => i.answer[0].valueDecimal),
            [rating.total],
            `${what}: a paper total is answered as the total`,
          )
        }
        const derived = observations.filter((o) => (o.resource.derivedFrom ?? []).some((d: { reference: string }) => d.reference === qr.fullUrl))
        t.equal(derived.length, 1, `${what}: exactly one Observation derivedFrom it`)
        const o = derived[0]?.resource
        t.equal(o?.valueQuantity?.value, rating.total, `${what}: Observation valueQuantity is the total`)
        t.equal(o?.subject?.reference, r.subject?.reference, `${what}: about the same member`)
        t.equal(o?.status, 'final')
      }
    }
  })

  // Names and ids that must vanish with the family.
  const ids = [family.id, Mor, Tenåring, Barn, added.id, ...sessions.map((s) => s.id), gone.id, ...ratingsNow.map((r: { id: string }) => r.id), goneRating.id]
  const aliases = ['Slettmor', 'Slettungdom', 'Slettbarn', 'Slettbestemor']

  const recomputed = expectStatus(t, await app.call('POST', '/v1/expected-bands/recompute'), 200, 'recompute the expected bands')
  const familySeriesKeys = [
    referenceKeyOf({ memberId: Mor, instrument: 'ORS', rater: 'self', raterMemberId: null }),
    referenceKeyOf({ memberId: keep.m.Mor, instrument: 'ORS', rater: 'self', raterMemberId: null }),
  ]
  const referenceKeys = async () =>
    (await inMunicipality(app.db, m1, (trx) => trx.selectFrom('reference_series').select('series_key').execute())).map((r) => r.series_key)
  t.ok(recomputed.series >= 2 && (await referenceKeys()).includes(familySeriesKeys[0]), 'a reference series was derived from the family’s ORS series')

  await t.test('a coordinator token cannot erase', async (t) => {
    const c = await mint(t, app, { role: 'coordinator', coordinatorId: coordinator })
    expectStatus(t, await app.call('DELETE', `/v1/families/${family.id}`, { key: c }), 403, 'coordinator DELETE')
    expectStatus(t, await app.call('GET', `/v1/families/${family.id}`), 200, 'the family is still there')
  })

  await t.test('DELETE /v1/families/{id} leaves no row that mentions the family', async (t) => {
    const res = await app.call('DELETE', `/v1/families/${family.id}`)
    t.equal(res.statusCode, 204, '204')
    t.equal(res.body, '', 'no body')
    expectStatus(t, await app.call('GET', `/v1/families/${family.id}`), 404, 'GET → 404')
    expectStatus(t, await app.call('GET', `/v1/families/${family.id}/progress`, { key: token }), 404, 'its family token finds nothing')
    expectStatus(t, await app.call('GET', `/v1/sessions/${s1.id}`), 404, 'its sessions are gone')
    expectStatus(t, await app.call('DELETE', `/v1/families/${family.id}`), 404, 'a second DELETE → 404')

    for (const [table, column] of [
      ['families', 'family_id'],
      ['members', 'family_id'],
      ['sessions', 'family_id'],
      ['ratings', 'family_id'],
    ] as const) {
      const n = await inMunicipality(
        app.db,
        m1,
        async (trx) =>
          (await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(table)} WHERE ${sql.ref(column)} = ${family.id}`.execute(trx)).rows[0].n,
      )
      t.equal(n, 0, `${table}: no row of the family`)
    }
    const keys = await referenceKeys()
    t.notOk(keys.includes(familySeriesKeys[0]), 'reference_series: the series derived from the family is gone')
    t.ok(keys.includes(familySeriesKeys[1]), 'reference_series: the other family’s series stays')

    const erase = await inMunicipality(app.db, m1, (trx) => trx.selectFrom('audit_events').selectAll().where('family_id', '=', family.id).execute())
    t.equal(erase.length, 1, 'audit_events: one event about the family is left')
    t.match(
      erase[0],
      { action: 'family.erase', actor_type: 'api-client', actor_id: app.municipality.apiClientId, role: 'api-client', detail: null },
      'the erasure: who and what',
    )
    t.match(erase[0].request_id, /^[0-9a-f-]{36}$/, 'with the request id')

    // Behind every table, as the superuser that migrated (RLS does not hide anything from it):
    // no row's text mentions any id or alias of the family, but the one erasure event.
    const tables = (await sql<{ name: string }>`SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'`.execute(app.db)).rows.map((r) => r.name)
    t.ok(tables.length >= 12, `${tables.length} tables searched`)
    for (const table of tables) {
      for (const needle of [...ids, ...aliases]) {
        const rows = (
          await sql<{ row: string }>`SELECT x::text AS row FROM ${sql.table(table)} x WHERE x::text LIKE ${`%${needle}%`}`.execute(app.db)
        ).rows.map((r) => r.row)
        const left = table === 'audit_events' ? rows.filter((r) => !r.includes('family.erase')) : rows
        if (left.length) t.fail(`${table} still mentions ${needle}: ${left[0].slice(0, 300)}`)
      }
    }
    t.pass('searched every table for every id and alias')
    expectStatus(t, await app.call('GET', `/v1/families/${keep.id}/progress`), 200, 'the other family is untouched')
  })
})
