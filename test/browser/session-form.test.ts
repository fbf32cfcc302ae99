import t from 'tap'
import type { Page } from 'playwright-core'
import { family, ids } from '../widget/fixtures.js'
import { hostPage, json, runAxe, settle, setup, shot, watchConsole } from './helpers.js'

const { server, browser } = await setup(t)

const fam = family()
const sessionsPath = `/v1/families/${ids.family}/sessions`
server.setPage('/form.html', hostPage({ body: `<framgang-session-form id="f" family-id="${ids.family}"></framgang-session-form>` }))

interface Post {
  key: string
  auth: string
  body: any
}

/**
 * A fake of the service for the form's own behaviour: the family, and session creation with
 * idempotency (a repeated key gets the stored answer, as docs/api.md says the service does).
 */
function fakeService(options: { answer?: (post: Post, n: number) => 'ok' | 'drop' | { status: number; body: unknown } } = {}) {
  const posts: Post[] = []
  const stored = new Map<string, unknown>()
  let created = 0
  server.setApi((req, res, raw) => {
    if (req.method === 'GET' && req.url === `/v1/families/${ids.family}`) return json(res, 200, fam)
    if (req.method === 'POST' && req.url === sessionsPath) {
      const post: Post = { key: String(req.headers['idempotency-key'] ?? ''), auth: String(req.headers.authorization ?? ''), body: JSON.parse(raw) }
      posts.push(post)
      const answer = options.answer?.(post, posts.length) ?? 'ok'
      if (answer !== 'ok' && answer !== 'drop') return json(res, answer.status, answer.body)
      let session = stored.get(post.key)
      if (!session) {
        created++
        session = {
          id: `5e55${String(created).padStart(4, '0')}-0000-4000-8000-000000000000`,
          familyId: ids.family,
          ...post.body,
          note: post.body.note ?? null,
          ratings: [],
          createdAt: new Date().toISOString(),
        }
        stored.set(post.key, session)
      }
      if (answer === 'drop') {
        // The service stored it, then the connection died before the answer arrived.
        req.socket.destroy()
        return true
      }
      return json(res, 201, session, { Location: `/v1/sessions/x` })
    }
    return false
  })
  return { posts, created: () => created }
}

const domId = (field: string) => `f-${field.replace(/[^a-zA-Z0-9_-]/g, '_')}`
const slider = (member: string, kind: string, i: number) => `#${domId(`${member}.${kind}.item.${i}`)}`

async function open(options: { lang?: string; width?: number; token?: string } = {}): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.context.newPage()
  const log = watchConsole(page)
  await page.setViewportSize({ width: options.width ?? 420, height: 900 })
  // Every test starts with an empty offline queue (before the element reads it); a reload keeps it.
  await page.addInitScript(() => {
    if (location.search === '?fresh') localStorage.clear()
  })
  await page.goto(`${server.origin}/form.html?fresh`)
  await page.waitForFunction(() => customElements.get('framgang-session-form'))

  await page.evaluate(
    ({ lang, token }) => {
      const el = document.getElementById('f') as HTMLElement & { token: string }
      if (lang) el.setAttribute('lang', lang)
      const w = window as unknown as { events: { type: string; detail: any }[] }
      w.events = []
      for (const type of ['framgang-session-saved', 'framgang-session-queued', 'framgang-token-expired', 'framgang-loaded', 'framgang-error']) {
        el.addEventListener(type, (e) => w.events.push({ type, detail: (e as CustomEvent).detail }))
      }
      el.token = token
    },
    { lang: options.lang, token: options.token ?? 'coordinator-token' },
  )
  await page.waitForFunction(() => (window as any).events.some((e: any) => e.type === 'framgang-loaded'))
  return { page, errors: log.errors }
}

const form = (page: Page) => page.locator('#f')
const events = (page: Page, type: string) => page.evaluate((type) => (window as any).events.filter((e: any) => e.type === type).map((e: any) => e.detail), type)

async function choose(page: Page, ...members: string[]) {
  for (const m of members) await form(page).locator(`#who-${m}`).check()
}

async function setSliders(page: Page, member: string, kind: string, values: number[]) {
  for (const [i, v] of values.entries())
    await form(page)
      .locator(slider(member, kind, i))
      .fill(String(v))
}

