import assert from 'node:assert/strict'
import t, { type Test } from 'tap'
import type { Page } from 'playwright-core'
import { seedDemo } from '../../service/cli/demo-data.js'
import type { Caseload } from '../../service/contracts/caseload.js'
import type { Family } from '../../service/contracts/families.js'
import type { ExpectedBand, FamilyProgress, Progress } from '../../service/contracts/progress.js'
import type { Session } from '../../service/contracts/sessions.js'
import { localize, type Lang } from '../../widget/i18n/index.js'
import { testApp } from '../helpers/app.js'
import { hostPage, runAxe, settle, setup, shot, strictCspWith, watchConsole } from './helpers.js'

/**
 * End to end: the widget on a strict host page fetching from the REAL service (Fastify on a fresh
 * database with the demo families), on another origin, with real embed tokens. No fake API: what
 * the components show is compared with what the API answers the test for the same request.
 */

const langs: Lang[] = ['nb', 'nn', 'en']

// The service (database, migrations, demo data) and the browser (bundle, Chromium) each take
// seconds to start: start them side by side.
const [{ server, browser }, ctx] = await Promise.all([
  setup(t),
  testApp(t).then(async (ctx) => {
    await seedDemo(ctx.db, ctx.municipality.municipalityId)
    return ctx
  }),
])
const apiOrigin = await ctx.app.listen({ host: '127.0.0.1', port: 0 })
// No tap assertions up here: the root test would end while the set-up still awaits.
assert.notEqual(apiOrigin, server.origin, 'the host page and the API are different origins')

// The host page may connect to the service's origin and nothing else; the service lets the host's
// origin in because the municipality registered it.
const csp = strictCspWith({ connect: [apiOrigin] })
const registered = await ctx.call('PATCH', '/v1/settings', { body: { allowedOrigins: [server.origin] } })
assert.equal(registered.statusCode, 200, `host origin not registered: ${registered.body}`)

const coordinatorId: string = (await ctx.call('GET', '/v1/coordinators')).json().items.find((c: { externalRef: string }) => c.externalRef === 'DEMO-C1').id
const family: Family = (await ctx.call('GET', '/v1/families?externalRef=DEMO-1001')).json().items[0]
const member = Object.fromEntries(family.members.map((m) => [m.alias, m.id])) as Record<'Kari' | 'Ola' | 'Emma' | 'Noah', string>
assert.equal(family.coordinatorId, coordinatorId, 'DEMO-1001 belongs to DEMO-C1')

async function mint(body: Record<string, unknown>): Promise<{ token: string; expiresAt: string }> {
  const res = await ctx.call('POST', '/v1/embed-tokens', { body })
  if (res.statusCode !== 201) throw new Error(`embed token: ${res.statusCode} ${res.body}`)
  return res.json()
}
const coordinatorToken = async () => (await mint({ role: 'coordinator', coordinatorId })).token
const familyToken = async () => (await mint({ role: 'family', familyId: family.id })).token
// Minted now so it has long run out by the time the expiry test uses it.
const shortLived = await mint({ role: 'coordinator', coordinatorId, ttlSeconds: 1 })

