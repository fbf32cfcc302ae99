import { parseArgs } from 'node:util'
import { loadConfig } from '../config.js'
import { migrateDatabase, openDatabase, withPool } from '../db/connect.js'
import { ORIGIN_PATTERN, UUID_PATTERN } from '../contracts/common.js'
import { asAdminInMunicipality, inMunicipality, type Db } from '../db/kysely.js'
import { rebuildReferenceSeries } from '../expected-bands/reference-series.js'
import { addOrigin } from '../repositories/allowed-origins.js'
import { createApiClient, revokeApiClient } from '../repositories/api-clients.js'
import { allMunicipalities, municipalityExists } from '../repositories/municipalities.js'
import { rebuildMunicipalityState } from '../state/stored-state.js'
import { seedDemo } from './demo-data.js'
import { createMunicipality } from './municipalities.js'

/**
 * The admin CLI: `npm run admin -- <command> [options]`. Each command prints exactly one JSON
 * object on stdout; logs and progress go to stderr; failures exit non-zero with one line.
 */

const USAGE = `Usage: npm run admin -- <command> [options]
  create-municipality --name N [--origin URL]... [--time-zone TZ]
  create-api-key --municipality ID [--name N]
  revoke-api-key --api-client ID
  add-origin --municipality ID --origin URL
  seed-demo --municipality ID
  recompute-bands [--municipality ID]
  rebuild-state [--municipality ID]
  migrate`

class UsageError extends Error {}

const log = (msg: string) => process.stderr.write(`${msg}\n`)

function required(values: Record<string, unknown>, name: string): string {
  const v = values[name]
  if (typeof v !== 'string' || v.length === 0) throw new UsageError(`--${name} is required`)
  return v
}

async function requireMunicipality(db: Db, id: string): Promise<void> {
  if (!UUID_PATTERN.test(id) || !(await municipalityExists(db, id))) throw new Error(`No municipality ${id}`)
}

type Command = (db: Db, values: Record<string, string | string[] | boolean | undefined>) => Promise<object>

/** `--municipality ID` (which must exist), or every municipality, oldest first. */
async function municipalitiesOf(db: Db, v: Record<string, unknown>): Promise<string[]> {
  const only = v.municipality as string | undefined
  if (only) {
    await requireMunicipality(db, only)
    return [only]
  }
  return (await allMunicipalities(db)).map((m) => m.municipalityId)
}

export const commands: Record<string, Command> = {
  'create-municipality': async (db, v) =>
    createMunicipality(db, { name: required(v, 'name'), origins: (v.origin as string[] | undefined) ?? [], timeZone: v['time-zone'] as string | undefined }),

  'create-api-key': async (db, v) => {
    const municipalityId = required(v, 'municipality')
    await requireMunicipality(db, municipalityId)
    const client = await asAdminInMunicipality(db, municipalityId, (trx) =>
      createApiClient(trx, municipalityId, (v.name as string | undefined) ?? 'API client (created by admin)'),
    )
    return { apiClientId: client.id, apiKey: client.apiKey }
  },

  'revoke-api-key': async (db, v) => {
    const apiClientId = required(v, 'api-client')
    if (!UUID_PATTERN.test(apiClientId)) throw new Error(`No API client ${apiClientId}`)
    // api_clients is readable by its owner without a municipality (see 001_foundation.sql).
    if (!(await revokeApiClient(db, apiClientId))) throw new Error(`No active API client ${apiClientId}`)
    return { apiClientId, revoked: true }
  },

  'add-origin': async (db, v) => {
    const municipalityId = required(v, 'municipality')
    const origin = required(v, 'origin').toLowerCase()
    if (!ORIGIN_PATTERN.test(origin)) throw new Error(`Not an origin (scheme://host[:port], no path): ${origin}`)
    await requireMunicipality(db, municipalityId)
    return asAdminInMunicipality(db, municipalityId, async (trx) => ({ municipalityId, allowedOrigins: await addOrigin(trx, municipalityId, origin) }))
  },

  'seed-demo': async (db, v) => {
    const municipalityId = required(v, 'municipality')
    await requireMunicipality(db, municipalityId)
    log(`seeding demo families into ${municipalityId}…`)
    return { municipalityId, ...(await seedDemo(db, municipalityId)) }
  },

  'recompute-bands': async (db, v) => {
    const ids = await municipalitiesOf(db, v)
    const municipalities = []
    for (const [i, id] of ids.entries()) {
      log(`[${i + 1}/${ids.length}] rebuilding expected-band reference series for ${id}`)
      const counts = await inMunicipality(db, id, async (trx) => {
        const bands = await rebuildReferenceSeries(trx, id, (stage, done, total) =>
          log(stage === 'families' ? `  ${done}/${total} families read` : `  ${done}/${total} instruments fitted`),
        )
        log('  rebuilding the stored state under the new bands')
        await rebuildMunicipalityState(trx, id, (done, total) => log(`  ${done}/${total} families' state`))
        return bands
      })
      municipalities.push({ municipalityId: id, ...counts })
    }
    return { municipalities: municipalities.length, series: municipalities.reduce((a, m) => a + m.series, 0), byMunicipality: municipalities }
  },

  'rebuild-state': async (db, v) => {
    const ids = await municipalitiesOf(db, v)
    const municipalities = []
    for (const [i, id] of ids.entries()) {
      log(`[${i + 1}/${ids.length}] rebuilding the stored state of ${id}`)
      municipalities.push({
        municipalityId: id,
        ...(await inMunicipality(db, id, (trx) => rebuildMunicipalityState(trx, id, (done, total) => log(`  ${done}/${total} families`)))),
      })
    }
    return {
      municipalities: municipalities.length,
      families: municipalities.reduce((a, m) => a + m.families, 0),
      series: municipalities.reduce((a, m) => a + m.series, 0),
      byMunicipality: municipalities,
    }
  },

  migrate: async () => ({}), // migrations run before every command; see main()
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv
  if (!command || command === '--help' || command === 'help' || !(command in commands)) {
    process.stderr.write(`${command && command !== '--help' && command !== 'help' ? `Unknown command: ${command}\n` : ''}${USAGE}\n`)
    return command && command !== '--help' && command !== 'help' ? 2 : 0
  }
  const { values } = parseArgs({
    args: rest,
    options: {
      name: { type: 'string' },
      origin: { type: 'string', multiple: true },
      'time-zone': { type: 'string' },
      municipality: { type: 'string' },
      'api-client': { type: 'string' },
    },
    strict: true,
  })
  const config = loadConfig()
  const database = await openDatabase(config)
  try {
    const applied = await migrateDatabase(database.connectionString, log)
    const result = await withPool(database.connectionString, (_pool, db) => commands[command](db, values))
    process.stdout.write(`${JSON.stringify(command === 'migrate' ? { applied } : result)}\n`)
    return 0
  } finally {
    await database.close()
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (err: unknown) => {
    const message = err instanceof Error ? err.message : String(err)
    process.stderr.write(`error: ${message.split('\n')[0]}\n`)
    process.exitCode = err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') ? 2 : 1
  },
)
