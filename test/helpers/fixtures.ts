import type { LightMyRequestResponse } from 'fastify'
import { sql } from 'kysely'
import type { Test } from 'tap'
import type { Db } from '../../service/db/kysely.js'
import { daysAgo, yearsAgo, type TestApp } from './app.js'

/** Shared set-up and assertions for the API tests under test/service (not itself a test file). */

export interface ProblemExpectation {
  status: number
  type: 'validation' | 'unauthorized' | 'forbidden' | 'not-found' | 'conflict' | 'rule' | 'rate-limited' | 'unavailable' | 'internal'
  /** A JSON Pointer that some entry of `errors` must name exactly. */
  path?: string
  /** Text the detail or one of the error messages must contain. */
  mentions?: string | RegExp
}

/** Asserts an RFC 9457 answer as docs/api.md describes it, and returns its body. */
export function assertProblem(t: Test, res: LightMyRequestResponse, expected: ProblemExpectation): Record<string, any> {
  t.equal(res.statusCode, expected.status, `status ${expected.status}: ${res.body.slice(0, 400)}`)
  t.match(String(res.headers['content-type']), /^application\/problem\+json/, 'content-type is application/problem+json')
  const body = res.json()
  t.equal(body.type, `/problems/${expected.type}`, 'problem type')
  t.equal(body.status, expected.status, 'status in the body')
  t.type(body.title, 'string', 'title')
  t.type(body.detail, 'string', 'detail')
  t.type(body.instance, 'string', 'instance')
  if (expected.status === 400 || expected.status === 422) {
    t.ok(Array.isArray(body.errors) && body.errors.length > 0, 'errors[] on 400/422')
    for (const e of body.errors ?? []) {
      t.type(e.path, 'string', 'errors[].path is a string')
      t.ok(e.path === '' || e.path.startsWith('/'), `errors[].path is a JSON Pointer: ${e.path}`)
      t.type(e.message, 'string', 'errors[].message is a string')
    }
  }
  if (expected.path !== undefined) {
    const paths = (body.errors ?? []).map((e: { path: string }) => e.path)
    t.ok(paths.includes(expected.path), `errors[] names ${expected.path} (got ${JSON.stringify(paths)})`)
  }
  if (expected.mentions !== undefined) {
    const text = [body.detail, ...(body.errors ?? []).map((e: { message: string }) => e.message)].join(' | ')
    t.match(text, expected.mentions, `the problem mentions ${expected.mentions}`)
  }
  if (expected.status === 401) t.equal(res.headers['www-authenticate'], 'Bearer', 'WWW-Authenticate: Bearer')
  return body
}

/** Ages chosen away from birthdays so the instrument never depends on the day the tests run. */
export const BIRTH = {
  adult: () => yearsAgo(35),
  adolescent: () => yearsAgo(15.5),
  child: () => yearsAgo(9.5),
  youngChild: () => yearsAgo(4.5),
  toddler: () => yearsAgo(1.5),
}

export interface FamilyFixture {
  id: string
  coordinatorId: string
  startedOn: string
  members: { id: string; alias: string; role: string; birthDate: string }[]
  /** Members by alias. */
  m: Record<string, { id: string; birthDate: string }>
  body: any
}

let refs = 0
export const uniqueRef = (prefix = 'REF') => `${prefix}-${process.pid}-${++refs}`

export async function createCoordinator(t: Test, app: TestApp, key?: string): Promise<string> {
  const res = await app.call('POST', '/v1/coordinators', { key, body: { externalRef: uniqueRef('C'), displayName: 'Kari Koordinator' } })
  t.equal(res.statusCode, 201, `coordinator created: ${res.body.slice(0, 300)}`)
  return res.json().id
}

/**
 * A family of four (Mor 35, Tenåring 15, Barn 9, Liten 4) that started a year ago, with its
 * own coordinator, in the test's municipality or the one whose key is given.
 */
