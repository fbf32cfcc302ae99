import t from 'tap'
import type { Page } from 'playwright-core'
import type { CaseloadItem } from '../../service/contracts/caseload.js'
import { caseload } from '../widget/fixtures.js'
import { hostPage, json, runAxe, settle, setup, shot, watchConsole } from './helpers.js'

const { server, browser } = await setup(t)

server.setPage('/caseload.html', hostPage({ body: '<framgang-caseload id="c"></framgang-caseload>' }))

async function open(options: { lang?: string; width?: number } = {}): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.context.newPage()
  const log = watchConsole(page)
  await page.setViewportSize({ width: options.width ?? 360, height: 800 })
  await page.goto(`${server.origin}/caseload.html`)
  await page.waitForFunction(() => customElements.get('framgang-caseload'))
  if (options.lang) await page.evaluate((lang) => document.getElementById('c')!.setAttribute('lang', lang), options.lang)
  return { page, errors: log.errors }
}

const rows = (page: Page) =>
  page.evaluate(() =>
    [...document.getElementById('c')!.shadowRoot!.querySelectorAll('[part="item"]')].map((b) => ({
      id: b.getAttribute('data-family-id'),
      text: b.textContent!.replace(/\s+/g, ' ').trim(),
      icon: b.querySelector('[part="severity"] svg') !== null,
    })),
  )

t.test('families in the order given, severity as icon and words, choosing one emits an event', async (t) => {
  const { page, errors } = await open({ lang: 'nb' })
  await page.evaluate((data) => ((document.getElementById('c') as any).data = data), caseload)
  await page.locator('#c >> [part="item"]').first().waitFor()
  const list = await rows(page)
  t.same(
    list.map((r) => r.id),
    caseload.items.map((i) => i.familyId),
    'most urgent first, as the service ordered them',
  )
  t.ok(
    list.every((r) => r.icon),
    'every row has a severity icon',
  )
  t.match(
    list[0].text,
    /^NAV-2026-0142 Haster Siste samtale 21\. okt\. 2026 · 6 samtaler CORS: Reell forverring siden første samtale · SRS: Følg opp|CORS: Reell forverring/,
  )
  t.match(list[0].text, /\+2 til$/, 'more flags are counted, not hidden')
  t.match(list[1].text, /Følg opp/)
  t.match(list[2].text, /Merk Ingen samtaler ennå Lenge siden siste samtale/)
  t.match(list[4].text, /Ingen flagg/)
  const detail = await page.evaluate(async () => {
    const got = new Promise<{ detail: unknown; bubbles: boolean; composed: boolean }>((resolve) =>
      document.addEventListener('framgang-family-selected', (e) => resolve({ detail: (e as CustomEvent).detail, bubbles: e.bubbles, composed: e.composed }), {
        once: true,
      }),
    )
    ;(document.getElementById('c')!.shadowRoot!.querySelectorAll('[part="item"]')[1] as HTMLElement).click()
    return got
  })
  t.same(detail, { detail: { familyId: caseload.items[1].familyId }, bubbles: true, composed: true })
  t.equal(await page.locator('#c >> [part="item"]').nth(1).getAttribute('aria-current'), 'true')
  // Keyboard: Tab to the third family, Enter chooses it.
  await page.locator('#c >> [part="item"]').nth(2).focus()
  await page.evaluate(() => document.addEventListener('framgang-family-selected', (e) => ((window as any).chosen = (e as CustomEvent).detail), { once: true }))
  await page.keyboard.press('Enter')
  const viaKeyboard = await page.waitForFunction(() => (window as any).chosen)
  t.same(await viaKeyboard.jsonValue(), { familyId: caseload.items[2].familyId })
  t.same(await runAxe(page), [])
  t.same(errors, [])
  await page.close()
})

t.test('fetched with the token, page by page', async (t) => {
  const requests: { url: string; auth: string }[] = []
  const many: CaseloadItem[] = Array.from({ length: 3 }, (_, i) => ({
    ...caseload.items[4],
    familyId: `aaaaaaaa-0000-4000-8000-00000000000${i}`,
    externalRef: `NAV-EXTRA-${i}`,
  }))
  server.setApi((req, res) => {
    if (!req.url?.startsWith('/v1/caseload')) return false
    requests.push({ url: req.url, auth: String(req.headers.authorization) })
    const url = new URL(req.url, 'http://x')
    return url.searchParams.get('cursor') === 'page-2'
      ? json(res, 200, { items: many, nextCursor: null })
      : json(res, 200, { items: caseload.items, nextCursor: 'page-2' })
  })
  const { page, errors } = await open({ lang: 'en' })
  await page.evaluate(() => ((document.getElementById('c') as any).token = 'coord-token'))
  await page.locator('#c >> [part="more"]').click()
  await page.waitForFunction(() => document.getElementById('c')!.shadowRoot!.querySelectorAll('[part="item"]').length === 8)
  t.same(requests, [
    { url: '/v1/caseload?limit=50', auth: 'Bearer coord-token' },
    { url: '/v1/caseload?limit=50&cursor=page-2', auth: 'Bearer coord-token' },
  ])
  t.equal(await page.locator('#c >> [part="more"]').count(), 0, 'no more pages, no button')
  await page.evaluate(() => (document.getElementById('c') as any).refresh())
  t.equal(requests.length, 3, 'refresh() fetches the first page again')
  t.equal(await page.locator('#c >> [part="item"]').count(), 5)
  t.same(errors, [])
  server.setApi(null)
  await page.close()
})

