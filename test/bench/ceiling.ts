/**
 * The raw-SQL ceiling of the benchmark: the least any implementation of the service's read and
 * write paths must do against this schema, served by bare Fastify + pg (no Kysely, no zod, no
 * auth, no domain computations). run.ts starts it in its own process, beside the service, and
 * divides the service's req/s by this one's.
 *
 * Like the service, each request is ONE transaction on a pool of 8 that first sets the
 * municipality and the application role (as service/db/kysely.ts inMunicipality does), so
 * row-level security applies and its cost is in both numbers.
 *
 *   GET  /family/:id          the family row, its members, its ratings with held_on
 *   GET  /family/:id/audited  the same, plus the audit event every read of personal data writes
 *                             (so its commit waits for the WAL flush, as the service's does)
 *   GET  /coordinator/:id     the same for the coordinator's active families
 *   POST /family/:id/sessions a session, its ratings (one multi-row insert), one audit_events
 *                             row and one idempotency_keys row; answers the ids
 *   POST /family/:id/sessions-with-state
 *                             the same, plus what a write must also do once the stored state is
 *                             kept in the same transaction: lock the family's row, read its
 *                             members (the ratings' age rules) and, after the inserts, its
 *                             ratings, and upsert its series_state and family_state rows (here
 *                             with counts and first/latest points only: no rules computed)
 *
 * Environment: DATABASE_URL, PORT, MUNICIPALITY_ID, API_CLIENT_ID (the actor of audit rows and
 * the principal of idempotency rows), DB_POOL_SIZE (default 8).
 */
import Fastify from 'fastify'
import { createHash, randomUUID } from 'node:crypto'
import pg from 'pg'

// Dates stay the strings the database holds, as the service has them (service/db/pg-types.ts).
pg.types.setTypeParser(pg.types.builtins.DATE, (v) => v)
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v))

const env = (name: string): string => {
  const v = process.env[name]
  if (!v) throw new Error(`${name} is required`)
  return v
}
const municipalityId = env('MUNICIPALITY_ID')
const apiClientId = env('API_CLIENT_ID')
const pool = new pg.Pool({ connectionString: env('DATABASE_URL'), max: Number(process.env.DB_POOL_SIZE ?? 8), application_name: 'framgang-bench-ceiling' })
pool.on('error', () => {})

/** One transaction as framgang_app in the municipality: the service's per-request envelope. */
async function tenant<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect()
  try {
    await client.query('BEGIN')
    await client.query("SELECT set_config('framgang.municipality_id', $1, true), set_config('role', 'framgang_app', true)", [municipalityId])
    const result = await fn(client)
    await client.query('COMMIT')
    return result
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {})
    throw err
  } finally {
    client.release()
  }
}

// The columns the service's loadFamilyFacts reads. The planner carries `= ANY(array)` across
// the join's equality to neither side, so without the second, redundant condition it hashes
// every session of the municipality (a sequential scan: 250,000 rows at 5000 families) instead
// of reading the families' sessions through sessions_family.
const RATINGS_OF_FAMILIES = `
  SELECT r.rating_id, r.family_id, r.session_id, s.held_on, r.created_at, r.member_id, r.instrument_code,
         r.rater, r.rater_member_id, r.items, r.total
    FROM ratings r
    JOIN sessions s ON s.municipality_id = r.municipality_id AND s.family_id = r.family_id AND s.session_id = r.session_id
   WHERE r.family_id = ANY($1::uuid[]) AND s.family_id = ANY($1::uuid[])`
const MEMBERS_OF_FAMILIES = 'SELECT * FROM members WHERE family_id = ANY($1::uuid[]) ORDER BY seq'

interface CreateSessionBody {
  heldOn: string
  kind: string
  note?: string | null
  ratings: { memberId: string; instrument: string; rater: string; raterMemberId?: string | null; items?: number[] | null; total?: number }[]
}

const app = Fastify({ logger: false })

function familyRoute(audited: boolean) {
  return async (request: { params: { id: string } }, reply: { code(n: number): { send(b: unknown): unknown } }) =>
    tenant(async (c) => {
      const family = await c.query('SELECT * FROM families WHERE family_id = $1', [request.params.id])
      if (family.rowCount === 0) return reply.code(404).send({ title: 'no such family' })
      const ids = [request.params.id]
      const members = await c.query(MEMBERS_OF_FAMILIES, [ids])
      const ratings = await c.query(RATINGS_OF_FAMILIES, [ids])
      if (audited) {
        await c.query(
          `INSERT INTO audit_events (municipality_id, actor_type, actor_id, role, action, family_id, resource, request_id)
           VALUES ($1, 'api-client', $2, 'api-client', 'progress.read', $3, $4, $5)`,
          [municipalityId, apiClientId, request.params.id, `family/${request.params.id}/progress`, randomUUID()],
        )
      }
      return { family: family.rows[0], members: members.rows, ratings: ratings.rows }
    })
}