/** The API's answer for a request with an embed token, as the widget would get it. */
async function asToken<T>(token: string, url: string): Promise<T> {
  const res = await ctx.call('GET', url, { key: token })
  if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body}`)
  return res.json() as T
}

async function sessionsOfFamily(): Promise<Session[]> {
  const res = await ctx.call('GET', `/v1/families/${family.id}/sessions?limit=200`)
  return res.json().items
}

const attrs = (a: Record<string, string>) =>
  Object.entries(a)
    .map(([k, v]) => `${k}="${v}"`)
    .join(' ')

let pageNo = 0
/**
 * A fresh host page (strict CSP plus the API in connect-src) with `body`, opened in a new tab.
 * Listens on the document for every framgang-* event from the first moment (bubbling, composed).
 */
async function open(body: string, options: { lang?: Lang; width?: number; height?: number; clearQueue?: boolean } = {}) {
  const path = `/real-${++pageNo}.html`
  server.setPage(path, hostPage({ lang: options.lang ?? 'nb', body, title: 'Fagsystem' }), { csp })
  const page = await browser.context.newPage()
  const log = watchConsole(page)
  await page.setViewportSize({ width: options.width ?? 1024, height: options.height ?? 900 })
  await page.addInitScript((clear) => {
    if (clear && location.search === '?fresh') localStorage.clear()
    const w = window as unknown as { events: { type: string; detail: any }[] }
    w.events = []
    for (const type of [
      'framgang-loaded',
      'framgang-error',
      'framgang-token-expired',
      'framgang-family-selected',
      'framgang-session-saved',
      'framgang-session-queued',
    ]) {
      document.addEventListener(type, (e) => w.events.push({ type, detail: (e as CustomEvent).detail }))
    }
  }, options.clearQueue ?? false)
  await page.goto(`${server.origin}${path}?fresh`)
  await page.waitForFunction(
    () => customElements.get('framgang-progress') && customElements.get('framgang-session-form') && customElements.get('framgang-caseload'),
  )
  return { page, log, url: `${server.origin}${path}` }
}

const events = (page: Page, type: string) => page.evaluate((type) => (window as any).events.filter((e: any) => e.type === type).map((e: any) => e.detail), type)
const waitEvent = (page: Page, type: string, count = 1) =>
  page.waitForFunction(({ type, count }) => (window as any).events.filter((e: any) => e.type === type).length >= count, { type, count })
const shadowText = (page: Page, selector: string) => page.evaluate((s) => document.querySelector(s)!.shadowRoot!.textContent!.replace(/\s+/g, ' '), selector)

// ---- the progress chart ----

type AnySeries = Progress['members'][number]['series'][number] | FamilyProgress['members'][number]['series'][number]

interface RowView {
  /** The conversation on the chart's x-axis (with one line, its session number). */
  x: number
  n: number
  date: string
  total: number | null
  totalText: string
  items: (number | null)[]
  band: (number | null)[]
}

/** Per chart (by its id), per line, the rows the widget should show for this payload. */
function expectedCharts(payload: Progress | FamilyProgress, kinds: ('outcome' | 'alliance')[], lang: Lang): Map<string, RowView[][]> {
  const { f } = localize(lang)
  const family = 'view' in payload && payload.view === 'family'
  const charts = new Map<string, RowView[][]>()
  for (const m of payload.members) {
    for (const kind of kinds) {
      const byInstrument = new Map<string, AnySeries[]>()
      for (const s of m.series as AnySeries[]) {
        if (s.kind === kind && s.points.length) byInstrument.set(s.instrument, [...(byInstrument.get(s.instrument) ?? []), s])
      }
      for (const [instrument, list] of byInstrument) {
        // Self-rated first (it carries the band); other raters follow in payload order.
        const lines = [...list].sort((a, b) => Number(b.rater === 'self') - Number(a.rater === 'self'))
        const expected: ExpectedBand | null = family
          ? null
          : ((lines.find((s) => 'expected' in s && s.expected) as { expected: ExpectedBand } | undefined)?.expected ?? null)
        // With several lines the x-axis is the member's conversations: every session any line has a
        // point at, by date (the same day in order of first appearance, self-rated line first).
        const several = lines.length > 1
        const heldOn = new Map<string, string>()
        for (const s of lines) for (const p of s.points) if (!heldOn.has(p.sessionId)) heldOn.set(p.sessionId, p.heldOn)
        const conversations = [...heldOn.keys()].sort((a, b) => (heldOn.get(a)! < heldOn.get(b)! ? -1 : heldOn.get(a)! > heldOn.get(b)! ? 1 : 0))
        const axis = (p: { sessionId: string }) => conversations.indexOf(p.sessionId) + 1
        charts.set(
          `${m.memberId}:${kind}:${instrument}`,
          lines.map((s, i) => {
            const band = i === 0 ? expected : null
            const itemCount = family ? 0 : Math.max(0, ...s.points.map((p) => p.items?.length ?? 0))
            const numbers = [...new Set([...s.points.map((p) => p.sessionNumber), ...(band?.sessionNumbers ?? [])])].sort((a, b) => a - b)
            const last = s.points.reduce((a, b) => (b.sessionNumber > a.sessionNumber ? b : a))
            return numbers.map((n) => {
              const p = s.points.find((q) => q.sessionNumber === n)
              const k = band ? band.sessionNumbers.indexOf(n) : -1
              return {
                // Past the latest point (the expected range), one step per session on from it.
                x: !several ? n : p ? axis(p) : axis(last) + n - last.sessionNumber,
                n,
                date: p ? f.date(p.heldOn) : '–',
                total: p ? p.total : null,
                totalText: p ? f.score(p.total) : '–',
                items: Array.from({ length: itemCount }, (_, j) => p?.items?.[j] ?? null),
                band: band ? [band.p25, band.p50, band.p75].map((q) => (k < 0 ? null : q[k])) : [],
              }
            })
          }),
        )
      }
    }
  }
  return charts
}

/**
 * What the element shows: per chart, per table, its rows read from the cells' data-value. A chart
 * with several lines (`several`) has the axis conversation first, then the line's own number.
 */
async function shownCharts(
  page: Page,
  selector: string,
  family: boolean,
  bandColumns: (chartId: string, line: number) => number,
  several: (chartId: string) => boolean,
): Promise<Map<string, RowView[][]>> {
  const raw = await page.evaluate(
    (s) =>
      [...document.querySelector(s)!.shadowRoot!.querySelectorAll('[part="chart"]')].map((chart) => ({
        id: chart.querySelector('canvas')!.getAttribute('data-chart')!,
        tables: [...chart.querySelectorAll('table')].map((table) =>
          [...table.querySelectorAll('tbody tr')].map((tr) => [...tr.children].map((c) => ({ v: c.getAttribute('data-value'), text: c.textContent!.trim() }))),
        ),
      })),
    selector,
  )
  const num = (v: string | null) => (v === null || v === '' ? null : Number(v))
  return new Map(
    raw.map((chart) => [
      chart.id,
      chart.tables.map((rows, line) => {
        const bands = bandColumns(chart.id, line)
        const o = several(chart.id) ? 1 : 0
        return rows.map((cells) => ({
          x: Number(cells[0].v),
          n: Number(cells[o].v),
          date: cells[o + 1].text,
          total: num(cells[o + 2].v),
          totalText: cells[o + 2].text,
          items: family ? [] : cells.slice(o + 3, cells.length - bands).map((c) => num(c.v)),
          band: cells
            .slice(cells.length - bands)
            .map((c) => num(c.v))
            .slice(0, bands),
        }))
      }),
    ]),
  )
}

async function compareCharts(t: Test, page: Page, payload: Progress | FamilyProgress, kinds: ('outcome' | 'alliance')[], lang: Lang) {
  const want = expectedCharts(payload, kinds, lang)
  const family = 'view' in payload && payload.view === 'family'
  const got = await shownCharts(
    page,
    '#p',
    family,
    (id, line) => (line === 0 ? (want.get(id)?.[0]?.[0]?.band.length ?? 0) : 0),
    (id) => (want.get(id)?.length ?? 0) > 1,
  )
  t.same([...got.keys()].sort(), [...want.keys()].sort(), `${lang}: one chart per member and instrument`)
  let rows = 0
  for (const [id, lines] of want) {
    const shown = got.get(id)
    t.equal(shown?.length, lines.length, `${id}: one table per line`)
    lines.forEach((rowsWanted, i) => {
      rows += rowsWanted.length
      t.same(shown?.[i], rowsWanted, `${lang} ${id} line ${i}: every row equals the payload`)
    })
  }
  return rows
}

/** Waits until every chart the payload calls for is drawn (canvas sized). */
async function chartsDrawn(page: Page, count: number) {
  await page.waitForFunction((count) => {
    const canvases = document.getElementById('p')?.shadowRoot?.querySelectorAll('canvas') ?? []
    return canvases.length === count && [...canvases].every((c) => c.width > 0)
  }, count)
  await settle(page)
}

const clinicalWords = /klinisk|clinical|persentil|percentile|forverr|deteriorat|mislykk|unsuccessful|Haster|Hastar|Urgent|Status|cutoff|grense/i

t.test('coordinator: the charts show exactly the API’s numbers, in nb, nn and en', async (t) => {
  const token = await coordinatorToken()
  const payload = await asToken<Progress>(token, `/v1/families/${family.id}/progress`)
  t.notOk('view' in payload, 'the coordinator view')
  const outcomeCharts = expectedCharts(payload, ['outcome'], 'nb').size
  t.equal(outcomeCharts, 4, 'Kari ORS, Ola ORS, Emma CORS (self and parent), Noah YCORS')
  t.ok(
    payload.members.some((m) => m.series.some((s) => s.expected)),
    'the demo has expected bands to compare',
  )

  for (const lang of langs) {
    const { page, log } = await open(`<framgang-progress id="p" ${attrs({ 'api-base': apiOrigin, 'family-id': family.id, token })}></framgang-progress>`, {
      lang,
    })
    await chartsDrawn(page, outcomeCharts)
    const rows = await compareCharts(t, page, payload, ['outcome'], lang)
    t.ok(rows > 80, `${lang}: ${rows} rows compared`)
    const text = await shadowText(page, '#p')
    t.match(text, { nb: /Vis tabell/, nn: /Vis tabell/, en: /Show table/ }[lang])
    t.match(text, { nb: /Under klinisk grense \(25\)/, nn: /Under klinisk grense \(25\)/, en: /Below the clinical cutoff \(25\)/ }[lang])
    t.ok(text.includes(localize(lang).t.expectedBand), `${lang}: the expected band is in the legend`)
    t.same(await runAxe(page), [], `${lang}: axe`)
    await shot(page, `real-progress-coordinator-${lang}-desktop`)

    if (lang === 'nb') {
      // The tables shown, and the alliance view of the same payload.
      const toggles = page.locator('#p >> button[part="table-toggle"]')
      for (let i = 0; i < (await toggles.count()); i++) await toggles.nth(i).click()
      t.same(await runAxe(page), [], 'nb: axe with every table shown')
      await page.evaluate(() => document.getElementById('p')!.setAttribute('view', 'alliance'))
      await chartsDrawn(page, expectedCharts(payload, ['alliance'], lang).size)
      await compareCharts(t, page, payload, ['alliance'], lang)
      t.match(await shadowText(page, '#p'), /SRS · Samarbeid/)
      t.same(await runAxe(page), [], 'nb alliance: axe')
      await shot(page, 'real-progress-alliance-nb-desktop')
    }
    t.same(await events(page, 'framgang-error'), [])
    t.same(log.errors, [], `${lang}: no console errors`)
    await page.close()
  }
})

t.test('family token: plain words, and the table equals the family payload', async (t) => {
  const token = await familyToken()
  const payload = await asToken<FamilyProgress>(token, `/v1/families/${family.id}/progress`)
  t.equal(payload.view, 'family', 'the service answers a family token with the family view')
  const count = expectedCharts(payload, ['outcome', 'alliance'], 'nb').size
  for (const lang of langs) {
    const { page, log } = await open(`<framgang-progress id="p" ${attrs({ 'api-base': apiOrigin, 'family-id': family.id, token })}></framgang-progress>`, {
      lang,
      width: 390,
      height: 844,
    })
    await chartsDrawn(page, count)
    await compareCharts(t, page, payload, ['outcome', 'alliance'], lang)
    const text = await shadowText(page, '#p')
    t.notMatch(text, clinicalWords, `${lang}: nothing clinical`)
    t.match(text, { nb: /Slik går det for Kari/, nn: /Slik går det for Kari/, en: /How things are going for Kari/ }[lang])
    t.match(text, { nb: /Over streken har mange det ganske bra/, nn: /Over streken har mange det ganske bra/, en: /Above the line/ }[lang])
    t.same(await runAxe(page), [], `${lang}: axe`)
    await shot(page, `real-progress-family-${lang}-phone`)
    t.same(log.errors, [], `${lang}: no console errors`)
    await page.close()
  }
})

// ---- the session form ----

const domId = (field: string) => `f-${field.replace(/[^a-zA-Z0-9_-]/g, '_')}`
const slider = (memberId: string, kind: string, i: number) => `#${domId(`${memberId}.${kind}.item.${i}`)}`

