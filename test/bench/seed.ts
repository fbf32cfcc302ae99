/**
 * Seeds one benchmark municipality the size of a real one, set-based in SQL.
 *
 * Per family: an adult (born 1980–1989) and a child who is 7 when the family starts, about five
 * years ago, so 6–12 (CORS/CSRS) on every session date and still 12 today; 50 sessions spread
 * from the start to 1–38 days ago (one family in 25 is overdue); per session four self-ratings
 * with items NULL and totals in tenths: adult ORS + SRS, child CORS + CSRS. 5000 families give
 * 250,000 sessions and 1,000,000 ratings, with ceil(families / 30) coordinators.
 *
 * Scores are deterministic (arithmetic on the family number n and the session number k) so
 * every run and machine seeds the same data, yet series differ: an outcome starts at an intake
 * that depends on n, drifts by -4…+6 tenths per session over the first twelve sessions (so
 * statuses come out deteriorated, no reliable change, improved and recovered) and wobbles ±2
 * points; alliance is mostly 30–40 points with an occasional dip.
 *
 * The caller connects as a superuser, which row-level security does not confine; every row
 * still goes through the schema's constraints and composite foreign keys (nothing is disabled).
 */
import { createMunicipality } from '../../service/cli/municipalities.js'
import { createDb } from '../../service/db/kysely.js'
import { pg } from '../../service/db/pg-types.js'

export const FAMILIES_PER_COORDINATOR = 30
export const SESSIONS_PER_FAMILY = 50

export interface SeededFamily {
  /** 1-based family number, the n of the score formulas. */
  n: number
  familyId: string
  adultId: string
  childId: string
  coordinatorId: string
  startedOn: string
}

export interface SeededMunicipality {
  municipalityId: string
  apiClientId: string
  apiKey: string
  /** Coordinator ids in the order of their number: coordinator c has families 30(c-1)+1 … 30c. */
  coordinatorIds: string[]
  /** In the order of n. */
  families: SeededFamily[]
  /** Rows per table as counted after seeding. */
  counts: Record<string, number>
  /** Milliseconds per step, for the report. */
  timings: Record<string, number>
}

type Log = (message: string) => void

/** Runs one statement and logs how long it took, so a slow step shows at once. */
async function step(client: pg.PoolClient, timings: Record<string, number>, log: Log, name: string, text: string, values: unknown[] = []) {
  const t0 = performance.now()
  const r = await client.query(text, values)
  const ms = performance.now() - t0
  timings[name] = ms
  log(`  ${name}: ${r.rowCount ?? 0} rows in ${(ms / 1000).toFixed(1)} s`)
  return r
}