t.test('instruments follow each person’s age; under 3 cannot be chosen', async (t) => {
  fakeService()
  const { page, errors } = await open()
  await choose(page, ids.kari, ids.sara, ids.emma, ids.jonas)
  t.equal(await form(page).locator(`#who-${ids.lille}`).isDisabled(), true)
  const legends = await form(page).locator('fieldset[part="fieldset"] > legend').allTextContents()
  const squash = legends.map((l) => l.replace(/\s+/g, ' ').trim())
  t.same(squash.slice(1), [
    'KariORS – 38 år på samtaledatoen',
    'SaraORS – 13 år på samtaledatoen',
    'EmmaCORS – 9 år på samtaledatoen',
    'JonasYCORS – 4 år på samtaledatoen',
    'KariSRS – 38 år på samtaledatoen',
    'SaraSRS – 13 år på samtaledatoen',
    'EmmaCSRS – 9 år på samtaledatoen',
    'JonasYCSRS – 4 år på samtaledatoen',
  ])
  t.equal(
    await form(page)
      .locator(`#${domId(`${ids.jonas}.outcome`)} input[type=range]`)
      .count(),
    1,
    'one slider on the young-child form',
  )
  t.equal(
    await form(page)
      .locator(`#${domId(`${ids.kari}.outcome`)} input[type=range]`)
      .count(),
    4,
  )
  t.same(errors, [])
  await page.close()
})

t.test('sliders are fully keyboard operable, with the value spoken', async (t) => {
  fakeService()
  const { page } = await open()
  await choose(page, ids.kari)
  const s = form(page).locator(slider(ids.kari, 'outcome', 0))
  t.equal(await s.getAttribute('aria-valuetext'), 'Ikke satt', 'untouched sliders say so')
  await s.focus()
  await page.keyboard.press('Home')
  t.equal(await s.getAttribute('aria-valuetext'), '0,0')
  await page.keyboard.press('ArrowRight')
  await page.keyboard.press('ArrowRight')
  await page.keyboard.press('ArrowRight')
  t.equal(await s.inputValue(), '0.3')
  t.equal(await s.getAttribute('aria-valuetext'), '0,3')
  await page.keyboard.press('PageUp')
  t.equal(await s.getAttribute('aria-valuetext'), '1,3', 'Page Up: a whole point')
  await page.keyboard.press('End')
  t.equal(await s.getAttribute('aria-valuetext'), '10,0')
  t.same(await runAxe(page), [])
  await page.close()
})

