import t from 'tap'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { seedDemo } from '../../service/cli/demo-data.js'
import { testApp } from '../helpers/app.js'

const run = promisify(execFile)

/** The admin CLI as an operator runs it, against the test's database. */
async function admin(connectionString: string, ...args: string[]) {
  return run(process.execPath, ['--import', 'tsx', 'service/cli/admin.ts', ...args], { env: { ...process.env, DATABASE_URL: connectionString } })
}

// `rebuild-state` and `recompute-bands` in the admin CLI: one municipality or every one, the
// stored state rebuilt from the rules with progress on stderr, an unknown municipality refused.
t.test('the admin commands rebuild the stored state of one or every municipality', async (t) => {
  const app = await testApp(t)
  const other = await app.newMunicipality()
  const demo = await seedDemo(app.db, app.municipality.municipalityId)

  const one = await admin(app.connectionString, 'rebuild-state', '--municipality', app.municipality.municipalityId)
  const counts = JSON.parse(one.stdout)
  t.equal(counts.municipalities, 1)
  t.equal(counts.families, demo.families, 'every demo family rebuilt')
  t.ok(counts.series > 0)
  t.match(one.stderr, /rebuilding the stored state/, 'progress on stderr')

  const all = JSON.parse((await admin(app.connectionString, 'rebuild-state')).stdout)
  t.ok(all.municipalities >= 2, 'every municipality')
  t.equal(all.byMunicipality.find((m: { municipalityId: string }) => m.municipalityId === other.municipalityId)?.families, 0, 'one without families has none')

  await t.rejects(admin(app.connectionString, 'rebuild-state', '--municipality', '00000000-0000-4000-8000-000000000000'), /No municipality/)

  const bands = JSON.parse((await admin(app.connectionString, 'recompute-bands', '--municipality', app.municipality.municipalityId)).stdout)
  t.equal(bands.municipalities, 1)
  const caseload = await app.call('GET', '/v1/caseload?limit=200')
  t.equal(caseload.json().items.length, 8, 'the caseload still shows the eight active demo families')
})
