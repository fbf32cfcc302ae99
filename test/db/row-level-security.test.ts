import { randomBytes } from 'node:crypto'
import t from 'tap'
import { createMunicipality } from '../../service/cli/municipalities.js'
import { createDb } from '../../service/db/kysely.js'
import { migrate } from '../../service/db/migrate.js'
import { pg } from '../../service/db/pg-types.js'
import { hashApiKey } from '../../service/repositories/api-clients.js'
import { daysAgo, testApp, type TestApp } from '../helpers/app.js'
import { freshDatabase } from '../helpers/database.js'
import { createFamily, createSession, ors } from '../helpers/fixtures.js'

/** Tables read before the municipality is known (SECURITY DEFINER lookups, the admin CLI): RLS enabled, not forced. */
const NOT_FORCED = new Set(['municipalities', 'api_clients', 'allowed_origins'])

async function tenantTables(pool: pg.Pool): Promise<string[]> {
  const r = await pool.query<{ table_name: string }>(
    `SELECT c.table_name FROM information_schema.columns c
       JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
      WHERE c.table_schema = 'public' AND c.column_name = 'municipality_id' ORDER BY 1`,
  )
  return r.rows.map((row) => row.table_name)
}

/** Gives one municipality a row in every tenant table the API can fill. */
async function populate(t: Parameters<typeof testApp>[0], app: TestApp, key: string) {
  const f = await createFamily(t, app, { key })
  await createSession(t, app, f.id, { heldOn: daysAgo(2), ratings: [ors(f.m.Mor.id)] }, key)
  const settings = await app.call('PATCH', '/v1/settings', {
    key,
    body: { allowedOrigins: [`https://${randomBytes(4).toString('hex')}.kommune.no`], thresholds: { ORS: { reliableChange: 6 } } },
  })
  t.equal(settings.statusCode, 200, settings.body)
}

t.test('framgang_app sees no rows without a municipality, and only its own with one', async (t) => {
  const app = await testApp(t)
  const b = await app.newMunicipality()
  await populate(t, app, app.municipality.apiKey)
  await populate(t, app, b.apiKey)
  const tables = await tenantTables(app.pool)
  for (const expected of [
    'municipalities',
    'allowed_origins',
    'instrument_settings',
    'api_clients',
    'coordinators',
    'families',
    'members',
    'sessions',
    'ratings',
    'idempotency_keys',
    'audit_events',
  ]) {
    t.ok(tables.includes(expected), `${expected} is a tenant table`)
  }

  const flags = await app.pool.query<{ relname: string; relrowsecurity: boolean; relforcerowsecurity: boolean }>(
    `SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relname = ANY($1)`,
    [tables],
  )
  for (const row of flags.rows) {
    t.ok(row.relrowsecurity, `${row.relname}: row-level security is enabled`)
    if (!NOT_FORCED.has(row.relname)) t.ok(row.relforcerowsecurity, `${row.relname}: row-level security is forced on its owner too`)
  }

  const client = await app.pool.connect()
  try {
    await checkAsApp(t, app, client, tables, b.municipalityId)
  } finally {
    client.release()
  }
})