app.get<{ Params: { id: string } }>('/family/:id', familyRoute(false))
app.get<{ Params: { id: string } }>('/family/:id/audited', familyRoute(true))

app.get<{ Params: { id: string } }>('/coordinator/:id', async (request) =>
  tenant(async (c) => {
    const families = await c.query('SELECT * FROM families WHERE coordinator_id = $1 AND ended_on IS NULL AND NOT synthetic', [request.params.id])
    const ids = families.rows.map((f: { family_id: string }) => f.family_id)
    const members = await c.query(MEMBERS_OF_FAMILIES, [ids])
    const ratings = await c.query(RATINGS_OF_FAMILIES, [ids])
    return { families: families.rows, members: members.rows, ratings: ratings.rows }
  }),
)

/** The inserts of a session, its ratings, an audit row and an idempotency record (ceiling c). */
async function insertSession(c: pg.PoolClient, familyId: string, key: string, requestHash: string, body: CreateSessionBody) {
  const session = await c.query<{ session_id: string }>(
    'INSERT INTO sessions (municipality_id, family_id, held_on, kind, note) VALUES ($1, $2, $3, $4, $5) RETURNING session_id',
    [municipalityId, familyId, body.heldOn, body.kind, body.note ?? null],
  )
  const sessionId = session.rows[0].session_id
  // One multi-row insert; scores arrive in points and are stored in tenths.
  const values: unknown[] = [municipalityId, familyId, sessionId]
  const tuples = body.ratings.map((r) => {
    const items = r.items ? r.items.map((x) => Math.round(x * 10)) : null
    const total = items ? items.reduce((a, b) => a + b, 0) : Math.round((r.total ?? 0) * 10)
    const at = values.push(r.memberId, r.instrument, r.rater, r.raterMemberId ?? null, items, total) - 6
    return `($1, $2, $3, $${at + 1}, $${at + 2}, $${at + 3}, $${at + 4}, $${at + 5}::smallint[], $${at + 6})`
  })
  const ratings = await c.query<{ rating_id: string }>(
    `INSERT INTO ratings (municipality_id, family_id, session_id, member_id, instrument_code, rater, rater_member_id, items, total) VALUES ${tuples.join(', ')} RETURNING rating_id`,
    values,
  )
  const answer = { id: sessionId, ratingIds: ratings.rows.map((r) => r.rating_id) }
  await c.query(
    `INSERT INTO audit_events (municipality_id, actor_type, actor_id, role, action, family_id, resource, request_id)
     VALUES ($1, 'api-client', $2, 'api-client', 'session.create', $3, $4, $5)`,
    [municipalityId, apiClientId, familyId, `session/${sessionId}`, randomUUID()],
  )
  await c.query(
    `INSERT INTO idempotency_keys (municipality_id, principal, key, request_hash, status_code, location, body)
     VALUES ($1, $2, $3, $4, 201, $5, $6)`,
    [municipalityId, `api-client:${apiClientId}`, key, requestHash, `/v1/sessions/${sessionId}`, JSON.stringify(answer)],
  )
  return answer
}

interface RatingRow {
  session_id: string
  held_on: string
  member_id: string
  instrument_code: string
  rater: string
  rater_member_id: string | null
  total: number
}

