import t from 'tap'
import type { LightMyRequestResponse } from 'fastify'
import { pg } from '../../service/db/pg-types.js'
import { daysAgo, testApp } from '../helpers/app.js'

/**
 * Every statement the service sends on its request paths must reach the tenant tables through an
 * index led by municipality_id (and constrained by it), never by a Seq Scan of sessions, ratings,
 * members or families. The app runs against a database seeded with several municipalities of
 * realistic size; every statement it sends while being driven through its request paths is
 * recorded at the pg driver and explained afterwards exactly as the app runs it (in a transaction
 * with the municipality set and the application role).
 */

/** The tables that grow with the caseload: a Seq Scan of any of them reads every municipality's rows. */
const TENANT_TABLES = ['sessions', 'ratings', 'members', 'families']

/** With the default one, three municipalities of equal size: each is a third of every tenant table. */
const EXTRA_MUNICIPALITIES = 2
const COORDINATORS = 10
const FAMILIES = 400
const SESSIONS_PER_FAMILY = 12

interface Captured {
  text: string
  values: unknown[]
  request: string
}

interface PlanNode {
  'Node Type': string
  'Relation Name'?: string
  'Index Name'?: string
  'Index Cond'?: string
  'Recheck Cond'?: string
  Filter?: string
  'Join Filter'?: string
  'Hash Cond'?: string
  'Parent Relationship'?: string
  'Subplan Name'?: string
  Plans?: PlanNode[]
}

function* nodesOf(node: PlanNode): Generator<PlanNode> {
  yield node
  // InitPlans, SubPlans and CTEs are children in Plans too, told apart by Parent Relationship.
  for (const child of node.Plans ?? []) yield* nodesOf(child)
}

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s)

function summarize(node: PlanNode, depth = 0): string {
  const parts = [node['Node Type']]
  if (node['Relation Name']) parts.push(`on ${node['Relation Name']}`)
  if (node['Index Name']) parts.push(`using ${node['Index Name']}`)
  const label =
    node['Subplan Name'] ??
    (node['Parent Relationship'] && !['Outer', 'Inner', 'Member'].includes(node['Parent Relationship']) ? node['Parent Relationship'] : undefined)
  const details = (['Index Cond', 'Recheck Cond', 'Hash Cond', 'Join Filter', 'Filter'] as const)
    .filter((k) => node[k])
    .map((k) => `${k}: ${clip(node[k]!, 160)}`)
  const line = `${'  '.repeat(depth)}${label ? `[${label}] ` : ''}${parts.join(' ')}${details.length ? ` (${details.join('; ')})` : ''}`
  return [line, ...(node.Plans ?? []).map((c) => summarize(c, depth + 1))].join('\n')
}

/** The row-level security condition as plans print it (framgang_current_municipality() inlined). */
const TENANT_CONDITION = /\(?municipality_id = \(NULLIF\(current_setting\('framgang\.municipality_id'::text, true\), ''::text\)\)::uuid\)?/g
const TENANT_CONDITION_ONLY = new RegExp(`^\\(?${TENANT_CONDITION.source}\\)?$`)

