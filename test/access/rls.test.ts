import { randomBytes, randomUUID } from 'node:crypto'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { sql } from 'kysely'
import t, { type Test } from 'tap'
import { buildApp } from '../../service/app.js'
import { createMunicipality } from '../../service/cli/municipalities.js'
import { loadConfig } from '../../service/config.js'
import { migrateDatabase } from '../../service/db/connect.js'
import { createDb, type Db, type Trx } from '../../service/db/kysely.js'
import { pg } from '../../service/db/pg-types.js'
import { hashApiKey } from '../../service/repositories/api-clients.js'
import { daysAgo, NO_LOAD_SHEDDING, testApp } from '../helpers/app.js'
import { freshDatabase } from '../helpers/database.js'
import { BIRTH, SIGNING_KEY, uniqueRef } from './fixtures/world.js'

/**
 * Row-level security in PostgreSQL (docs/architecture.md, "Tenancy in the database"): the application
 * role sees nothing without the transaction's municipality, only that municipality's rows with
 * it, and cannot write rows for another; the two lookups that run before the municipality is
 * known work when the tables' owner is not a superuser.
 */

const TENANT_TABLES = [
  'families',
  'members',
  'sessions',
  'ratings',
  'coordinators',
  'audit_events',
  'idempotency_keys',
  'instrument_settings',
  'reference_series',
  'municipalities',
  'api_clients',
  'allowed_origins',
] as const

type Call = (method: string, url: string, options: { key: string; body?: unknown }) => Promise<LightMyRequestResponse>

function caller(app: FastifyInstance): Call {
  return (method, url, { key, body }) =>
    app.inject({
      method: method as 'GET',
      url,
      headers: { authorization: `Bearer ${key}`, ...(method === 'POST' && { 'idempotency-key': randomUUID() }) },
      ...(body !== undefined && { payload: body as object }),
    })
}

/** A row in every tenant table of a municipality, all made through the API. */
async function populate(t: Test, call: Call, key: string, origin: string): Promise<{ familyId: string }> {
  const ok = async (res: Promise<LightMyRequestResponse>, status: number, what: string) => {
    const r = await res
    t.equal(r.statusCode, status, `${what}${r.statusCode === status ? '' : `: ${r.body.slice(0, 300)}`}`)
    return r.body ? r.json() : null
  }
  await ok(
    call('PATCH', '/v1/settings', { key, body: { allowedOrigins: [origin], thresholds: { ORS: { reliableChange: 5 } } } }),
    200,
    'settings with an origin and a threshold',
  )
  const coordinator = await ok(call('POST', '/v1/coordinators', { key, body: { externalRef: uniqueRef('C'), displayName: 'Kari' } }), 201, 'a coordinator')
  const family = await ok(
    call('POST', '/v1/families', {
      key,
      body: {
        externalRef: uniqueRef('F'),
        coordinatorId: coordinator.id,
        startedOn: daysAgo(100),
        members: [{ alias: 'Mor', role: 'adult', birthDate: BIRTH.adult() }],
      },
    }),
    201,
    'a family',
  )
  for (const [i, items] of [
    [2, 2, 2, 2],
    [3, 3, 3, 3],
    [4, 4, 4, 4],
  ].entries()) {
    await ok(
      call('POST', `/v1/families/${family.id}/sessions`, {
        key,
        body: { heldOn: daysAgo(60 - i * 10), kind: 'office', ratings: [{ memberId: family.members[0].id, instrument: 'ORS', rater: 'self', items }] },
      }),
      201,
      `session ${i + 1}`,
    )
  }
  const counts = await ok(call('POST', '/v1/expected-bands/recompute', { key }), 200, 'recompute the expected bands')
  t.ok(counts.series >= 1, 'a reference series was built')
  await ok(call('GET', `/v1/families/${family.id}/progress`, { key }), 200, 'read the progress')
  return { familyId: family.id }
}

/** A transaction as framgang_app, with the municipality set or (null) not. */
function asApp<T>(db: Db, municipalityId: string | null, fn: (trx: Trx) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (trx) => {
    await sql`SET LOCAL ROLE framgang_app`.execute(trx)
    if (municipalityId !== null) await sql`SELECT set_config('framgang.municipality_id', ${municipalityId}, true)`.execute(trx)
    return fn(trx)
  })
}