t.test('401: framgang-token-expired, then the list loads with the fresh token', async (t) => {
  const auths: string[] = []
  server.setApi((req, res) => {
    if (!req.url?.startsWith('/v1/caseload')) return false
    auths.push(String(req.headers.authorization))
    if (req.headers.authorization !== 'Bearer new') {
      return json(res, 401, { type: '/problems/unauthorized', title: 'Unauthorized', status: 401, detail: 'expired', instance: '/v1/caseload' })
    }
    return json(res, 200, caseload)
  })
  const { page, errors } = await open({ lang: 'nn' })
  await page.evaluate(() => {
    const el = document.getElementById('c') as HTMLElement & { token: string }
    el.addEventListener('framgang-token-expired', () => (el.token = 'new'))
    el.token = 'old'
  })
  await page.locator('#c >> [part="item"]').first().waitFor()
  t.same(auths, ['Bearer old', 'Bearer new'])
  t.same(errors, [])
  server.setApi(null)
  await page.close()
})

t.test('an error is shown with a retry button', async (t) => {
  let fail = true
  server.setApi((req, res) => {
    if (!req.url?.startsWith('/v1/caseload')) return false
    if (fail) return json(res, 503, { type: '/problems/unavailable', title: 'Unavailable', status: 503, detail: 'database down', instance: '/v1/caseload' })
    return json(res, 200, caseload)
  })
  const { page } = await open({ lang: 'nb' })
  await page.evaluate(() => ((document.getElementById('c') as any).token = 't'))
  const alert = page.locator('#c >> [role="alert"]')
  await alert.waitFor()
  t.match(await alert.textContent(), /Noe gikk galt\./)
  t.same(await runAxe(page), [])
  fail = false
  await alert.locator('button').click()
  await page.locator('#c >> [part="item"]').first().waitFor()
  server.setApi(null)
  await page.close()
})

t.test('each language renders; screenshots', async (t) => {
  const expect: Record<string, RegExp> = {
    nb: /Familiene mine.*Haster.*Siste samtale.*Følg opp.*Ingen samtaler ennå.*Ingen flagg/,
    nn: /Familiane mine.*Hastar.*Siste samtale.*Følg opp.*Ingen samtalar enno.*Ingen flagg/,
    en: /My families.*Urgent.*Last session.*Follow up.*No sessions yet.*No flags/,
  }
  for (const lang of ['nb', 'nn', 'en']) {
    for (const width of [360, 900]) {
      const { page, errors } = await open({ lang, width })
      await page.evaluate((data) => ((document.getElementById('c') as any).data = data), caseload)
      await page.locator('#c >> [part="item"]').first().waitFor()
      const text = await page.evaluate(() => document.getElementById('c')!.shadowRoot!.textContent!.replace(/\s+/g, ' '))
      t.match(text, expect[lang], `${lang} ${width}`)
      await page.locator('#c >> [part="item"]').nth(1).click()
      await settle(page)
      await shot(page, `caseload-${lang}-${width === 360 ? 'phone' : 'desktop'}`)
      t.same(errors, [])
      await page.close()
    }
  }
})

t.test('the classic-script build works, and loading both builds (twice) does no harm', async (t) => {
  server.setPage(
    '/classic.html',
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Classic host</title>
<script src="/widget/framgang.iife.js"></script>
<script src="/widget/framgang.iife.js"></script>
<script type="module" src="/widget/framgang.js"></script>
</head><body><main><h1>Classic host</h1><framgang-caseload id="c"></framgang-caseload></main></body></html>`,
  )
  const page = await browser.context.newPage()
  const log = watchConsole(page)
  await page.goto(`${server.origin}/classic.html`)
  await page.waitForFunction(
    () => customElements.get('framgang-caseload') && customElements.get('framgang-progress') && customElements.get('framgang-session-form'),
  )
  t.equal(await page.evaluate(() => typeof (window as any).Framgang?.FramgangCaseload), 'function', 'the classic build exposes window.Framgang')
  await page.evaluate((data) => ((document.getElementById('c') as any).data = data), caseload)
  await page.locator('#c >> [part="item"]').first().waitFor()
  await page.waitForTimeout(200)
  t.same(log.errors, [])
  await page.close()
})