export async function seedMunicipality(connectionString: string, options: { families: number; name?: string; log?: Log }): Promise<SeededMunicipality> {
  const log = options.log ?? ((m: string) => process.stderr.write(`${m}\n`))
  const familyCount = options.families
  if (!Number.isInteger(familyCount) || familyCount < 1) throw new Error(`families must be a positive integer, got ${familyCount}`)
  const coordinatorCount = Math.ceil(familyCount / FAMILIES_PER_COORDINATOR)
  const timings: Record<string, number> = {}
  const pool = new pg.Pool({ connectionString, max: 1, application_name: 'framgang-bench-seed' })
  const t0 = performance.now()
  try {
    // The municipality and its API key exactly as the admin CLI makes them.
    const m = await createMunicipality(createDb(pool), { name: options.name ?? `Bench kommune (${familyCount} families)` })
    const client = await pool.connect()
    try {
      // Temporary tables are per connection: everything below runs on this one client.
      // One transaction: a failed seed leaves nothing behind, and commit waits once for WAL.
      await client.query('BEGIN')
      await client.query("SET LOCAL synchronous_commit = off; SET LOCAL work_mem = '64MB'")
      // "Today" on the database server; the service's today (Europe/Oslo) is the same or a day
      // later, so nothing seeded here is in its future.
      await step(
        client,
        timings,
        log,
        'plan coordinators',
        `
        CREATE TEMP TABLE bench_coordinators ON COMMIT DROP AS
        SELECT c, gen_random_uuid() AS coordinator_id FROM generate_series(1, $1::int) AS c`,
        [coordinatorCount],
      )
      // n is bigint so the hash-like products below cannot overflow at any size.
      await step(
        client,
        timings,
        log,
        'plan families',
        `
        CREATE TEMP TABLE bench_families ON COMMIT DROP AS
        SELECT n, gen_random_uuid() AS family_id, gen_random_uuid() AS adult_id, gen_random_uuid() AS child_id,
               c.coordinator_id,
               started_on,
               -- A child 7 years (+ up to ~6 months) old at the start is at most 12.6 today.
               ((started_on - interval '7 years')::date - (n * 17 % 180)::int) AS child_birth,
               (date '1980-01-01' + (n * 7919 % 3650)::int) AS adult_birth,
               -- The last session 1–38 days ago; one family in 25 has had none for 50–79 days.
               (CASE WHEN n % 25 = 0 THEN 50 + n % 30 ELSE 1 + n % 38 END)::int AS last_gap
        FROM generate_series(1, $1::bigint) AS n
        CROSS JOIN LATERAL (SELECT current_date - (1830 + n % 30)::int AS started_on) s
        JOIN bench_coordinators c ON c.c = (n - 1) / ${FAMILIES_PER_COORDINATOR} + 1`,
        [familyCount],
      )
      await step(
        client,
        timings,
        log,
        'coordinators',
        `
        INSERT INTO coordinators (municipality_id, coordinator_id, external_ref, display_name)
        SELECT $1, coordinator_id, 'BENCH-K' || c, 'Koordinator ' || c FROM bench_coordinators ORDER BY c`,
        [m.municipalityId],
      )
      await step(
        client,
        timings,
        log,
        'families',
        `
        INSERT INTO families (municipality_id, family_id, external_ref, coordinator_id, started_on, ended_on, ending)
        SELECT $1, family_id, 'BENCH-' || n, coordinator_id, started_on, NULL, NULL FROM bench_families ORDER BY n`,
        [m.municipalityId],
      )
      // Adult first: members.seq is the order of entry, which the service shows.
      await step(
        client,
        timings,
        log,
        'members',
        `
        INSERT INTO members (municipality_id, member_id, family_id, alias, role, birth_date)
        SELECT $1, x.member_id, f.family_id, x.alias, x.role, x.birth_date
        FROM bench_families f
        CROSS JOIN LATERAL (VALUES (1, f.adult_id, 'Voksen ' || f.n, 'adult', f.adult_birth),
                                   (2, f.child_id, 'Barn ' || f.n, 'child', f.child_birth)) AS x(ord, member_id, alias, role, birth_date)
        ORDER BY f.n, x.ord`,
        [m.municipalityId],
      )
      // Session k = 0…49 evenly from started_on (k = 0) to today - last_gap (k = 49).
      await step(
        client,
        timings,
        log,
        'plan sessions',
        `
        CREATE TEMP TABLE bench_sessions ON COMMIT DROP AS
        SELECT f.n, k, gen_random_uuid() AS session_id, f.family_id, f.adult_id, f.child_id,
               f.started_on + (k * ((current_date - f.last_gap) - f.started_on) / ${SESSIONS_PER_FAMILY - 1})::int AS held_on
        FROM bench_families f CROSS JOIN generate_series(0, ${SESSIONS_PER_FAMILY - 1}::bigint) AS k`,
      )
      await step(
        client,
        timings,
        log,
        'sessions',
        `
        INSERT INTO sessions (municipality_id, session_id, family_id, held_on, kind, note)
        SELECT $1, session_id, family_id, held_on,
               (ARRAY['home-visit', 'office', 'phone', 'video'])[1 + (n + k) % 4], NULL
        FROM bench_sessions ORDER BY n, k`,
        [m.municipalityId],
      )
      // Totals in tenths. Outcome: intake (adult 10.0–27.9, child 12.0–31.9 points) + drift
      // (-4…+6 tenths per session, for the first 12 sessions) + noise (±2 points), within 0–400.
      // Alliance: 30.0–40.0 points, 8 points lower in about one session in 53.
      await step(
        client,
        timings,
        log,
        'ratings',
        `
        INSERT INTO ratings (municipality_id, family_id, session_id, member_id, instrument_code, rater, rater_member_id, items, total, override_reason)
        SELECT $1, s.family_id, s.session_id,
               CASE WHEN i.who = 0 THEN s.adult_id ELSE s.child_id END,
               i.code, 'self', NULL, NULL,
               CASE WHEN i.outcome THEN
                 greatest(0, least(400,
                   (CASE WHEN i.who = 0 THEN 100 + s.n * 7919 % 180 ELSE 120 + s.n * 104729 % 200 END)
                   + ((s.n * 31 + i.who * 5) % 11 - 4) * least(s.k, 12) * 2
                   + (s.n * 37 + s.k * 101 + i.who * 13) % 41 - 20))
               ELSE
                 300 + (s.n * 13 + s.k * 7 + i.who * 3) % 101 - CASE WHEN (s.n + s.k * 3 + i.who) % 53 = 0 THEN 80 ELSE 0 END
               END
               , NULL
        FROM bench_sessions s
        CROSS JOIN (VALUES (0, 'ORS', true), (0, 'SRS', false), (1, 'CORS', true), (1, 'CSRS', false)) AS i(who, code, outcome)
        ORDER BY s.n, s.k, i.who, i.outcome DESC`,
        [m.municipalityId],
      )
      const families = await client.query<{ n: string; family_id: string; adult_id: string; child_id: string; coordinator_id: string; started_on: string }>(
        'SELECT n, family_id, adult_id, child_id, coordinator_id, started_on FROM bench_families ORDER BY n',
      )
      const coordinators = await client.query<{ coordinator_id: string }>('SELECT coordinator_id FROM bench_coordinators ORDER BY c')
      const tc = performance.now()
      await client.query('COMMIT')
      timings.commit = performance.now() - tc
      // Fresh statistics, as autovacuum would have them in production, so plans are realistic.
      const ta = performance.now()
      await client.query('ANALYZE')
      timings.analyze = performance.now() - ta
      log(`  analyze: ${(timings.analyze / 1000).toFixed(1)} s`)
      const counts: Record<string, number> = {}
      for (const table of ['coordinators', 'families', 'members', 'sessions', 'ratings']) {
        counts[table] = Number((await client.query(`SELECT count(*) AS n FROM ${table} WHERE municipality_id = $1`, [m.municipalityId])).rows[0].n)
      }
      timings.total = performance.now() - t0
      return {
        ...m,
        coordinatorIds: coordinators.rows.map((r) => r.coordinator_id),
        families: families.rows.map((r) => ({
          n: Number(r.n),
          familyId: r.family_id,
          adultId: r.adult_id,
          childId: r.child_id,
          coordinatorId: r.coordinator_id,
          startedOn: r.started_on,
        })),
        counts,
        timings,
      }
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {})
      throw err
    } finally {
      client.release()
    }
  } finally {
    await pool.end()
  }
}