const municipalitiesIn = async (trx: Trx, table: string) =>
  (await sql<{ m: string }>`SELECT municipality_id::text AS m FROM ${sql.table(table)}`.execute(trx)).rows.map((r) => r.m)

/** The heart of it: nothing without the setting, one municipality's rows with it. */
async function assertIsolation(t: Test, db: Db, m1: string, m2: string) {
  await t.test('without framgang.municipality_id, framgang_app sees no row of any tenant table', async (t) => {
    for (const table of TENANT_TABLES) t.same(await asApp(db, null, (trx) => municipalitiesIn(trx, table)), [], `${table}: no rows`)
  })
  await t.test('with an empty setting, still nothing', async (t) => {
    for (const table of TENANT_TABLES) t.same(await asApp(db, '', (trx) => municipalitiesIn(trx, table)), [], `${table}: no rows`)
  })
  await t.test('with the setting, only that municipality’s rows', async (t) => {
    for (const [mine, theirs] of [
      [m1, m2],
      [m2, m1],
    ]) {
      for (const table of TENANT_TABLES) {
        const seen = await asApp(db, mine, (trx) => municipalitiesIn(trx, table))
        t.ok(seen.length > 0 && seen.every((m) => m === mine) && !seen.includes(theirs), `${table}: ${seen.length} rows, all the municipality’s own`)
      }
    }
  })
}