export async function createFamily(
  t: Test,
  app: TestApp,
  options: {
    key?: string
    coordinatorId?: string
    startedOn?: string
    members?: { alias: string; role: 'adult' | 'child'; birthDate: string }[]
    externalRef?: string
  } = {},
): Promise<FamilyFixture> {
  const coordinatorId = options.coordinatorId ?? (await createCoordinator(t, app, options.key))
  const startedOn = options.startedOn ?? daysAgo(365)
  const members = options.members ?? [
    { alias: 'Mor', role: 'adult', birthDate: BIRTH.adult() },
    { alias: 'Tenåring', role: 'child', birthDate: BIRTH.adolescent() },
    { alias: 'Barn', role: 'child', birthDate: BIRTH.child() },
    { alias: 'Liten', role: 'child', birthDate: BIRTH.youngChild() },
  ]
  const res = await app.call('POST', '/v1/families', {
    key: options.key,
    body: { externalRef: options.externalRef ?? uniqueRef('F'), coordinatorId, startedOn, members },
  })
  t.equal(res.statusCode, 201, `family created: ${res.body.slice(0, 300)}`)
  const body = res.json()
  return {
    id: body.id,
    coordinatorId,
    startedOn,
    members: body.members,
    m: Object.fromEntries(body.members.map((m: { alias: string; id: string; birthDate: string }) => [m.alias, { id: m.id, birthDate: m.birthDate }])),
    body,
  }
}

/** A session with the given ratings; asserts 201 and returns the body. */
export async function createSession(t: Test, app: TestApp, familyId: string, body: Record<string, unknown>, key?: string): Promise<any> {
  const res = await app.call('POST', `/v1/families/${familyId}/sessions`, { key, body: { kind: 'office', ...body } })
  t.equal(res.statusCode, 201, `session created: ${res.body.slice(0, 400)}`)
  return res.json()
}

export const ors = (memberId: string, items: number[] = [5, 6, 7, 8]) => ({ memberId, instrument: 'ORS', rater: 'self', items })

/** Row counts behind the API, read as the migrating user inside one municipality (row-level security). */
export async function countRows(db: Db, municipalityId: string, table: string, where: { column: string; value: string } | null = null): Promise<number> {
  return db.transaction().execute(async (trx) => {
    await sql`SELECT set_config('framgang.municipality_id', ${municipalityId}, true)`.execute(trx)
    // The tests connect as a superuser, whom row-level security does not confine: filter too.
    const filter = where ? sql` AND ${sql.ref(where.column)} = ${where.value}` : sql``
    const r = await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(table)} WHERE municipality_id = ${municipalityId}${filter}`.execute(trx)
    return r.rows[0].n
  })
}

/** Rows of audit_events in one municipality, oldest first. */
/** Every table a write can touch: a refused write leaves their row counts as they were. */
const WRITABLE_TABLES = [
  'coordinators',
  'families',
  'members',
  'sessions',
  'ratings',
  'audit_events',
  'idempotency_keys',
  'api_clients',
  'instrument_settings',
  'allowed_origins',
]

/** Row counts of every table a write can touch in the test's municipality, and its settings version. */
export async function writableCounts(app: TestApp): Promise<Record<string, number>> {
  const m = app.municipality.municipalityId
  const out: Record<string, number> = {}
  for (const table of WRITABLE_TABLES) out[table] = await countRows(app.db, m, table)
  const version = await app.pool.query('SELECT settings_version FROM municipalities WHERE municipality_id = $1', [m])
  out.settingsVersion = Number(version.rows[0].settings_version)
  return out
}

export async function auditEvents(db: Db, municipalityId: string): Promise<any[]> {
  return db.transaction().execute(async (trx) => {
    await sql`SELECT set_config('framgang.municipality_id', ${municipalityId}, true)`.execute(trx)
    return trx.selectFrom('audit_events').selectAll().where('municipality_id', '=', municipalityId).orderBy('audit_event_id').execute()
  })
}

/** Adds days to an ISO date (UTC arithmetic on a calendar date, no time zone involved). */
export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`)
  d.setUTCDate(d.getUTCDate() + days)
  return d.toISOString().slice(0, 10)
}

/** The same calendar day `years` earlier (callers avoid 29 February). */
export function minusYears(date: string, years: number): string {
  const [y, m, d] = date.split('-')
  return `${String(Number(y) - years).padStart(4, '0')}-${m}-${d}`
}

/** A date at least `days` ago that is not 29 February, so "the same day N years earlier" exists. */
export function safeDaysAgo(days: number): string {
  let date = daysAgo(days)
  while (date.endsWith('-02-29') || date.endsWith('-02-28') || date.endsWith('-03-01')) date = addDays(date, -3)
  return date
}