async function checkAsApp(t: Parameters<typeof testApp>[0], app: TestApp, client: pg.PoolClient, tables: string[], otherMunicipalityId: string) {
  const b = { municipalityId: otherMunicipalityId }
  const countAs = async (table: string, municipalityId: string | null) => {
    await client.query('BEGIN')
    try {
      await client.query('SET LOCAL ROLE framgang_app')
      if (municipalityId) await client.query(`SELECT set_config('framgang.municipality_id', $1, true)`, [municipalityId])
      const r = await client.query<{ n: number; foreign: number }>(
        `SELECT count(*)::int AS n, count(*) FILTER (WHERE municipality_id IS DISTINCT FROM $1::uuid)::int AS foreign FROM ${table}`,
        [municipalityId],
      )
      return r.rows[0]
    } finally {
      await client.query('ROLLBACK')
    }
  }
  for (const table of tables) {
    const all = (
      await app.pool.query<{ n: number; a: number }>(`SELECT count(*)::int AS n, count(*) FILTER (WHERE municipality_id = $1)::int AS a FROM ${table}`, [
        app.municipality.municipalityId,
      ])
    ).rows[0]
    const granted = (await app.pool.query<{ ok: boolean }>(`SELECT has_table_privilege('framgang_app', $1, 'SELECT') AS ok`, [table])).rows[0].ok
    if (!granted) {
      t.pass(`${table}: framgang_app may not read it at all`)
      continue
    }
    t.equal((await countAs(table, null)).n, 0, `${table}: nothing without framgang.municipality_id (${all.n} rows exist)`)
    const own = await countAs(table, app.municipality.municipalityId)
    t.equal(own.n, all.a, `${table}: every row of its own municipality`)
    t.equal(own.foreign, 0, `${table}: no row of another municipality`)
  }
  t.ok((await app.pool.query(`SELECT 1 FROM ratings WHERE municipality_id = $1`, [b.municipalityId])).rowCount! > 0, 'the other municipality does have ratings')

  // Writes: the policy's WITH CHECK refuses rows of another municipality, and updates miss them.
  await client.query('BEGIN')
  await client.query('SET LOCAL ROLE framgang_app')
  await client.query(`SELECT set_config('framgang.municipality_id', $1, true)`, [app.municipality.municipalityId])
  await t.rejects(
    client.query(`INSERT INTO coordinators (municipality_id, external_ref, display_name) VALUES ($1, 'smuggled', 'X')`, [b.municipalityId]),
    /row-level security/,
    "no inserting into another municipality's rows",
  )
  await client.query('ROLLBACK')
  await client.query('BEGIN')
  await client.query('SET LOCAL ROLE framgang_app')
  await client.query(`SELECT set_config('framgang.municipality_id', $1, true)`, [app.municipality.municipalityId])
  const updated = await client.query(`UPDATE families SET external_ref = external_ref || '-x' WHERE municipality_id = $1`, [b.municipalityId])
  t.equal(updated.rowCount, 0, "another municipality's families cannot be updated")
  await t.rejects(client.query(`DELETE FROM audit_events`), /permission denied/, 'the audit trail is append-only for the application')
  await client.query('ROLLBACK')
}

t.test('the pre-authentication lookups work when the owner is not a superuser', async (t) => {
  const database = await freshDatabase({ migrate: false })
  const owner = `framgang_owner_${randomBytes(4).toString('hex')}`
  const admin = new pg.Pool({ connectionString: database.connectionString, max: 1 })
  admin.on('error', () => {}) // idle clients ended by dropping the database
  await admin.query(`CREATE ROLE ${owner} NOSUPERUSER NOBYPASSRLS CREATEROLE LOGIN`)
  await admin.query(`GRANT CREATE ON SCHEMA public TO ${owner}`)
  await admin.end()
  // Every connection acts as the non-superuser owner (SET ROLE works the same on PGlite and the server).
  const pool = new pg.Pool({ connectionString: database.connectionString, max: 2 })
  pool.on('error', () => {}) // idle clients ended by dropping the database
  pool.on('connect', (client) => {
    client.query(`SET ROLE ${owner}`).catch(() => {})
  })
  t.teardown(async () => {
    await pool.end()
    await database.close()
    if (process.env.TEST_DATABASE_URL) {
      const c = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL })
      await c.connect()
      await c.query(`DROP ROLE IF EXISTS ${owner}`)
      await c.end()
    }
  })
  await migrate(pool)
  const who = await pool.query<{ current_user: string; rolsuper: boolean }>(`SELECT current_user, (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)`)
  t.same(who.rows[0], { current_user: owner, rolsuper: false }, 'migrated by a non-superuser')
  const owners = await pool.query<{ owner: string }>(
    `SELECT DISTINCT pg_get_userbyid(relowner) AS owner FROM pg_class WHERE relname IN ('api_clients', 'families')`,
  )
  t.same(owners.rows, [{ owner }], 'who owns the tables')

  const db = createDb(pool)
  const m = await createMunicipality(db, { name: 'Eierløs kommune', origins: ['https://portal.example.no'] })
  const client = await pool.connect()
  try {
    await checkLookups(t, client, m)
  } finally {
    client.release()
  }
})