t.test('row-level security for the application role', async (t) => {
  const app = await testApp(t, { TOKEN_PRIVATE_KEY: SIGNING_KEY })
  const other = await app.newMunicipality('Annen kommune')
  const m1 = app.municipality.municipalityId
  const m2 = other.municipalityId
  const call = caller(app.app)
  await populate(t, call, app.municipality.apiKey, 'https://m1.example')
  await populate(t, call, other.apiKey, 'https://m2.example')

  await t.test('the migrating user here is a superuser and sees both municipalities (so the rows exist)', async (t) => {
    const superuser = (await sql<{ s: boolean }>`SELECT rolsuper AS s FROM pg_roles WHERE rolname = current_user`.execute(app.db)).rows[0].s
    t.equal(superuser, true, 'postgres is a superuser')
    for (const table of TENANT_TABLES) {
      const seen = new Set((await sql<{ m: string }>`SELECT municipality_id::text AS m FROM ${sql.table(table)}`.execute(app.db)).rows.map((r) => r.m))
      t.ok(seen.has(m1) && seen.has(m2), `${table} holds rows of both municipalities`)
    }
  })

  await assertIsolation(t, app.db, m1, m2)

  await t.test('isolation holds for many concurrent requests of two municipalities', async (t) => {
    // API keys (a lookup outside any transaction, then a transaction) and embed tokens (straight
    // into a transaction), interleaved: each answer must be the caller's and nobody else's.
    const callers: { credential: string; municipality: string; origin: string }[] = []
    const own: Record<string, Set<string>> = {}
    for (const [key, municipality, origin] of [
      [app.municipality.apiKey, m1, 'https://m1.example'],
      [other.apiKey, m2, 'https://m2.example'],
    ]) {
      own[municipality] = new Set((await call('GET', '/v1/families', { key })).json().items.map((f: { id: string }) => f.id))
      const coordinatorId = (await call('GET', '/v1/coordinators', { key })).json().items[0].id
      const token = (await call('POST', '/v1/embed-tokens', { key, body: { role: 'coordinator', coordinatorId } })).json().token
      callers.push({ credential: key, municipality, origin }, { credential: token, municipality, origin })
    }
    // Bursts on this (warm) instance, and on a second one whose pool opens its connections
    // during the burst. A hung database queue fails fast instead of waiting for tap's timeout.
    const cold = await buildApp({ config: app.config, connectionString: app.connectionString, logger: false })
    t.teardown(() => cold.close())
    await cold.ready()
    const burst = (instance: FastifyInstance) =>
      Promise.all(
        Array.from({ length: 60 }, (_, i) => {
          const who = callers[i % callers.length]
          const url = who.credential.startsWith('fgk_') ? ['/v1/families', '/v1/settings', '/v1/caseload'][i % 3] : ['/v1/caseload', '/v1/families'][i % 2]
          return caller(instance)('GET', url, { key: who.credential }).then((res) => ({ who, url, res }))
        }),
      )
    const hung = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('concurrent requests hung')), 30_000).unref())
    const answers = (await Promise.race([Promise.all([burst(app.app), burst(cold), burst(app.app)]), hung])).flat()
    const wrong = answers.filter(({ who, url, res }) => {
      if (res.statusCode !== 200) return true
      const body = res.json()
      if (url === '/v1/settings') return JSON.stringify(body.allowedOrigins) !== JSON.stringify([who.origin])
      const ids: string[] = body.items.map((x: { id?: string; familyId?: string }) => x.id ?? x.familyId)
      return ids.length === 0 || ids.some((id) => !own[who.municipality].has(id))
    })
    t.same(
      wrong.map(({ url, res }) => `${url}: ${res.statusCode} ${res.body.slice(0, 120)}`),
      [],
      `all ${answers.length} concurrent answers are 200 and hold only the caller’s municipality’s data`,
    )
  })

  await t.test('writing a row for another municipality fails (WITH CHECK)', async (t) => {
    const id = randomUUID()
    const inserts: [string, ReturnType<typeof sql>][] = [
      ['coordinators', sql`INSERT INTO coordinators (municipality_id, external_ref, display_name) VALUES (${m2}, 'x', 'x')`],
      ['families', sql`INSERT INTO families (municipality_id, external_ref, coordinator_id, started_on) VALUES (${m2}, 'x', ${id}, '2025-01-01')`],
      ['members', sql`INSERT INTO members (municipality_id, family_id, alias, role, birth_date) VALUES (${m2}, ${id}, 'x', 'adult', '1990-01-01')`],
      ['sessions', sql`INSERT INTO sessions (municipality_id, family_id, held_on, kind) VALUES (${m2}, ${id}, '2025-01-01', 'office')`],
      [
        'ratings',
        sql`INSERT INTO ratings (municipality_id, family_id, session_id, member_id, instrument_code, rater, total) VALUES (${m2}, ${id}, ${id}, ${id}, 'ORS', 'self', 100)`,
      ],
      ['audit_events', sql`INSERT INTO audit_events (municipality_id, actor_type, actor_id, role, action) VALUES (${m2}, 'system', 'x', 'x', 'x')`],
      [
        'idempotency_keys',
        sql`INSERT INTO idempotency_keys (municipality_id, principal, key, request_hash, status_code, body) VALUES (${m2}, 'x', 'x', 'x', 201, '{}')`,
      ],
      ['instrument_settings', sql`INSERT INTO instrument_settings (municipality_id, instrument_code) VALUES (${m2}, 'CORS')`],
      [
        'reference_series',
        sql`INSERT INTO reference_series (municipality_id, instrument_code, series_key, intake, scores) VALUES (${m2}, 'ORS', 'x', 1, '{1,2,3}')`,
      ],
      ['api_clients', sql`INSERT INTO api_clients (municipality_id, name, key_hash, key_prefix) VALUES (${m2}, 'x', ${randomUUID()}, 'x')`],
      ['allowed_origins', sql`INSERT INTO allowed_origins (municipality_id, origin) VALUES (${m2}, 'https://evil.example')`],
    ]
    for (const [table, insert] of inserts) {
      await t.rejects(
        asApp(app.db, m1, (trx) => insert.execute(trx)),
        /row-level security/,
        `${table}: an insert for another municipality is refused by the policy`,
      )
    }
    await t.rejects(
      asApp(app.db, m1, (trx) => sql`INSERT INTO municipalities (municipality_id, name) VALUES (${randomUUID()}, 'x')`.execute(trx)),
      /permission denied|row-level security/,
      'municipalities: framgang_app creates none',
    )
    await t.rejects(
      asApp(app.db, m1, (trx) => sql`UPDATE coordinators SET municipality_id = ${m2}`.execute(trx)),
      /row-level security|violates foreign key/,
      'moving a row to another municipality is refused',
    )
    await t.rejects(
      asApp(app.db, null, (trx) => insert0(trx, m1)),
      /row-level security/,
      'without the setting even the own municipality’s rows cannot be written',
    )
    const touched = await asApp(app.db, m1, async (trx) =>
      Number((await sql`UPDATE coordinators SET display_name = 'x' WHERE municipality_id = ${m2}`.execute(trx)).numAffectedRows),
    )
    t.equal(touched, 0, 'an update aimed at another municipality touches nothing')
  })

  await t.test('the audit trail is append-only for the application role', async (t) => {
    await t.rejects(
      asApp(app.db, m1, (trx) => sql`DELETE FROM audit_events`.execute(trx)),
      /permission denied/,
      'no DELETE',
    )
    await t.rejects(
      asApp(app.db, m1, (trx) => sql`UPDATE audit_events SET action = 'x'`.execute(trx)),
      /permission denied/,
      'no UPDATE',
    )
  })
})