async function openForm(options: { lang?: Lang; width?: number; token?: string } = {}) {
  const opened = await open(`<framgang-session-form id="f" ${attrs({ 'api-base': apiOrigin, 'family-id': family.id })}></framgang-session-form>`, {
    lang: options.lang,
    width: options.width ?? 420,
    clearQueue: true,
  })
  const token = options.token ?? (await coordinatorToken())
  await opened.page.evaluate((token) => ((document.getElementById('f') as HTMLElement & { token: string }).token = token), token)
  await waitEvent(opened.page, 'framgang-loaded')
  return opened
}

const form = (page: Page) => page.locator('#f')
async function setSliders(page: Page, memberId: string, kind: string, values: number[]) {
  for (const [i, v] of values.entries())
    await form(page)
      .locator(slider(memberId, kind, i))
      .fill(String(v))
}
const skip = (page: Page, memberId: string, kind: string) =>
  form(page)
    .locator(`#${domId(`${memberId}.${kind}`)} label.mode:has-text("Ikke nå")`)
    .click()

/** A rating as the API returns it, reduced to what was entered, in a stable order. */
const entered = (s: Session) =>
  s.ratings
    .map((r) => ({ memberId: r.memberId, instrument: r.instrument, rater: r.rater, raterMemberId: r.raterMemberId, items: r.items, total: r.total }))
    .sort((a, b) => `${a.instrument}${a.memberId}`.localeCompare(`${b.instrument}${b.memberId}`))

