import { readFile, rename, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { asApp, type Db } from '../db/kysely.js'
import { apiClientByKeyHash, hashApiKey } from '../repositories/api-clients.js'
import { municipalityExists } from '../repositories/municipalities.js'
import { createMunicipality } from './municipalities.js'
import { seedDemo, type DemoCounts } from './demo-data.js'

export interface Demo {
  municipalityId: string
  apiKey: string
  created: boolean
  counts: DemoCounts | null
}

const DEMO_FILE = 'demo.json'

/**
 * The demo municipality of the embedded default: created and seeded on first start, its API key
 * kept in DATA_DIR so every start prints the same key.
 */
export async function ensureDemo(db: Db, dataDir: string): Promise<Demo> {
  const file = path.join(dataDir, DEMO_FILE)
  const saved = await readFile(file, 'utf8')
    .then((t) => JSON.parse(t) as { municipalityId: string; apiKey: string })
    .catch(() => null)
  if (saved && (await municipalityExists(db, saved.municipalityId)) && (await keyWorks(db, saved.apiKey))) {
    return { ...saved, created: false, counts: null }
  }
  const m = await createMunicipality(db, { name: 'Demo kommune', origins: [] })
  const counts = await seedDemo(db, m.municipalityId)
  const tmp = `${file}.${process.pid}.tmp`
  await writeFile(tmp, JSON.stringify({ municipalityId: m.municipalityId, apiKey: m.apiKey }, null, 2), { mode: 0o600 })
  await rename(tmp, file)
  return { municipalityId: m.municipalityId, apiKey: m.apiKey, created: true, counts }
}

async function keyWorks(db: Db, apiKey: string): Promise<boolean> {
  return asApp(db, async (trx) => (await apiClientByKeyHash(trx, hashApiKey(apiKey))) !== null)
}