const insert0 = (trx: Trx, m: string) =>
  sql`INSERT INTO coordinators (municipality_id, external_ref, display_name) VALUES (${m}, ${uniqueRef('C')}, 'x')`.execute(trx)

/**
 * A database whose tables belong to a role that is neither a superuser nor exempt from RLS.
 * On the PostgreSQL server (TEST_DATABASE_URL): a LOGIN role and a database it owns, and the
 * service connects as that role. Embedded (PGlite has one backend, so a session's role holds for
 * every connection): a role that owns the database and is SET as the role of the session, which
 * is what every connection then runs as.
 */
interface OwnerDatabase {
  mode: 'server' | 'embedded'
  owner: string
  /** What the service and the migrations connect with (as the owner). */
  connectionString: string
  /** Runs SQL as a superuser (the database administrator). */
  asAdmin(text: string): Promise<void>
}

async function ownerDatabase(cleanups: (() => Promise<void>)[]): Promise<OwnerDatabase> {
  const owner = `framgang_owner_${randomBytes(5).toString('hex')}`
  const ensureAppRole = `DO $$ BEGIN
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'framgang_app') THEN CREATE ROLE framgang_app NOLOGIN; END IF;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$`
  const server = process.env.TEST_DATABASE_URL
  if (server) {
    const admin = new pg.Client({ connectionString: server })
    await admin.connect()
    await admin.query(ensureAppRole)
    await admin.query(`CREATE ROLE ${owner} LOGIN NOSUPERUSER NOCREATEROLE NOBYPASSRLS`)
    await admin.query(`CREATE DATABASE ${owner} OWNER ${owner}`)
    cleanups.push(async () => {
      // Pools resolve end() before their sockets close: wait for the backends to go, so that
      // dropping the database does not terminate a connection a client still listens on.
      for (let i = 0; i < 50; i++) {
        const { rows } = await admin.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1', [owner])
        if (rows[0].n === 0) break
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
      await admin.query(`DROP DATABASE IF EXISTS ${owner} WITH (FORCE)`)
      await admin.query(`DROP ROLE IF EXISTS ${owner}`)
      await admin.end()
    })
    const url = new URL(server)
    url.username = owner
    url.password = ''
    url.pathname = `/${owner}`
    return { mode: 'server', owner, connectionString: url.toString(), asAdmin: async (text) => void (await admin.query(text)) }
  }
  const database = await freshDatabase({ migrate: false })
  const admin = new pg.Client({ connectionString: database.connectionString })
  await admin.connect()
  cleanups.push(async () => {
    await admin.end()
    await database.close()
  })
  await admin.query(ensureAppRole)
  await admin.query(`CREATE ROLE ${owner} NOSUPERUSER NOCREATEROLE NOBYPASSRLS`)
  await admin.query(`ALTER DATABASE postgres OWNER TO ${owner}`)
  await admin.query(`SET ROLE ${owner}`)
  return {
    mode: 'embedded',
    owner,
    connectionString: database.connectionString,
    async asAdmin(text) {
      await admin.query('RESET ROLE')
      try {
        await admin.query(text)
      } finally {
        await admin.query(`SET ROLE ${owner}`)
      }
    },
  }
}

t.test('SECURITY DEFINER lookups and RLS when the tables’ owner is not a superuser', async (t) => {
  // Undone last first: the service and pools before the database and role they use.
  const cleanups: (() => Promise<void>)[] = []
  t.teardown(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup()
  })
  const o = await ownerDatabase(cleanups)
  t.comment(`owner ${o.owner} on the ${o.mode} database`)

  await t.rejects(migrateDatabase(o.connectionString), /not a member of framgang_app/, 'without membership in framgang_app the migration stops with what to do')
  await o.asAdmin(`GRANT framgang_app TO ${o.owner}`)
  t.ok((await migrateDatabase(o.connectionString)).length >= 4, 'after the administrator’s GRANT it migrates')

  const pool = new pg.Pool({ connectionString: o.connectionString, max: 3 })
  const db = createDb(pool)
  cleanups.push(() => pool.end())

  const me = (
    await sql<{
      who: string
      su: boolean
      bypass: boolean
    }>`SELECT current_user AS who, rolsuper AS su, rolbypassrls AS bypass FROM pg_roles WHERE rolname = current_user`.execute(db)
  ).rows[0]
  t.same(me, { who: o.owner, su: false, bypass: false }, 'the service connects as the owner, neither superuser nor exempt from RLS')
  const owners = (
    await sql<{ table: string; owner: string }>`SELECT tablename AS table, tableowner AS owner FROM pg_tables WHERE schemaname = 'public'`.execute(db)
  ).rows
  for (const table of TENANT_TABLES) t.equal(owners.find((r) => r.table === table)?.owner, o.owner, `${table} is owned by the migrating role`)
  const definers = (
    await sql<{
      name: string
      owner: string
      definer: boolean
    }>`SELECT proname AS name, proowner::regrole::text AS owner, prosecdef AS definer FROM pg_proc WHERE proname IN ('framgang_api_client_by_key_hash', 'framgang_origin_registered', 'framgang_token_grant_valid')`.execute(
      db,
    )
  ).rows
  t.same(
    definers.map((d) => [d.owner, d.definer]),
    [
      [o.owner, true],
      [o.owner, true],
      [o.owner, true],
    ],
    'the three lookups are SECURITY DEFINER functions of that owner',
  )

  // The admin CLI's path: municipalities created by the migrating (owner) role.
  const a = await createMunicipality(db, { name: 'Eierkommune', origins: ['https://eier.example'] })
  const b = await createMunicipality(db, { name: 'Nabokommune', origins: ['https://nabo.example'] })

  await t.test('the lookups answer framgang_app before any municipality is known', async (t) => {
    const client = await asApp(
      db,
      null,
      async (trx) =>
        (await sql<{ api_client_id: string; municipality_id: string }>`SELECT * FROM framgang_api_client_by_key_hash(${hashApiKey(a.apiKey)})`.execute(trx))
          .rows,
    )
    t.same(client, [{ api_client_id: a.apiClientId, municipality_id: a.municipalityId }], 'the API key lookup finds the client and its municipality')
    const unknown = await asApp(
      db,
      null,
      async (trx) => (await sql`SELECT * FROM framgang_api_client_by_key_hash(${hashApiKey('fgk_unknown')})`.execute(trx)).rows,
    )
    t.same(unknown, [], 'an unknown key finds nothing')
    const origin = (o2: string) =>
      asApp(db, null, async (trx) => (await sql<{ ok: boolean }>`SELECT framgang_origin_registered(${o2}) AS ok`.execute(trx)).rows[0].ok)
    t.equal(await origin('https://eier.example'), true, 'a registered origin is found')
    t.equal(await origin('https://nabo.example'), true, 'whichever municipality registered it')
    t.equal(await origin('https://evil.example'), false, 'an unregistered one is not')
    t.same(await asApp(db, null, (trx) => municipalitiesIn(trx, 'api_clients')), [], 'while framgang_app itself reads no api_clients row')
    t.same(await asApp(db, null, (trx) => municipalitiesIn(trx, 'allowed_origins')), [], 'and no allowed_origins row')
  })

  const app = await buildApp({
    config: loadConfig({ DATA_DIR: `/tmp/framgang-test-${process.pid}`, TOKEN_PRIVATE_KEY: SIGNING_KEY, ...NO_LOAD_SHEDDING }),
    connectionString: o.connectionString,
    logger: false,
  })
  cleanups.push(() => app.close())
  await app.ready()
  const call = caller(app)

  await t.test('the service works end to end on this database', async (t) => {
    const settings = await call('GET', '/v1/settings', { key: a.apiKey })
    t.equal(settings.statusCode, 200, `an API key authenticates through the lookup: ${settings.body.slice(0, 200)}`)
    t.same(settings.json().allowedOrigins, ['https://eier.example'], 'and sees its own origins only')
    const preflight = await app.inject({
      method: 'OPTIONS',
      url: '/v1/families',
      headers: { origin: 'https://nabo.example', 'access-control-request-method': 'POST' },
    })
    t.equal(preflight.headers['access-control-allow-origin'], 'https://nabo.example', 'a preflight finds the origin through the lookup')
    const revokedKey = (await call('POST', '/v1/api-clients', { key: a.apiKey, body: { name: 'short-lived' } })).json()
    t.equal((await call('DELETE', `/v1/api-clients/${revokedKey.id}`, { key: a.apiKey })).statusCode, 204, 'revoke a key')
    t.equal((await call('GET', '/v1/settings', { key: revokedKey.apiKey })).statusCode, 401, 'the revoked key no longer authenticates')
  })

  await t.test('embed tokens follow their grants on this database (the owner reads coordinators under FORCE)', async (t) => {
    const status = async (key: string, method = 'GET', url = '/v1/caseload', body?: unknown) => (await call(method, url, { key, body })).statusCode
    const coordinator = (await call('POST', '/v1/coordinators', { key: a.apiKey, body: { externalRef: uniqueRef('C'), displayName: 'Kari' } })).json()
    const client = (await call('POST', '/v1/api-clients', { key: a.apiKey, body: { name: 'mints tokens' } })).json()
    const token = (await call('POST', '/v1/embed-tokens', { key: client.apiKey, body: { role: 'coordinator', coordinatorId: coordinator.id } })).json().token
    const asOwnerIn = (fn: (trx: Trx) => Promise<unknown>) =>
      db.transaction().execute(async (trx) => {
        await sql`SELECT set_config('framgang.municipality_id', ${a.municipalityId}, true)`.execute(trx)
        await fn(trx)
      })
    const active = (on: boolean) =>
      asOwnerIn((trx) => trx.updateTable('coordinators').set({ active: on }).where('coordinator_id', '=', coordinator.id).execute())
    t.equal(await status(token), 200, 'the token works')
    t.equal(await status(token, 'POST', '/v1/families', {}), 400, 'and gets its 400 before any transaction')
    await active(false)
    t.equal(await status(token), 401, 'coordinator deactivated in the database: 401 in the transaction')
    t.equal(await status(token, 'POST', '/v1/families', {}), 401, 'and before any transaction')
    await active(true)
    t.equal(await status(token), 200, 'active again: it works again')
    await db.updateTable('api_clients').set({ revoked_at: new Date() }).where('api_client_id', '=', client.id).execute()
    t.equal(await status(token), 401, 'its API client revoked in the database: 401 in the transaction')
    t.equal(await status(token, 'POST', '/v1/families', {}), 401, 'and before any transaction')
  })

  const { familyId } = await populate(t, call, a.apiKey, 'https://eier.example')
  await populate(t, call, b.apiKey, 'https://nabo.example')

  await assertIsolation(t, db, a.municipalityId, b.municipalityId)

  await t.test('FORCE holds for the owner itself; the lookup tables are ENABLE-only', async (t) => {
    const asOwner = <T>(fn: (trx: Trx) => Promise<T>) => db.transaction().execute(fn)
    for (const table of [
      'families',
      'members',
      'sessions',
      'ratings',
      'coordinators',
      'audit_events',
      'idempotency_keys',
      'instrument_settings',
      'reference_series',
    ]) {
      t.same(await asOwner((trx) => municipalitiesIn(trx, table)), [], `${table}: the owner without the setting sees nothing (FORCE)`)
    }
    for (const table of ['municipalities', 'api_clients', 'allowed_origins']) {
      t.ok((await asOwner((trx) => municipalitiesIn(trx, table))).length >= 2, `${table}: the owner reads it (the SECURITY DEFINER lookups need that)`)
    }
  })

  await t.test('erasure works through the SECURITY DEFINER audit function', async (t) => {
    t.equal((await call('DELETE', `/v1/families/${familyId}`, { key: a.apiKey })).statusCode, 204, 'erase a family')
    const events = await db.transaction().execute(async (trx) => {
      await sql`SELECT set_config('framgang.municipality_id', ${a.municipalityId}, true)`.execute(trx)
      return trx.selectFrom('audit_events').select('action').where('family_id', '=', familyId).execute()
    })
    t.same(
      events.map((e) => e.action),
      ['family.erase'],
      'only the erasure itself remains in the audit trail',
    )
  })
})
