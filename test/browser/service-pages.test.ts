import t from 'tap'
import { buildApp } from '../../service/app.js'
import { seedDemo } from '../../service/cli/demo-data.js'
import { testApp } from '../helpers/app.js'
import { buildWidget, launchBrowser, settle, watchConsole } from './helpers.js'

/**
 * The pages the service serves itself, under the CSPs it sends with them (not the test server's):
 * the docs UI at /docs and the demo at /, live against the service with demo tokens. Each must
 * render with no CSP violation and no console error.
 */

const [ctx, widgetDir, browser] = await Promise.all([testApp(t), buildWidget(), launchBrowser()])
await seedDemo(ctx.db, ctx.municipality.municipalityId)
const app = await buildApp({
  config: ctx.config,
  connectionString: ctx.connectionString,
  logger: false,
  widgetDir,
  demoMunicipalityId: ctx.municipality.municipalityId,
})
const origin = await app.listen({ host: '127.0.0.1', port: 0 })
t.teardown(async () => {
  await browser.close()
  await app.close()
})

t.test('the docs UI renders under its own CSP', async (t) => {
  const page = await browser.context.newPage()
  const log = watchConsole(page)
  const res = await page.goto(`${origin}/docs`)
  t.match(res?.headers()['content-security-policy'], /style-src 'self' 'unsafe-inline'/, 'the docs policy is the one in force')
  await page.locator('.swagger-ui .info .title').waitFor()
  t.match(await page.locator('.swagger-ui .info .title').textContent(), /Framgang API/, 'the API description is shown')
  await page.locator('.opblock-tag').first().waitFor()
  t.ok((await page.locator('.opblock-tag').count()) > 5, 'with the routes grouped by tag')
  await settle(page)
  t.same(log.errors, [], 'no CSP violation, no console error')
  await page.close()
})

t.test('the demo renders live under its own CSP', async (t) => {
  const page = await browser.context.newPage()
  const log = watchConsole(page)
  const res = await page.goto(`${origin}/`)
  t.notMatch(res?.headers()['content-security-policy'], /unsafe-inline|unsafe-eval/, 'the demo policy is the strict one')
  await page.locator('#caseload >> [part="item"]').first().waitFor()
  await page.locator('#coordinator-progress >> canvas').first().waitFor()
  await settle(page)
  t.notMatch(await page.locator('#source').textContent(), /Eksempeldata/, 'live data from the service, not the sample')
  t.same(log.errors, [], 'no CSP violation, no console error')
  await page.close()
})