t.test('the form posts the right body with an Idempotency-Key and the token', async (t) => {
  const api = fakeService()
  const { page, errors } = await open()
  await choose(page, ids.kari, ids.emma, ids.jonas)
  await form(page).locator('#kind').selectOption('phone')
  await setSliders(page, ids.kari, 'outcome', [4.1, 5.2, 6.3, 7])
  await form(page)
    .locator(`#${domId(`${ids.emma}.outcome`)} label.mode:has-text("Sum fra papir")`)
    .click()
  await form(page)
    .locator(`#${domId(`${ids.emma}.outcome.total`)}`)
    .fill('23,5')
  await setSliders(page, ids.jonas, 'outcome', [8.2])
  await setSliders(page, ids.kari, 'alliance', [9, 9.5, 8.8, 9.1])
  await form(page)
    .locator(`#${domId(`${ids.emma}.alliance`)} label.mode:has-text("Ikke nå")`)
    .click()
  await form(page)
    .locator(`#${domId(`${ids.jonas}.alliance`)} label.mode:has-text("Ikke nå")`)
    .click()
  await form(page).locator('#note').fill('Telefon med mor.')
  await shot(page, 'session-form-filled-nb-phone')
  await form(page).locator('button[type=submit]').click()
  await page.waitForFunction(() => (window as any).events.some((e: any) => e.type === 'framgang-session-saved'))
  t.equal(api.posts.length, 1)
  const post = api.posts[0]
  t.match(post.key, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
  t.equal(post.auth, 'Bearer coordinator-token')
  const heldOn = await page.evaluate(() => {
    const d = new Date()
    return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`
  })
  t.same(post.body, {
    heldOn,
    kind: 'phone',
    note: 'Telefon med mor.',
    ratings: [
      { memberId: ids.kari, instrument: 'ORS', rater: 'self', items: [4.1, 5.2, 6.3, 7] },
      { memberId: ids.emma, instrument: 'CORS', rater: 'self', total: 23.5 },
      { memberId: ids.jonas, instrument: 'YCORS', rater: 'self', items: [8.2] },
      { memberId: ids.kari, instrument: 'SRS', rater: 'self', items: [9, 9.5, 8.8, 9.1] },
    ],
  })
  const saved = await events(page, 'framgang-session-saved')
  t.same(
    saved.map((d: any) => [d.familyId, d.idempotencyKey, d.replayed]),
    [[ids.family, post.key, false]],
  )
  t.match(await form(page).locator('[part="status"]').textContent(), /Samtalen er lagret\./)
  t.equal(await form(page).locator(`#who-${ids.kari}`).isChecked(), false, 'the form is cleared for the next session')
  t.same(errors, [])
  await page.close()
})

t.test('sliders nobody moved are errors shown at the field, with a summary that links to them', async (t) => {
  const api = fakeService()
  const { page, errors } = await open()
  await form(page).locator('button[type=submit]').click()
  t.match(await form(page).locator('[part="error-summary"]').textContent(), /Velg minst én person/)
  await choose(page, ids.kari)
  await setSliders(page, ids.kari, 'outcome', [5, 5])
  await form(page)
    .locator(`#${domId(`${ids.kari}.alliance`)} label.mode:has-text("Ikke nå")`)
    .click()
  await form(page).locator('button[type=submit]').click()
  const summary = form(page).locator('[part="error-summary"]')
  await summary.waitFor()
  t.equal(
    await page.evaluate(() => document.getElementById('f')!.shadowRoot!.activeElement?.getAttribute('part')),
    'error-summary',
    'focus moves to the summary',
  )
  const third = form(page).locator(slider(ids.kari, 'outcome', 2))
  t.equal(await third.getAttribute('aria-invalid'), 'true')
  const describedBy = (await third.getAttribute('aria-describedby'))!
  t.equal(await form(page).locator(`#${describedBy}`).textContent(), 'Flytt glidebryteren for å sette en verdi.')
  t.equal(
    await form(page)
      .locator(slider(ids.kari, 'outcome', 0))
      .getAttribute('aria-invalid'),
    'false',
  )
  await summary.locator('button').nth(1).click()
  t.equal(
    await page.evaluate(() => document.getElementById('f')!.shadowRoot!.activeElement?.id),
    domId(`${ids.kari}.outcome.item.3`),
    'a summary link focuses its field',
  )
  t.equal(api.posts.length, 0, 'nothing sent')
  t.same(await runAxe(page), [], 'axe with errors shown')
  await shot(page, 'session-form-errors-nb-phone')
  t.same(errors, [])
  await page.close()
})

t.test("the API's field errors (JSON pointers) are shown at the matching field", async (t) => {
  const api = fakeService({
    answer: () => ({
      status: 422,
      body: {
        type: '/problems/rule',
        title: 'Rule',
        status: 422,
        detail: 'The session breaks a rule',
        instance: sessionsPath,
        errors: [
          { path: '/heldOn', message: 'Datoen er før familien startet (10. feb. 2026).' },
          { path: '/ratings/0/items/2', message: 'Verdien må være 0,0–10,0.' },
          { path: '/ratings/1/instrument', message: 'Emma er 13 år på denne datoen: bruk ORS.' },
          { path: '/somewhere', message: 'Noe annet er galt.' },
        ],
      },
    }),
  })
  const { page } = await open()
  await choose(page, ids.kari, ids.emma)
  await setSliders(page, ids.kari, 'outcome', [4, 5, 6, 7])
  await setSliders(page, ids.emma, 'outcome', [6, 6, 6, 6])
  for (const m of [ids.kari, ids.emma])
    await form(page)
      .locator(`#${domId(`${m}.alliance`)} label.mode:has-text("Ikke nå")`)
      .click()
  await form(page).locator('button[type=submit]').click()
  await form(page).locator('[part="error-summary"]').waitFor()
  t.equal(api.posts.length, 1)
  const errorOf = async (selector: string) => {
    const id = (await form(page).locator(selector).getAttribute('aria-describedby'))!.split(' ').pop()!
    return form(page).locator(`#${id}`).textContent()
  }
  t.equal(await errorOf('#heldOn'), 'Datoen er før familien startet (10. feb. 2026).')
  t.equal(await errorOf(slider(ids.kari, 'outcome', 2)), 'Verdien må være 0,0–10,0.')
  t.equal(await errorOf(`#${domId(`${ids.emma}.outcome`)}`), 'Emma er 13 år på denne datoen: bruk ORS.')
  t.match(await form(page).locator('[part="error-summary"]').textContent(), /Noe annet er galt\./, 'a path with no field goes to the summary')
  t.same(await runAxe(page), [])
  await shot(page, 'session-form-api-errors-nb-desktop')
  await page.close()
})

t.test('401: the host is asked for a fresh token, and the same submission is retried with the same key', async (t) => {
  const api = fakeService({
    answer: (post) =>
      post.auth === 'Bearer fresh-token'
        ? 'ok'
        : { status: 401, body: { type: '/problems/unauthorized', title: 'Unauthorized', status: 401, detail: 'expired', instance: sessionsPath } },
  })
  const { page, errors } = await open()
  await page.evaluate(() => {
    const el = document.getElementById('f') as HTMLElement & { token: string }
    el.addEventListener('framgang-token-expired', () => setTimeout(() => (el.token = 'fresh-token'), 100))
  })
  await choose(page, ids.jonas)
  await setSliders(page, ids.jonas, 'outcome', [7.5])
  await setSliders(page, ids.jonas, 'alliance', [9])
  await form(page).locator('button[type=submit]').click()
  await page.waitForFunction(() => (window as any).events.some((e: any) => e.type === 'framgang-session-saved'))
  t.same(
    api.posts.map((p) => p.auth),
    ['Bearer coordinator-token', 'Bearer fresh-token'],
  )
  t.equal(api.posts[0].key, api.posts[1].key, 'the retry is the same submission')
  t.same(await events(page, 'framgang-token-expired'), [{ status: 401 }])
  t.equal(api.created(), 1)
  t.same(errors, [])
  await page.close()
})

t.test('offline queue: waits on the device, tells what waits, replays once with the same key', async (t) => {
  const api = fakeService()
  const { page, errors } = await open({ width: 360 })
  await browser.context.setOffline(true)
  try {
    await choose(page, ids.kari)
    await setSliders(page, ids.kari, 'outcome', [3, 4, 5, 6])
    await setSliders(page, ids.kari, 'alliance', [8, 8, 8, 8])
    await form(page).locator('button[type=submit]').click()
    const queued = await page.waitForFunction(() => (window as any).events.find((e: any) => e.type === 'framgang-session-queued')?.detail)
    const detail = (await queued.jsonValue()) as { idempotencyKey: string; waiting: number }
    t.equal(detail.waiting, 1)
    const panel = form(page).locator('[part="queue"]')
    t.match(await panel.textContent(), /1 samtale venter på å bli sendt/)
    t.match(await panel.textContent(), /Kari/)
    t.match(await form(page).locator('[part="status"]').textContent(), /lagret på denne enheten/)
    const stored = await page.evaluate(() => JSON.parse(localStorage.getItem('framgang.offline-sessions.v1') ?? '[]'))
    t.same(
      stored.map((e: any) => e.key),
      [detail.idempotencyKey],
      'kept in browser storage',
    )
    t.equal(api.posts.length, 0)
    t.same(await runAxe(page), [])
    await shot(page, 'session-form-offline-queue-nb-phone')
    await browser.context.setOffline(false)
    await page.waitForFunction(() => (window as any).events.some((e: any) => e.type === 'framgang-session-saved'))
    const saved = await events(page, 'framgang-session-saved')
    t.same(
      saved.map((d: any) => [d.idempotencyKey, d.replayed]),
      [[detail.idempotencyKey, true]],
    )
    t.same(
      api.posts.map((p) => p.key),
      [detail.idempotencyKey],
      'replayed with the key it was queued with',
    )
    await form(page).locator('[part="queue"]').waitFor({ state: 'detached' })
    t.match(await form(page).locator('[part="status"]').textContent(), /1 ventende samtale er sendt\./)
    // More chances to send it again: another online event, the retry timer, a reload.
    await page.evaluate(() => window.dispatchEvent(new Event('online')))
    await page.goto(`${server.origin}/form.html`)
    await page.waitForFunction(() => customElements.get('framgang-session-form'))
    await page.evaluate(() => ((document.getElementById('f') as any).token = 'coordinator-token'))
    await settle(page)
    await page.waitForTimeout(500)
    t.equal(api.posts.length, 1, 'never replayed twice')
    t.same(errors, [])
  } finally {
    await browser.context.setOffline(false)
    await page.close()
  }
})

t.test('a lost answer: queued, replayed with the same key, the service answers from its record', async (t) => {
  const api = fakeService({ answer: (_post, n) => (n === 1 ? 'drop' : 'ok') })
  const { page } = await open()
  await choose(page, ids.jonas)
  await setSliders(page, ids.jonas, 'outcome', [6])
  await form(page)
    .locator(`#${domId(`${ids.jonas}.alliance`)} label.mode:has-text("Ikke nå")`)
    .click()
  await form(page).locator('button[type=submit]').click()
  await form(page).locator('[part="queue"]').waitFor()
  await form(page).locator('[part="queue"] button:has-text("Send nå")').click()
  await page.waitForFunction(() => (window as any).events.some((e: any) => e.type === 'framgang-session-saved'))
  t.equal(api.posts.length, 2)
  t.equal(api.posts[0].key, api.posts[1].key)
  t.equal(api.created(), 1, 'one session at the service')
  await page.close()
})

t.test('a queued session the service refuses is shown with its reason and can be discarded', async (t) => {
  fakeService({
    answer: (_post, n) =>
      n === 1
        ? 'drop'
        : {
            status: 422,
            body: {
              type: '/problems/rule',
              title: 'Rule',
              status: 422,
              detail: 'x',
              instance: sessionsPath,
              errors: [{ path: '/ratings/0/instrument', message: 'Jonas er for ung for YCORS.' }],
            },
          },
  })
  const { page, errors } = await open()
  await choose(page, ids.jonas)
  await setSliders(page, ids.jonas, 'outcome', [6])
  await form(page)
    .locator(`#${domId(`${ids.jonas}.alliance`)} label.mode:has-text("Ikke nå")`)
    .click()
  await form(page).locator('button[type=submit]').click()
  await form(page).locator('[part="queue"] button:has-text("Send nå")').click()
  const rejected = form(page).locator('[part="queue"] .rejected')
  await rejected.waitFor()
  t.match(await rejected.textContent(), /Ble ikke tatt imot: Jonas er for ung for YCORS\./)
  t.same(await runAxe(page), [])
  await rejected.locator('button:has-text("Forkast")').click()
  await form(page).locator('[part="queue"]').waitFor({ state: 'detached' })
  t.same(errors, [])
  await page.close()
})

t.test('each language renders; screenshots on a phone', async (t) => {
  fakeService()
  const words: Record<string, RegExp[]> = {
    nb: [/Registrer samtale/, /Hvem var med\?/, /Ved starten: Hvordan går det\?/, /Til slutt: Hvordan var samtalen\?/, /Ikke satt/, /under 3 år – skåres ikke/],
    nn: [
      /Registrer samtale/,
      /Kven var med\?/,
      /Ved starten: Korleis går det\?/,
      /Til slutt: Korleis var samtalen\?/,
      /Ikkje sett/,
      /under 3 år – blir ikkje skåra/,
    ],
    en: [/Log a session/, /Who took part\?/, /At the start: How are things going\?/, /At the end: How was the session\?/, /Not set/, /under 3 – not rated/],
  }
  for (const lang of ['nb', 'nn', 'en']) {
    const { page, errors } = await open({ lang, width: 360 })
    await choose(page, ids.emma, ids.jonas)
    await setSliders(page, ids.emma, 'outcome', [6.5, 7.2])
    const text = await page.evaluate(() => document.getElementById('f')!.shadowRoot!.textContent!.replace(/\s+/g, ' '))
    for (const re of words[lang]) t.match(text, re, `${lang}: ${re}`)
    t.same(await runAxe(page), [], `${lang}: axe`)
    await shot(page, `session-form-${lang}-phone`)
    t.same(errors, [])
    await page.close()
  }
})