const osloToday = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Oslo' }).format(new Date())

t.test('session form: the session posted is the session the API returns, score for score', async (t) => {
  const before = await sessionsOfFamily()
  const { page, log } = await openForm()
  for (const who of ['Kari', 'Emma', 'Noah'] as const) await form(page).locator(`#who-${member[who]}`).check()
  t.equal(await form(page).locator(`#who-${member.Ola}`).isChecked(), false)
  await form(page).locator('#kind').selectOption('home-visit')
  await setSliders(page, member.Kari, 'outcome', [4.1, 5.2, 6.3, 7])
  await form(page)
    .locator(`#${domId(`${member.Emma}.outcome`)} label.mode:has-text("Sum fra papir")`)
    .click()
  await form(page)
    .locator(`#${domId(`${member.Emma}.outcome.total`)}`)
    .fill('23,5')
  await setSliders(page, member.Noah, 'outcome', [8.2])
  await setSliders(page, member.Kari, 'alliance', [9, 9.5, 8.8, 9.1])
  await skip(page, member.Emma, 'alliance')
  await setSliders(page, member.Noah, 'alliance', [9.6])
  await form(page).locator('#note').fill('Hjemmebesøk, alle tre med.')
  t.same(await runAxe(page), [], 'axe on the filled form')
  await shot(page, 'real-session-form-filled-nb-phone')
  await form(page).locator('button[type=submit]').click()
  await waitEvent(page, 'framgang-session-saved')
  const [saved] = await events(page, 'framgang-session-saved')
  t.equal(saved.replayed, false)
  t.match(await form(page).locator('[part="status"]').textContent(), /Samtalen er lagret\./)

  const after = await sessionsOfFamily()
  t.equal(after.length, before.length + 1, 'one new session')
  t.equal(after[0].id, saved.session.id, 'newest first: the one just saved')
  const session = after[0]
  t.equal(session.heldOn, osloToday(), 'held today (Europe/Oslo)')
  t.equal(session.kind, 'home-visit')
  t.equal(session.note, 'Hjemmebesøk, alle tre med.')
  t.same(
    entered(session),
    entered({
      ratings: [
        { memberId: member.Kari, instrument: 'ORS', rater: 'self', raterMemberId: null, items: [4.1, 5.2, 6.3, 7], total: 22.6 },
        { memberId: member.Emma, instrument: 'CORS', rater: 'self', raterMemberId: null, items: null, total: 23.5 },
        { memberId: member.Noah, instrument: 'YCORS', rater: 'self', raterMemberId: null, items: [8.2], total: 8.2 },
        { memberId: member.Kari, instrument: 'SRS', rater: 'self', raterMemberId: null, items: [9, 9.5, 8.8, 9.1], total: 36.4 },
        { memberId: member.Noah, instrument: 'YCSRS', rater: 'self', raterMemberId: null, items: [9.6], total: 9.6 },
      ],
    } as unknown as Session),
    'exactly the entered scores',
  )
  t.same(entered(saved.session), entered(session), 'the event carries the stored session')
  t.same(log.errors, [])
  await page.close()
})