/** The family's state rows from its ratings: counts and first/latest points, no rules. */
async function writeState(c: pg.PoolClient, family: { family_id: string; coordinator_id: string; started_on: string }) {
  const ratings = await c.query<RatingRow>(RATINGS_OF_FAMILIES, [[family.family_id]])
  const groups = new Map<string, RatingRow[]>()
  for (const r of ratings.rows) {
    const k = `${r.member_id} ${r.instrument_code} ${r.rater} ${r.rater_member_id ?? ''}`
    groups.set(k, [...(groups.get(k) ?? []), r])
  }
  const series = [...groups.values()].map((points, position) => {
    points.sort((a, b) => (a.held_on < b.held_on ? -1 : a.held_on > b.held_on ? 1 : 0))
    const first = points[0]
    const latest = points[points.length - 1]
    const previous = points.length > 1 ? points[points.length - 2] : null
    return {
      municipality_id: municipalityId,
      family_id: family.family_id,
      position,
      member_id: first.member_id,
      instrument_code: first.instrument_code,
      rater: first.rater,
      rater_member_id: first.rater_member_id,
      points: points.length,
      intake: first.total,
      intake_on: first.held_on,
      previous: previous?.total ?? null,
      previous_on: previous?.held_on ?? null,
      latest: latest.total,
      latest_on: latest.held_on,
      latest_session_id: latest.session_id,
      cutoff: null,
      status: null,
      trend: null,
      band_p25: null,
      band_p50: null,
      band_p75: null,
      band_cohort_size: null,
      flags: [],
      severity: null,
      is_primary: false,
      age_group_at_intake: null,
      first_alliance: null,
      days_in_service: null,
      unsuccessful: null,
    }
  })
  const last = ratings.rows.reduce<RatingRow | null>((a, r) => (a === null || r.held_on > a.held_on ? r : a), null)
  const familyState = {
    municipality_id: municipalityId,
    family_id: family.family_id,
    coordinator_id: family.coordinator_id,
    active: true,
    started_on: family.started_on,
    ending: null,
    last_session_on: last?.held_on ?? null,
    last_session_id: last?.session_id ?? null,
    session_count: new Set(ratings.rows.map((r) => r.session_id)).size,
    severity: null,
    flag_count: 0,
    left_behind: false,
  }
  const set = (row: object, key: string[]) =>
    Object.keys(row)
      .filter((k) => !key.includes(k))
      .map((k) => `${k} = excluded.${k}`)
      .join(', ')
  await c.query(
    `WITH gone AS (DELETE FROM series_state WHERE family_id = $1 AND position >= $2),
          stored AS (INSERT INTO series_state SELECT * FROM jsonb_populate_recordset(NULL::series_state, $3::jsonb)
                     ON CONFLICT (municipality_id, family_id, position) DO UPDATE SET ${set(series[0], ['municipality_id', 'family_id', 'position'])})
     INSERT INTO family_state SELECT * FROM jsonb_populate_record(NULL::family_state, $4::jsonb)
     ON CONFLICT (municipality_id, family_id) DO UPDATE SET ${set(familyState, ['municipality_id', 'family_id'])}`,
    [family.family_id, series.length, JSON.stringify(series), JSON.stringify(familyState)],
  )
}

function sessionsRoute(withState: boolean) {
  return async (
    request: { params: { id: string }; body: CreateSessionBody; url: string; headers: Record<string, unknown> },
    reply: { code(n: number): { send(b: unknown): unknown } },
  ) => {
    const key = request.headers['idempotency-key']
    if (typeof key !== 'string' || key.length === 0) return reply.code(400).send({ title: 'Idempotency-Key required' })
    const body = request.body
    const familyId = request.params.id
    const requestHash = createHash('sha256')
      .update(`POST ${request.url}\n${JSON.stringify(body)}`)
      .digest('hex')
    const result = await tenant(async (c) => {
      if (!withState) return insertSession(c, familyId, key, requestHash, body)
      const family = await c.query('SELECT * FROM families WHERE family_id = $1 FOR UPDATE', [familyId])
      if (family.rowCount === 0) throw new Error('no such family')
      await c.query(MEMBERS_OF_FAMILIES, [[familyId]])
      const answer = await insertSession(c, familyId, key, requestHash, body)
      await writeState(c, family.rows[0])
      return answer
    })
    return reply.code(201).send(result)
  }
}

app.post<{ Params: { id: string }; Body: CreateSessionBody }>('/family/:id/sessions', sessionsRoute(false))
app.post<{ Params: { id: string }; Body: CreateSessionBody }>('/family/:id/sessions-with-state', sessionsRoute(true))

app.setErrorHandler((err, _request, reply) => {
  // Say what failed: run.ts prints the first failing body of a scenario.
  reply.code(500).send({ title: 'ceiling error', detail: err instanceof Error ? err.message : String(err) })
})

const port = Number(process.env.PORT ?? 0)
app.listen({ port, host: '127.0.0.1' }).then(
  (address) => console.log(`ceiling listening at ${address}`),
  (err: unknown) => {
    console.error(err)
    process.exit(1)
  },
)

const stop = () => {
  app
    .close()
    .then(() => pool.end())
    .finally(() => process.exit(0))
}
process.once('SIGTERM', stop)
process.once('SIGINT', stop)
