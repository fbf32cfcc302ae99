import t from 'tap'
import { buildApp } from '../../service/app.js'
import { createMunicipality } from '../../service/cli/municipalities.js'
import { seedDemo } from '../../service/cli/demo-data.js'
import { loadConfig } from '../../service/config.js'
import { createDb } from '../../service/db/kysely.js'
import { pg } from '../../service/db/pg-types.js'
import { buildWidget } from '../browser/helpers.js'
import { NO_LOAD_SHEDDING } from '../helpers/app.js'
import { freshDatabase } from '../helpers/database.js'

t.test('the widget bundle, the demo page and the demo tokens', async (t) => {
  const [widgetDir, database] = await Promise.all([buildWidget(), freshDatabase()])
  const pool = new pg.Pool({ connectionString: database.connectionString, max: 2 })
  pool.on('error', () => {})
  const db = createDb(pool)
  const demo = await createMunicipality(db, { name: 'Demo' })
  await seedDemo(db, demo.municipalityId)
  const config = loadConfig({ DATA_DIR: `/tmp/framgang-test-${process.pid}`, ...NO_LOAD_SHEDDING })
  const app = await buildApp({ config, connectionString: database.connectionString, logger: false, widgetDir, demoMunicipalityId: demo.municipalityId })
  const plain = await buildApp({ config, connectionString: database.connectionString, logger: false, widgetDir })
  t.teardown(async () => {
    await app.close()
    await plain.close()
    await pool.end()
    await database.close()
  })

  for (const file of ['framgang.js', 'framgang.iife.js']) {
    const r = await app.inject({ url: `/widget/${file}`, headers: { origin: 'https://any.host.example' } })
    t.equal(r.statusCode, 200, file)
    t.match(r.headers['content-type'], /javascript/)
    t.equal(r.headers['access-control-allow-origin'], '*', 'any host page may load it')
    t.equal(r.headers['cross-origin-resource-policy'], 'cross-origin')
    t.match(r.headers['cache-control'], /max-age=\d+/)
    t.ok(r.headers.etag, 'an ETag')
    t.ok(r.body.length > 10_000)
    const again = await app.inject({ url: `/widget/${file}`, headers: { 'if-none-match': r.headers.etag as string } })
    t.equal(again.statusCode, 304, 'revalidation answers 304')
  }
  t.equal((await app.inject({ url: '/widget/../package.json' })).statusCode, 404)
  t.equal((await app.inject({ url: '/widget/vite.config.ts' })).statusCode, 404)

  const root = await app.inject({ url: '/' })
  t.equal(root.statusCode, 302)
  t.equal(root.headers.location, '/demo/index.html')
  const page = await app.inject({ url: '/demo/index.html' })
  t.equal(page.statusCode, 200)
  t.match(page.headers['content-security-policy'], /script-src 'self'/)
  t.notMatch(page.headers['content-security-policy'], /unsafe-eval|unsafe-inline/, 'the demo runs under a strict CSP')

  const token = await app.inject({ url: '/demo/token?role=family' })
  t.equal(token.statusCode, 200)
  t.equal(token.headers['cache-control'], 'no-store')
  const progress = await app.inject({ url: `/v1/families/${token.json().familyId}/progress`, headers: { authorization: `Bearer ${token.json().token}` } })
  t.equal(progress.json().view, 'family', 'the demo family token reads the family view')
  t.equal((await plain.inject({ url: '/demo/token?role=coordinator' })).statusCode, 404, 'no demo tokens without the demo')
})