t.test('offline queue: replays exactly once against the real API', async (t) => {
  const before = (await sessionsOfFamily()).length
  const { page, log, url } = await openForm({ width: 360 })
  await browser.context.setOffline(true)
  let online = false
  try {
    await form(page).locator(`#who-${member.Ola}`).check()
    await setSliders(page, member.Ola, 'outcome', [3, 4.5, 5, 6.1])
    await skip(page, member.Ola, 'alliance')
    await form(page).locator('button[type=submit]').click()
    await waitEvent(page, 'framgang-session-queued')
    const [queued] = await events(page, 'framgang-session-queued')
    t.equal(queued.waiting, 1)
    const panel = form(page).locator('[part="queue"]')
    t.match(await panel.textContent(), /1 samtale venter på å bli sendt/, 'the waiting notice')
    t.match(await panel.textContent(), /Ola/)
    const stored: string = await page.evaluate(() => localStorage.getItem('framgang.offline-sessions.v1')!)
    t.same(
      JSON.parse(stored).map((e: { key: string }) => e.key),
      [queued.idempotencyKey],
    )
    t.same(await runAxe(page), [], 'axe with the queue shown')
    await shot(page, 'real-session-form-offline-nb-phone')
    t.equal((await sessionsOfFamily()).length, before, 'nothing at the service while offline')

    await browser.context.setOffline(false)
    online = true
    await waitEvent(page, 'framgang-session-saved')
    await panel.waitFor({ state: 'detached' })
    const [saved] = await events(page, 'framgang-session-saved')
    t.same([saved.idempotencyKey, saved.replayed], [queued.idempotencyKey, true], 'replayed with the key it was queued with')
    t.match(await form(page).locator('[part="status"]').textContent(), /1 ventende samtale er sendt\./)

    // More chances to send it twice: replayQueue(), another online event, a reload with a new token.
    await page.evaluate(async () => {
      const el = document.getElementById('f') as HTMLElement & { replayQueue(): Promise<void> }
      await Promise.all([el.replayQueue(), el.replayQueue()])
      window.dispatchEvent(new Event('online'))
    })
    await page.goto(url)
    await page.evaluate(async (token) => ((document.getElementById('f') as any).token = token), await coordinatorToken())
    await waitEvent(page, 'framgang-loaded')
    await page.evaluate(() => (document.getElementById('f') as any).replayQueue())
    await page.waitForTimeout(300)
    let after = await sessionsOfFamily()
    t.equal(after.length, before + 1, 'exactly one new session')
    t.equal(after[0].id, saved.session.id)
    t.same(entered(after[0]), [{ memberId: member.Ola, instrument: 'ORS', rater: 'self', raterMemberId: null, items: [3, 4.5, 5, 6.1], total: 18.6 }])

    // The worst case: the entry comes back (an answer lost on the way, another tab's stale copy)
    // and is sent again, with another token of the same coordinator. The service knows the key.
    await page.evaluate((stored) => localStorage.setItem('framgang.offline-sessions.v1', stored), stored)
    await page.goto(url)
    await page.evaluate(async (token) => ((document.getElementById('f') as any).token = token), await coordinatorToken())
    await waitEvent(page, 'framgang-session-saved')
    const [again] = await events(page, 'framgang-session-saved')
    t.same([again.idempotencyKey, again.replayed, again.session.id], [queued.idempotencyKey, true, saved.session.id], 'answered from the service’s record')
    after = await sessionsOfFamily()
    t.equal(after.length, before + 1, 'still exactly one new session')
    t.equal(await page.evaluate(() => JSON.parse(localStorage.getItem('framgang.offline-sessions.v1') ?? '[]').length), 0, 'the queue is empty')
    t.same(log.errors, [])
  } finally {
    if (!online) await browser.context.setOffline(false)
    await page.close()
  }
})

