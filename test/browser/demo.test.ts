import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { caseload, family, familyView, ids, progress } from '../widget/fixtures.js'
import { json, root, runAxe, settle, setup, shot, watchConsole } from './helpers.js'

const { server, browser } = await setup(t)
// The service will serve widget/demo/index.html at / and the folder at /demo/.
server.setPage('/', await readFile(join(root, 'widget/demo/index.html'), 'utf8'))

t.test('the sample in demo/ is the test fixtures (no drift)', async (t) => {
  const sample = JSON.parse(await readFile(join(root, 'widget/demo/sample.json'), 'utf8'))
  t.same(sample.progress, JSON.parse(JSON.stringify(progress)))
  t.same(sample.caseload, JSON.parse(JSON.stringify(caseload)))
  t.same(sample.family, JSON.parse(JSON.stringify(family(new Date(Date.UTC(2026, 10, 30))))))
})

t.test('without the service: sample data, both roles, three languages, no errors, axe clean', async (t) => {
  server.setApi(null)
  const page = await browser.context.newPage()
  const log = watchConsole(page)
  await page.setViewportSize({ width: 1280, height: 900 })
  await page.goto(`${server.origin}/`)
  await page.locator('#caseload >> [part="item"]').first().waitFor()
  await page.locator('#coordinator-progress >> canvas').first().waitFor()
  await settle(page)
  t.match(await page.locator('#source').textContent(), /Eksempeldata/)
  t.equal(await page.locator('#caseload >> [part="item"]').count(), 5)
  t.same(await runAxe(page), [], 'coordinator, nb')
  await shot(page, 'demo-coordinator-nb-desktop')

  await page.locator('input[name="coordinator-view"][value="alliance"]').check()
  await page.waitForFunction(() => /SRS/.test(document.getElementById('coordinator-progress')!.shadowRoot!.textContent!))
  await page.locator('input[name="coordinator-view"][value="form"]').check()
  await page.locator('#session-form >> #who-' + ids.kari).waitFor()
  t.same(await runAxe(page), [], 'form, nb')

  await page.locator('input[name="lang"][value="nn"]').check()
  await page.waitForFunction(() => /Kven var med\?/.test(document.getElementById('session-form')!.shadowRoot!.textContent!))
  t.equal(await page.evaluate(() => document.documentElement.lang), 'nn')
  t.match(await page.locator('#caseload').evaluate((el) => el.shadowRoot!.textContent), /Familiane mine/)

  await page.locator('input[name="role"][value="family"]').check()
  await page.locator('#family-progress >> canvas').first().waitFor()
  await page.locator('#member').selectOption(ids.emma)
  await page.waitForFunction(() => document.getElementById('family-progress')!.shadowRoot!.querySelectorAll('canvas').length === 1)
  const text = await page.locator('#family-progress').evaluate((el) => el.shadowRoot!.textContent!.replace(/\s+/g, ' '))
  t.match(text, /Slik går det for Emma.*Korleis går det\?/)
  t.notMatch(text, /klinisk|persentil|Hastar/i)
  await page.setViewportSize({ width: 360, height: 800 })
  await settle(page)
  t.same(await runAxe(page), [], 'family, nn')
  await shot(page, 'demo-family-nn-phone')

  await page.locator('input[name="lang"][value="en"]').check()
  await page.locator('input[name="role"][value="coordinator"]').check()
  await page.waitForFunction(() => /Who took part\?/.test(document.getElementById('session-form')!.shadowRoot!.textContent!))
  await settle(page)
  await shot(page, 'demo-coordinator-form-en-phone')
  t.same(log.errors, [])
  await page.close()
})

t.test('with the service: tokens from the demo endpoint, data fetched by the components', async (t) => {
  const seen: string[] = []
  server.setApi((req, res) => {
    const url = new URL(req.url!, 'http://x')
    const auth = String(req.headers.authorization ?? '')
    if (url.pathname === '/demo/token') {
      const role = url.searchParams.get('role')
      return json(res, 200, {
        token: `${role}-token`,
        expiresAt: new Date(Date.now() + 600_000).toISOString(),
        familyId: url.searchParams.get('familyId') ?? undefined,
      })
    }
    seen.push(`${url.pathname} ${auth}`)
    if (url.pathname === '/v1/caseload') return json(res, 200, caseload)
    if (url.pathname === `/v1/families/${ids.family}`) return json(res, 200, family())
    if (url.pathname === `/v1/families/${ids.family}/progress`) {
      return json(res, 200, auth === 'Bearer family-token' ? familyView(progress) : progress)
    }
    return false
  })
  const page = await browser.context.newPage()
  const log = watchConsole(page)
  await page.goto(`${server.origin}/`)
  await page.locator('#coordinator-progress >> canvas').first().waitFor()
  t.match(await page.locator('#source').textContent(), /Demodata fra tjenesten/)
  await page.locator('input[name="role"][value="family"]').check()
  await page.locator('#family-progress >> canvas').first().waitFor()
  await settle(page)
  t.match(await page.locator('#family-progress').evaluate((el) => el.shadowRoot!.textContent), /Slik går det for Emma/)
  t.ok(seen.includes('/v1/caseload Bearer coordinator-token'))
  t.ok(seen.includes(`/v1/families/${ids.family}/progress Bearer coordinator-token`))
  t.ok(seen.includes(`/v1/families/${ids.family} Bearer coordinator-token`))
  t.ok(seen.includes(`/v1/families/${ids.family}/progress Bearer family-token`))
  t.same(log.errors, [])
  server.setApi(null)
  await page.close()
})