async function checkLookups(t: Parameters<typeof testApp>[0], client: pg.PoolClient, m: { apiKey: string; apiClientId: string; municipalityId: string }) {
  await client.query('BEGIN')
  await client.query('SET LOCAL ROLE framgang_app')
  const found = await client.query(`SELECT * FROM framgang_api_client_by_key_hash($1)`, [hashApiKey(m.apiKey)])
  t.same(found.rows, [{ api_client_id: m.apiClientId, municipality_id: m.municipalityId }], 'the key lookup finds the client before the municipality is known')
  t.same((await client.query(`SELECT * FROM framgang_api_client_by_key_hash($1)`, [hashApiKey('fgk_unknown')])).rows, [], 'and nothing for an unknown key')
  t.same((await client.query(`SELECT framgang_origin_registered('https://portal.example.no') AS ok`)).rows, [{ ok: true }], 'the CORS lookup finds the origin')
  t.same((await client.query(`SELECT framgang_origin_registered('https://evil.example') AS ok`)).rows, [{ ok: false }])
  t.equal((await client.query('SELECT * FROM api_clients')).rowCount, 0, 'framgang_app itself still reads no API client without a municipality')
  await client.query('ROLLBACK')
  // The owner is confined by forced RLS on the tenant tables.
  t.equal((await client.query('SELECT * FROM coordinators')).rowCount, 0)
  await client.query(`INSERT INTO coordinators (municipality_id, external_ref, display_name) VALUES ($1, 'c', 'C')`, [m.municipalityId]).then(
    () => t.fail('the owner inserted without the municipality set'),
    (err: Error) => t.match(err.message, /row-level security/, 'even the owner cannot write a tenant row without the municipality set'),
  )

  // Expired idempotency keys: purged across municipalities through the owner's function only.
  await client.query('BEGIN')
  await client.query(`SELECT set_config('framgang.municipality_id', $1, true)`, [m.municipalityId])
  await client.query(
    `INSERT INTO idempotency_keys (municipality_id, principal, key, request_hash, status_code, body, created_at)
     VALUES ($1, 'api-client:x', 'old', 'h', 201, '{}', now() - interval '8 days'), ($1, 'api-client:x', 'new', 'h', 201, '{}', now())`,
    [m.municipalityId],
  )
  await client.query('COMMIT')
  await client.query(`SELECT set_config('framgang.purge', 'on', false)`)
  t.equal((await client.query('SELECT * FROM idempotency_keys')).rowCount, 1, 'the purge setting opens the expired keys to the owner')
  await client.query(`SELECT set_config('framgang.purge', '', false)`)
  t.equal((await client.query('SELECT * FROM idempotency_keys')).rowCount, 0, 'and nothing without it')
  await client.query('BEGIN')
  await client.query('SET LOCAL ROLE framgang_app')
  await client.query(`SELECT set_config('framgang.purge', 'on', true)`)
  t.equal((await client.query('SELECT * FROM idempotency_keys')).rowCount, 0, 'framgang_app reads no expired key of any municipality, setting or not')
  t.same(
    (await client.query('SELECT framgang_purge_expired_idempotency_keys(7) AS purged')).rows,
    [{ purged: 1 }],
    'framgang_app purges the expired key through the function',
  )
  t.same((await client.query('SELECT framgang_purge_expired_idempotency_keys(0) AS purged')).rows, [{ purged: 0 }], 'never one younger than 7 days')
  await client.query('COMMIT')
  await client.query('BEGIN')
  await client.query(`SELECT set_config('framgang.municipality_id', $1, true)`, [m.municipalityId])
  t.same((await client.query('SELECT key FROM idempotency_keys')).rows, [{ key: 'new' }], 'the fresh key stays')
  await client.query('ROLLBACK')
}