t.test('the form in each language, with the real family', async (t) => {
  const words: Record<Lang, RegExp> = {
    nb: /Registrer samtale.*Hvem var med\?.*Noah.*Ved starten: Hvordan går det\?/,
    nn: /Registrer samtale.*Kven var med\?.*Noah.*Ved starten: Korleis går det\?/,
    en: /Log a session.*Who took part\?.*Noah.*At the start: How are things going\?/,
  }
  for (const lang of langs) {
    const { page, log } = await openForm({ lang, width: 360 })
    for (const who of ['Emma', 'Noah'] as const) await form(page).locator(`#who-${member[who]}`).check()
    await setSliders(page, member.Emma, 'outcome', [6.5, 7.2])
    t.match(await shadowText(page, '#f'), words[lang], lang)
    t.same(await runAxe(page), [], `${lang}: axe`)
    await shot(page, `real-session-form-${lang}-phone`)
    t.same(log.errors, [], `${lang}: no console errors`)
    await page.close()
  }
})

// ---- the caseload ----

t.test('caseload: the order of GET /v1/caseload; choosing one tells the host, which opens it', async (t) => {
  for (const lang of langs) {
    const token = await coordinatorToken()
    const api = await asToken<Caseload>(token, '/v1/caseload')
    t.ok(api.items.length >= 4, 'DEMO-C1 has several active families')
    const { page, log } = await open(
      `<framgang-caseload id="c" ${attrs({ 'api-base': apiOrigin, token })}></framgang-caseload>
       <framgang-progress id="p" ${attrs({ 'api-base': apiOrigin, token })}></framgang-progress>`,
      { lang, width: lang === 'nb' ? 1024 : 390 },
    )
    await page.locator('#c >> [part="item"]').first().waitFor()
    const shown = await page.evaluate(() =>
      [...document.getElementById('c')!.shadowRoot!.querySelectorAll('[part="item"]')].map((b) => ({
        id: b.getAttribute('data-family-id'),
        text: b.textContent!.replace(/\s+/g, ' ').trim(),
      })),
    )
    t.same(
      shown.map((s) => s.id),
      api.items.map((i) => i.familyId),
      `${lang}: the service’s order, most urgent first`,
    )
    shown.forEach((s, i) => t.match(s.text, new RegExp(`^${api.items[i].externalRef}\\b`), `${lang}: ${api.items[i].externalRef} in place ${i + 1}`))
    t.same(
      await page.evaluate(() => (document.getElementById('c') as any).items.map((i: { familyId: string }) => i.familyId)),
      api.items.map((i) => i.familyId),
      'items property',
    )
    const { severity } = localize(lang).t
    api.items.forEach((item, i) => item.severity && t.ok(shown[i].text.includes(severity[item.severity]), `${lang}: severity in words for ${item.externalRef}`))
    t.same(await runAxe(page), [], `${lang}: axe`)

    // Choose the second family: the event names it, and the host opens its progress.
    const pick = api.items[1]
    await page.locator('#c >> [part="item"]').nth(1).click()
    await waitEvent(page, 'framgang-family-selected')
    t.same(await events(page, 'framgang-family-selected'), [{ familyId: pick.familyId }], `${lang}: framgang-family-selected names it`)
    if (lang === 'nb') {
      await page.evaluate((id) => document.getElementById('p')!.setAttribute('family-id', id), pick.familyId)
      const progress = await asToken<Progress>(token, `/v1/families/${pick.familyId}/progress`)
      await chartsDrawn(page, expectedCharts(progress, ['outcome'], lang).size)
      await compareCharts(t, page, progress, ['outcome'], lang)
      t.same(await runAxe(page), [], `${lang}: axe with the chosen family open`)
    }
    await shot(page, `real-caseload-${lang}-${lang === 'nb' ? 'desktop' : 'phone'}`)
    t.same(log.errors, [], `${lang}: no console errors`)
    await page.close()
  }
})