/** Statements that are not data access: transaction control, the tenant setting, locks, the key lookup. */
function isChecked(text: string): boolean {
  const s = text.trim()
  if (!/^(select|insert|update|delete|with)\b/i.test(s)) return false
  // A transaction's first statement is checked too: it reads the municipality row.
  if (/^select\s+set_config\s*\(/i.test(s) && !/\bjoin\s+municipalities\b/i.test(s)) return false
  if (/pg_(try_)?advisory_(xact_)?lock/i.test(s)) return false
  if (/^select \* from framgang_api_client_by_key_hash/i.test(s)) return false
  return true
}

t.test('every request-path statement reaches the tenant tables through a municipality-led index', async (t) => {
  const started = Date.now()
  const tapp = await testApp(t)
  const timings: Record<string, number> = {}
  const lap = (name: string, since: number) => (timings[name] = Date.now() - since)

  // --- Seed: several municipalities of realistic size, rows laid out in the order of time ---------
  let since = Date.now()
  const others = []
  for (let i = 0; i < EXTRA_MUNICIPALITIES; i++) others.push(await tapp.newMunicipality(`Plan kommune ${i + 1}`))
  const municipalityIds = [tapp.municipality.municipalityId, ...others.map((m) => m.municipalityId)]
  const seed = await tapp.pool.connect()
  try {
    // Statistics stay as ANALYZE below leaves them: no autoanalyze racing it with a smaller sample.
    for (const table of [...TENANT_TABLES, 'coordinators']) await seed.query(`ALTER TABLE ${table} SET (autovacuum_enabled = false)`)
    const ids = [municipalityIds]
    // Deterministic ids: an md5 shaped as a version-4 UUID (the API checks the shape of ids).
    await seed.query(`CREATE FUNCTION pg_temp.id_of(text) RETURNS uuid LANGUAGE sql IMMUTABLE
      AS $$ SELECT (substr(h, 1, 12) || '4' || substr(h, 14, 3) || '8' || substr(h, 18, 15))::uuid FROM md5($1) AS h $$`)
    await seed.query(
      `INSERT INTO coordinators (municipality_id, coordinator_id, external_ref, display_name)
       SELECT m.id, pg_temp.id_of(m.id::text || ':c:' || c), 'K' || lpad(c::text, 3, '0'), 'Koordinator ' || c
         FROM unnest($1::uuid[]) WITH ORDINALITY AS m(id, n), generate_series(0, ${COORDINATORS - 1}) AS c
        ORDER BY c, m.n`,
      ids,
    )
    // One family in ten has ended; families started over a fortnight ~2 years ago, interleaved
    // across municipalities as they would have been registered.
    await seed.query(
      `INSERT INTO families (municipality_id, family_id, external_ref, coordinator_id, started_on, ended_on, ending, created_at)
       SELECT m.id, pg_temp.id_of(m.id::text || ':f:' || f), 'F' || lpad(f::text, 5, '0'),
              pg_temp.id_of(m.id::text || ':c:' || (f % ${COORDINATORS})),
              current_date - 745 + (f % 15),
              CASE WHEN f % 10 = 9 THEN current_date - 10 END,
              CASE WHEN f % 10 = 9 THEN 'planned' END,
              (current_date - 745 + (f % 15))::timestamptz + make_interval(mins => f * 3 + m.n::int)
         FROM unnest($1::uuid[]) WITH ORDINALITY AS m(id, n), generate_series(0, ${FAMILIES - 1}) AS f
        ORDER BY f % 15, f, m.n`,
      ids,
    )
    // An adult born around 1985 and a child born about nine years ago (CORS/CSRS age throughout).
    await seed.query(
      `INSERT INTO members (municipality_id, member_id, family_id, alias, role, birth_date)
       SELECT m.id, pg_temp.id_of(m.id::text || ':m:' || f || ':' || k), pg_temp.id_of(m.id::text || ':f:' || f),
              CASE k WHEN 0 THEN 'Voksen' ELSE 'Barn' END,
              CASE k WHEN 0 THEN 'adult' ELSE 'child' END,
              CASE k WHEN 0 THEN date '1985-01-01' + (f * 7) % 365 ELSE current_date - 3285 - (f * 11) % 200 END
         FROM unnest($1::uuid[]) WITH ORDINALITY AS m(id, n), generate_series(0, ${FAMILIES - 1}) AS f, generate_series(0, 1) AS k
        ORDER BY f % 15, f, m.n, k`,
      ids,
    )
    // A conversation every ~two months over the last two years, logged in the order they were held.
    await seed.query(
      `INSERT INTO sessions (municipality_id, session_id, family_id, held_on, kind, note, created_at)
       SELECT m.id, pg_temp.id_of(m.id::text || ':s:' || f || ':' || s), pg_temp.id_of(m.id::text || ':f:' || f),
              current_date - 730 + s * 60 + (f % 30), 'home-visit', NULL,
              (current_date - 730 + s * 60 + (f % 30))::timestamptz + make_interval(hours => 9 + f % 8, secs => m.n::int)
         FROM unnest($1::uuid[]) WITH ORDINALITY AS m(id, n), generate_series(0, ${FAMILIES - 1}) AS f, generate_series(0, ${SESSIONS_PER_FAMILY - 1}) AS s
        ORDER BY 4, f, m.n`,
      ids,
    )
    // Four ratings a conversation: adult ORS + SRS, child CORS + CSRS, self-rated totals in tenths.
    await seed.query(
      `INSERT INTO ratings (municipality_id, family_id, session_id, member_id, instrument_code, rater, rater_member_id, items, total, override_reason, created_at)
       SELECT m.id, pg_temp.id_of(m.id::text || ':f:' || f), pg_temp.id_of(m.id::text || ':s:' || f || ':' || s),
              pg_temp.id_of(m.id::text || ':m:' || f || ':' || (k / 2)),
              (ARRAY['ORS', 'SRS', 'CORS', 'CSRS'])[k + 1], 'self', NULL, NULL,
              CASE WHEN k % 2 = 0 THEN 120 + (f * 37 + s * 53 + k * 11) % 230 ELSE 280 + (f * 13 + s * 7 + k) % 121 END,
              NULL,
              (current_date - 730 + s * 60 + (f % 30))::timestamptz + make_interval(hours => 9 + f % 8, secs => m.n::int, mins => k)
         FROM unnest($1::uuid[]) WITH ORDINALITY AS m(id, n), generate_series(0, ${FAMILIES - 1}) AS f,
              generate_series(0, ${SESSIONS_PER_FAMILY - 1}) AS s, generate_series(0, 3) AS k
        ORDER BY current_date - 730 + s * 60 + (f % 30), f, m.n, k`,
      ids,
    )
    // A sample as large as the tables, so the statistics (and with them the plans) are the same on every run.
    await seed.query('SET default_statistics_target = 1000')
    await seed.query(`VACUUM (ANALYZE) ${[...TENANT_TABLES, 'coordinators', 'municipalities', 'audit_events', 'idempotency_keys'].join(', ')}`)
    await seed.query('RESET default_statistics_target')
    await seed.query('DROP FUNCTION pg_temp.id_of(text)')
    const counts = (
      await seed.query(
        `SELECT (SELECT count(*) FROM families) AS families, (SELECT count(*) FROM members) AS members, (SELECT count(*) FROM sessions) AS sessions, (SELECT count(*) FROM ratings) AS ratings`,
      )
    ).rows[0]
    const n = municipalityIds.length
    t.same(
      counts,
      { families: n * FAMILIES, members: n * FAMILIES * 2, sessions: n * FAMILIES * SESSIONS_PER_FAMILY, ratings: n * FAMILIES * SESSIONS_PER_FAMILY * 4 },
      'seeded the municipalities',
    )
  } finally {
    seed.release()
  }
  lap('seed', since)

  // The family and coordinator every request below works on: an active family of the default municipality.
  const mid = tapp.municipality.municipalityId
  const family = (
    await tapp.pool.query(
      `SELECT f.family_id, f.coordinator_id, f.external_ref,
              (SELECT member_id FROM members WHERE municipality_id = f.municipality_id AND family_id = f.family_id AND role = 'adult') AS adult,
              (SELECT member_id FROM members WHERE municipality_id = f.municipality_id AND family_id = f.family_id AND role = 'child') AS child,
              (SELECT birth_date FROM members WHERE municipality_id = f.municipality_id AND family_id = f.family_id AND role = 'child') AS child_birth,
              (SELECT session_id FROM sessions WHERE municipality_id = f.municipality_id AND family_id = f.family_id ORDER BY held_on DESC LIMIT 1) AS session
         FROM families f WHERE f.municipality_id = $1 AND f.external_ref = 'F00007'`,
      [mid],
    )
  ).rows[0] as { family_id: string; coordinator_id: string; external_ref: string; adult: string; child: string; child_birth: string; session: string }
  t.ok(family?.adult && family.child && family.session, 'the family to drive the requests with')

  // --- Capture every statement the app sends ------------------------------------------------------
  const captured: Captured[] = []
  let current: string | null = null
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown }
  const original = proto.query
  proto.query = function (this: unknown, ...args: unknown[]) {
    if (current !== null) {
      const [config, values] = args
      const text = typeof config === 'string' ? config : (config as { text?: string } | null)?.text
      const params = Array.isArray(values) ? values : ((config as { values?: unknown[] } | null)?.values ?? [])
      // A transaction's `begin` may travel with its first statement (service/db/kysely.ts): the
      // statement after it is what is explained.
      if (typeof text === 'string') captured.push({ text: text.replace(/^begin;\s*/i, ''), values: [...params], request: current })
    }
    return original.apply(this, args)
  }
  t.teardown(() => {
    proto.query = original
  })

  const requests: string[] = []
  async function call(method: string, url: string, expected: number, options: { body?: unknown; key?: string } = {}): Promise<LightMyRequestResponse> {
    const label = `${method} ${url}`
    requests.push(label)
    current = label
    let res: LightMyRequestResponse
    try {
      res = await tapp.call(method, url, options)
    } finally {
      current = null
    }
    t.equal(res.statusCode, expected, `${label} answers ${expected}`, { body: res.body.slice(0, 600) })
    return res
  }

  since = Date.now()
  const fid = family.family_id
  const coordinatorId = family.coordinator_id

  // Reads
  const list = await call('GET', '/v1/families?limit=20', 200)
  await call('GET', `/v1/families?limit=20&cursor=${encodeURIComponent(list.json().nextCursor ?? '')}`, 200)
  await call('GET', `/v1/families?coordinatorId=${coordinatorId}`, 200)
  await call('GET', '/v1/families?status=active', 200)
  await call('GET', `/v1/families?coordinatorId=${coordinatorId}&status=active`, 200)
  const byRef = await call('GET', `/v1/families?externalRef=${family.external_ref}`, 200)
  t.equal(byRef.json().items?.[0]?.id, fid, 'externalRef finds the family')
  await call('GET', `/v1/families/${fid}`, 200)
  await call('GET', `/v1/families/${fid}/progress`, 200)
  await call('GET', `/v1/families/${fid}/progress?memberId=${family.child}`, 200)
  const sessionsPage = await call('GET', `/v1/families/${fid}/sessions?limit=5`, 200)
  await call('GET', `/v1/families/${fid}/sessions?limit=5&cursor=${encodeURIComponent(sessionsPage.json().nextCursor ?? '')}`, 200)
  await call('GET', `/v1/sessions/${family.session}`, 200)
  await call('GET', `/v1/caseload?coordinatorId=${coordinatorId}`, 200)
  await call('GET', '/v1/caseload', 200)
  await call('GET', '/v1/reports/outcomes', 200)
  await call('GET', `/v1/reports/outcomes?coordinatorId=${coordinatorId}`, 200)
  await call('GET', '/v1/instruments', 200)
  await call('GET', '/v1/settings', 200)

  // A coordinator's own caseload through an embed token
  const minted = await call('POST', '/v1/embed-tokens', 201, { body: { role: 'coordinator', coordinatorId } })
  const token = minted.json().token as string
  await call('GET', '/v1/caseload', 200, { key: token })
  await call('GET', '/v1/families', 200, { key: token })

  // Writes on the family, in an order its rules allow
  const created = await call('POST', `/v1/families/${fid}/sessions`, 201, {
    body: {
      heldOn: daysAgo(3),
      kind: 'home-visit',
      ratings: [
        { memberId: family.adult, instrument: 'ORS', rater: 'self', total: 25.5 },
        { memberId: family.adult, instrument: 'SRS', rater: 'self', total: 36.2 },
        { memberId: family.child, instrument: 'CORS', rater: 'self', total: 28.4 },
        { memberId: family.child, instrument: 'CSRS', rater: 'self', total: 35 },
      ],
    },
  })
  const session = created.json() as { id: string; ratings: { id: string; memberId: string; instrument: string }[] }
  const ors = session.ratings.find((r) => r.instrument === 'ORS')!
  const srs = session.ratings.find((r) => r.instrument === 'SRS')!
  await call('PATCH', `/v1/sessions/${session.id}`, 200, { body: { heldOn: daysAgo(4), kind: 'office', note: 'Flyttet til kontoret' } })
  await call('PUT', `/v1/sessions/${session.id}/ratings/${ors.id}`, 200, { body: { memberId: family.adult, instrument: 'ORS', rater: 'self', total: 27.1 } })
  await call('DELETE', `/v1/sessions/${session.id}/ratings/${srs.id}`, 204)
  await call('POST', `/v1/sessions/${session.id}/ratings`, 201, { body: { memberId: family.adult, instrument: 'SRS', rater: 'self', total: 37.4 } })
  // A birth date a month later still fits CORS/CSRS at every one of the child's sessions.
  const corrected = new Date(`${family.child_birth}T00:00:00Z`)
  corrected.setUTCDate(corrected.getUTCDate() + 30)
  await call('PATCH', `/v1/families/${fid}/members/${family.child}`, 200, { body: { birthDate: corrected.toISOString().slice(0, 10) } })
  await call('GET', `/v1/families/${fid}/export`, 200)
  await call('GET', `/v1/families/${fid}/access-log`, 200)
  await call('DELETE', `/v1/sessions/${session.id}`, 204)
  await call('PATCH', `/v1/families/${fid}`, 200, { body: { endedOn: daysAgo(1), ending: 'planned' } })
  await call('DELETE', `/v1/families/${fid}`, 204)
  await call('GET', `/v1/families/${fid}`, 404)
  lap('requests', since)

  // The capture sees the app's own pool, request by request.
  t.ok(captured.length > 0, `captured ${captured.length} statements`)
  t.ok(
    captured.some((c) => /from "families"/i.test(c.text)),
    'captured the families queries of the app',
  )
  for (const label of requests) {
    t.ok(
      captured.some((c) => c.request === label && isChecked(c.text)),
      `${label} sent data statements that were captured`,
    )
  }

  // --- Explain each distinct statement as the app runs it -----------------------------------------
  since = Date.now()
  const byText = new Map<string, { requests: string[]; variants: Map<string, unknown[]> }>()
  for (const c of captured) {
    if (!isChecked(c.text)) continue
    let entry = byText.get(c.text)
    if (!entry) byText.set(c.text, (entry = { requests: [], variants: new Map() }))
    if (!entry.requests.includes(c.request)) entry.requests.push(c.request)
    entry.variants.set(JSON.stringify(c.values), c.values)
  }

  const explain = new pg.Client({ connectionString: tapp.connectionString })
  await explain.connect()
  let withSeqScan = 0
  let withOtherIssue = 0
  let variantsExplained = 0
  const report: string[] = []
  const otherSeqScans = new Set<string>()
  const municipalityOnly = new Set<string>()
  try {
    // Which column leads each index of the tenant tables (as migrated now).
    const indexRows = (
      await explain.query(
        `SELECT ic.relname AS index, tc.relname AS "table", a.attname AS first
           FROM pg_index i
           JOIN pg_class ic ON ic.oid = i.indexrelid
           JOIN pg_class tc ON tc.oid = i.indrelid
           LEFT JOIN pg_attribute a ON a.attrelid = tc.oid AND a.attnum = i.indkey[0]
          WHERE tc.relnamespace = 'public'::regnamespace AND tc.relname = ANY($1)`,
        [TENANT_TABLES],
      )
    ).rows as { index: string; table: string; first: string | null }[]
    const indexes = new Map(indexRows.map((r) => [r.index, r]))

    for (const [text, entry] of byText) {
      const seqScans = new Set<string>()
      const otherIssues = new Set<string>()
      const plans: string[] = []
      let error: string | null = null
      for (const values of entry.variants.values()) {
        variantsExplained++
        try {
          await explain.query('BEGIN')
          await explain.query(`SELECT set_config('framgang.municipality_id', $1, true), set_config('role', 'framgang_app', true)`, [mid])
          const res = await explain.query(`EXPLAIN (FORMAT JSON) ${text}`, values)
          const raw = res.rows[0]['QUERY PLAN']
          const plan = (typeof raw === 'string' ? JSON.parse(raw) : raw)[0].Plan as PlanNode
          const summary = summarize(plan)
          if (!plans.includes(summary)) plans.push(summary)
          for (const node of nodesOf(plan)) {
            const relation = node['Relation Name']
            if (node['Node Type'] === 'Seq Scan' && relation) {
              if (TENANT_TABLES.includes(relation)) seqScans.add(relation)
              else otherSeqScans.add(`${relation} (${entry.requests[0]})`)
            }
            // Not asserted, listed: a tenant table read through the municipality prefix alone while
            // the rest of the predicate is tested row by row on the heap.
            const cond = node['Index Cond'] ?? node['Recheck Cond']
            const filter = (node.Filter ?? '')
              .replace(/\(?NOT synthetic\)?/g, '')
              .replace(TENANT_CONDITION, '')
              .replace(/[()\s]|AND/g, '')
            if (relation && TENANT_TABLES.includes(relation) && cond && TENANT_CONDITION_ONLY.test(cond) && filter) {
              municipalityOnly.add(`${relation} (${entry.requests[0]}): ${clip(text.replace(/\s+/g, ' '), 110)}`)
            }
            const index = node['Index Name'] ? indexes.get(node['Index Name']) : undefined
            if (index && /Index/.test(node['Node Type'])) {
              if (index.first !== 'municipality_id') otherIssues.add(`${index.table} through ${index.index}, which is not led by municipality_id`)
              else if (!/\bmunicipality_id\b/.test(node['Index Cond'] ?? ''))
                otherIssues.add(`${index.table} through ${index.index} without a condition on municipality_id (every municipality's rows)`)
            }
          }
        } catch (err) {
          error = (err as Error).message
        } finally {
          await explain.query('ROLLBACK')
        }
      }
      const name = `${entry.requests[0]}: ${clip(text.replace(/\s+/g, ' '), 120)}`
      const problems = [...[...seqScans].map((r) => `Seq Scan on ${r}`), ...otherIssues, ...(error ? [`EXPLAIN failed: ${error}`] : [])]
      if (seqScans.size) withSeqScan++
      else if (problems.length) withOtherIssue++
      if (process.env.QUERY_PLANS_VERBOSE) process.stderr.write(`\n# ${entry.requests.join(' | ')}\n${text}\n${plans.join('\n--\n')}\n`)
      if (problems.length) {
        report.push(
          `- ${problems.join('; ')}\n  requests: ${entry.requests.join(' | ')}\n  sql: ${text}\n${plans.map((p) => p.replace(/^/gm, '    ')).join('\n    --\n')}`,
        )
      }
      t.ok(problems.length === 0, name, {
        found: problems.length ? problems.join('; ') : undefined,
        seqScans: [...seqScans],
        requests: entry.requests,
        sql: text,
        plan: plans.join('\n--\n'),
      })
    }
  } finally {
    await explain.end()
  }
  lap('explain', since)

  process.stderr.write(
    [
      '',
      `query plans: ${byText.size} distinct statements checked (${variantsExplained} parameter sets explained) from ${requests.length} requests`,
      `query plans: ${withSeqScan} with a Seq Scan of ${TENANT_TABLES.join('/')}, ${withOtherIssue} more with another problem`,
      ...(report.length ? ['query plans: offending statements:', ...report] : []),
      ...(municipalityOnly.size
        ? ['query plans: (not asserted) narrowed by the municipality alone, the rest filtered row by row:', ...[...municipalityOnly].map((m) => `  ${m}`)]
        : []),
      ...(otherSeqScans.size ? [`query plans: (not checked) Seq Scans of other tables: ${[...otherSeqScans].join(', ')}`] : []),
      `query plans: seed ${timings.seed} ms, requests ${timings.requests} ms, explain ${timings.explain} ms, total ${Date.now() - started} ms`,
      '',
    ].join('\n'),
  )
})
