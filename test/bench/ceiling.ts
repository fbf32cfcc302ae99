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
 *   GET  /coordinator/:id     the same for the coordinator's active families
 *   POST /family/:id/sessions a session, its ratings (one multi-row insert), one audit_events
 *                             row and one idempotency_keys row; answers the ids
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

app.get<{ Params: { id: string } }>('/family/:id', async (request, reply) =>
  tenant(async (c) => {
    const family = await c.query('SELECT * FROM families WHERE family_id = $1', [request.params.id])
    if (family.rowCount === 0) return reply.code(404).send({ title: 'no such family' })
    const ids = [request.params.id]
    const members = await c.query(MEMBERS_OF_FAMILIES, [ids])
    const ratings = await c.query(RATINGS_OF_FAMILIES, [ids])
    return { family: family.rows[0], members: members.rows, ratings: ratings.rows }
  }),
)

app.get<{ Params: { id: string } }>('/coordinator/:id', async (request) =>
  tenant(async (c) => {
    const families = await c.query('SELECT * FROM families WHERE coordinator_id = $1 AND ended_on IS NULL AND NOT synthetic', [request.params.id])
    const ids = families.rows.map((f: { family_id: string }) => f.family_id)
    const members = await c.query(MEMBERS_OF_FAMILIES, [ids])
    const ratings = await c.query(RATINGS_OF_FAMILIES, [ids])
    return { families: families.rows, members: members.rows, ratings: ratings.rows }
  }),
)

app.post<{ Params: { id: string }; Body: CreateSessionBody }>('/family/:id/sessions', async (request, reply) => {
  const key = request.headers['idempotency-key']
  if (typeof key !== 'string' || key.length === 0) return reply.code(400).send({ title: 'Idempotency-Key required' })
  const body = request.body
  const familyId = request.params.id
  const requestHash = createHash('sha256').update(`POST ${request.url}\n${JSON.stringify(body)}`).digest('hex')
  const result = await tenant(async (c) => {
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
  })
  return reply.code(201).send(result)
})

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