// ---- tokens that run out ----

t.test('an expired or forged token: framgang-token-expired, a fresh token, and the element recovers', async (t) => {
  // Expiry is checked with at most 1 s of clock skew.
  const wait = Date.parse(shortLived.expiresAt) + 1500 - Date.now()
  if (wait > 0) await new Promise((r) => setTimeout(r, wait))
  t.equal((await ctx.call('GET', `/v1/families/${family.id}/progress`, { key: shortLived.token })).statusCode, 401, 'the service refuses the old token')
  const payload = await asToken<Progress>(await coordinatorToken(), `/v1/families/${family.id}/progress`)
  const forged = (await coordinatorToken()).replace(/.{4}$/, 'AAAA')

  const { page, log } = await open(
    `<framgang-progress id="p" ${attrs({ 'api-base': apiOrigin, 'family-id': family.id, token: shortLived.token })}></framgang-progress>
     <framgang-caseload id="c" ${attrs({ 'api-base': apiOrigin, token: forged })}></framgang-caseload>`,
  )
  await waitEvent(page, 'framgang-token-expired', 2)
  t.same(await events(page, 'framgang-token-expired'), [{ status: 401 }, { status: 401 }], 'asked once by each element')
  t.match(await shadowText(page, '#p'), /Innloggingen er utløpt/, 'the element says it waits')
  t.equal(await page.locator('#p >> canvas').count(), 0, 'nothing drawn without access')
  const [fresh1, fresh2] = [await coordinatorToken(), await coordinatorToken()]
  await page.evaluate(
    ([a, b]) => {
      ;(document.getElementById('p') as any).token = a
      ;(document.getElementById('c') as any).token = b
    },
    [fresh1, fresh2],
  )
  await chartsDrawn(page, expectedCharts(payload, ['outcome'], 'nb').size)
  await compareCharts(t, page, payload, ['outcome'], 'nb')
  await page.locator('#c >> [part="item"]').first().waitFor()
  t.notMatch(await shadowText(page, '#p'), /Innloggingen er utløpt/)
  t.same(await events(page, 'framgang-error'), [], 'recovered without an error')
  t.same(await runAxe(page), [])
  t.same(log.errors, [])
  await page.close()

  // The form: a session submitted with a token that ran out is saved once with the fresh one.
  const before = (await sessionsOfFamily()).length
  const form1 = await openForm({ token: await coordinatorToken() })
  await form1.page.evaluate((token) => ((document.getElementById('f') as any).token = token), shortLived.token)
  await form(form1.page).locator(`#who-${member.Noah}`).check()
  await setSliders(form1.page, member.Noah, 'outcome', [7.7])
  await skip(form1.page, member.Noah, 'alliance')
  await form(form1.page).locator('button[type=submit]').click()
  await waitEvent(form1.page, 'framgang-token-expired')
  await form1.page.evaluate((token) => ((document.getElementById('f') as any).token = token), await coordinatorToken())
  await waitEvent(form1.page, 'framgang-session-saved')
  const after = await sessionsOfFamily()
  t.equal(after.length, before + 1, 'saved once')
  t.same(entered(after[0]), [{ memberId: member.Noah, instrument: 'YCORS', rater: 'self', raterMemberId: null, items: [7.7], total: 7.7 }])
  t.same(await runAxe(form1.page), [])
  t.same(form1.log.errors, [])
  await form1.page.close()
})
