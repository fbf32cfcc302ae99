import t from 'tap'
import type { Page } from 'playwright-core'
import type { Progress } from '../../service/contracts/progress.js'
import { localize, type Lang } from '../../widget/i18n/index.js'
import { familyView, ids, laggingParent, progress } from '../widget/fixtures.js'
import { hostPage, json, runAxe, settle, setup, shot, watchConsole } from './helpers.js'

const { server, browser } = await setup(t)

server.setPage('/progress.html', hostPage({ body: '<framgang-progress id="p"></framgang-progress>' }))

async function open(options: { lang?: Lang; width?: number; data: unknown; attrs?: Record<string, string> }): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.context.newPage()
  const log = watchConsole(page)
  await page.setViewportSize({ width: options.width ?? 1024, height: 900 })
  await page.goto(`${server.origin}/progress.html`)
  await page.waitForFunction(() => customElements.get('framgang-progress'))
  await page.evaluate(
    ({ data, lang, attrs }) => {
      const el = document.getElementById('p') as HTMLElement & { data: unknown }
      if (lang) el.setAttribute('lang', lang)
      for (const [k, v] of Object.entries(attrs ?? {})) el.setAttribute(k, v)
      el.data = data
    },
    { data: options.data, lang: options.lang, attrs: options.attrs },
  )
  await page.waitForFunction(() => {
    const root = document.getElementById('p')!.shadowRoot!
    const canvases = root.querySelectorAll('canvas')
    return canvases.length > 0 && [...canvases].every((c) => c.width > 0)
  })
  await settle(page)
  return { page, errors: log.errors }
}

/** Every table in the element as [caption, [[data-value|text per cell]]]. */
async function tables(page: Page) {
  return page.evaluate(() =>
    [...document.getElementById('p')!.shadowRoot!.querySelectorAll('table')].map((table) => ({
      caption: table.caption?.textContent?.trim() ?? '',
      head: [...table.querySelectorAll('thead th')].map((th) => th.textContent!.trim()),
      rows: [...table.querySelectorAll('tbody tr')].map((tr) =>
        [...tr.children].map((cell) => ({ value: cell.getAttribute('data-value'), text: cell.textContent!.trim() })),
      ),
    })),
  )
}

t.test('the chart tables hold exactly the payload numbers, in each language', async (t) => {
  for (const lang of ['nb', 'nn', 'en'] as Lang[]) {
    const { t: words, f } = localize(lang)
    const { page, errors } = await open({ lang, data: progress })
    const all = await tables(page)
    // Kari ORS, Emma CORS self + parent, Jonas YCORS.
    t.equal(all.length, 4, `${lang}: one table per line`)
    // Emma's two lines share a chart: their tables lead with the conversation on the axis (the same
    // conversations, so the same numbers here), then the line's own number.
    const pairs: [number, Progress['members'][number]['series'][number], number][] = [
      [0, progress.members[0].series[0], 0],
      [1, progress.members[1].series[0], 1],
      [2, progress.members[1].series[1], 1],
      [3, progress.members[2].series[0], 0],
    ]
    for (const [i, series, o] of pairs) {
      t.same(all[i].head.slice(0, o + 2), [words.colSession, ...(o ? [words.colRating] : []), words.colDate], `${lang}: table ${i} head`)
      for (const p of series.points) {
        const row = all[i].rows.find((r) => Number(r[o].value) === p.sessionNumber)!
        t.ok(row, `${lang}: a row for session ${p.sessionNumber}`)
        t.equal(Number(row[0].value), p.sessionNumber, `${lang}: at the conversation it is drawn at`)
        t.equal(Number(row[o + 2].value), p.total, `${lang}: total of session ${p.sessionNumber}`)
        t.equal(row[o + 2].text, f.score(p.total))
        t.match(row[o + 1].text, /2026/)
        if (p.items) {
          t.same(
            row.slice(o + 3, o + 3 + p.items.length).map((c) => Number(c.value)),
            p.items,
          )
        }
      }
    }
    const expected = progress.members[0].series[0].expected!
    expected.sessionNumbers.forEach((n, k) => {
      const row = all[0].rows.find((r) => Number(r[0].value) === n)!
      t.same(
        row.slice(-3).map((c) => Number(c.value)),
        [expected.p25[k], expected.p50[k], expected.p75[k]],
        `${lang}: expected band at session ${n}`,
      )
    })
    t.same(errors, [], `${lang}: no console errors`)
    await page.close()
  }
})

t.test('each language renders its own words', async (t) => {
  const expect: Record<Lang, RegExp[]> = {
    nb: [/Under klinisk grense \(25\)/, /Vis tabell/, /Haster: Reell forverring siden første samtale/, /Status: Bedret, nå over grensen/],
    nn: [/Under klinisk grense \(25\)/, /Vis tabell/, /Hastar: Reell forverring sidan første samtale/, /Status: Betra, no over grensa/],
    en: [/Below the clinical cutoff \(25\)/, /Show table/, /Urgent: Reliable deterioration since the first session/, /Status: Recovered/],
  }
  for (const lang of ['nb', 'nn', 'en'] as Lang[]) {
    const { page, errors } = await open({ lang, data: progress })
    const text = await page.evaluate(() => document.getElementById('p')!.shadowRoot!.textContent!.replace(/\s+/g, ' '))
    for (const re of expect[lang]) t.match(text, re, `${lang}: ${re}`)
    await shot(page, `progress-coordinator-${lang}-desktop`)
    await page.setViewportSize({ width: 360, height: 740 })
    await settle(page)
    await shot(page, `progress-coordinator-${lang}-phone`)
    t.same(errors, [])
    await page.close()
  }
})

t.test('the language follows the host page when the element has none', async (t) => {
  const page = await browser.context.newPage()
  server.setPage('/nn.html', hostPage({ lang: 'nn-NO', body: '<section lang="en"><framgang-progress id="p"></framgang-progress></section>' }))
  await page.goto(`${server.origin}/nn.html`)
  await page.waitForFunction(() => customElements.get('framgang-progress'))
  await page.evaluate((data) => ((document.getElementById('p') as any).data = data), progress)
  await page.waitForFunction(() => /Show table/.test(document.getElementById('p')!.shadowRoot!.textContent!))
  t.pass('closest lang (en on the section) wins over <html lang="nn-NO">')
  await page.evaluate(() => document.querySelector('section')!.removeAttribute('lang'))
  await page.evaluate(() => document.documentElement.setAttribute('lang', 'nb'))
  await page.waitForFunction(() => /Vis tabell/.test(document.getElementById('p')!.shadowRoot!.textContent!))
  t.pass('a language change on <html> is followed')
  await page.close()
})

t.test('axe-core finds nothing, with the table hidden and shown', async (t) => {
  for (const data of [progress, familyView(progress)]) {
    const { page, errors } = await open({ data })
    t.same(await runAxe(page), [], 'table hidden')
    const toggles = page.locator('#p >> button[part="table-toggle"]')
    for (let i = 0; i < (await toggles.count()); i++) await toggles.nth(i).click()
    t.same(await runAxe(page), [], 'tables shown')
    t.same(errors, [])
    await page.close()
  }
})

t.test('points are reachable from the keyboard, from the chart and from the table', async (t) => {
  const { page, errors } = await open({ data: progress, lang: 'nb' })
  const wrap = page.locator('#p >> .canvas-wrap').first()
  await wrap.focus()
  const tip = page.locator('#p >> .tip')
  await t.resolves(tip.waitFor())
  t.match(await tip.textContent(), /Samtale nr\. 6 · 21\. okt\. 2026\s*27,5/, 'focus shows the latest point')
  await page.keyboard.press('ArrowLeft')
  t.match(await tip.textContent(), /Samtale nr\. 5 .*26,3/)
  const live = await page.evaluate(() => document.getElementById('p')!.shadowRoot!.querySelector('[aria-live]')!.textContent)
  t.equal(live, 'Selv, samtale 5, 2. sep. 2026: 26,3', 'announced for screen readers')
  await page.keyboard.press('Home')
  t.match(await tip.textContent(), /Samtale nr\. 1 .*18,2/)
  await shot(page, 'progress-keyboard-point')
  // Emma's chart has two lines: ArrowDown moves to the parent's line at the same session.
  const emma = page.locator('#p >> .canvas-wrap').nth(1)
  await emma.focus()
  await page.keyboard.press('ArrowDown')
  t.match(await page.locator('#p >> .tip').textContent(), /Forelder \(Kari\): 22,5/)
  // Table rows: shown by the toggle, each row focusable, focus highlights the point.
  await page.locator('#p >> button[part="table-toggle"]').first().click()
  const row = page.locator('#p >> table >> tbody tr').nth(2)
  await row.focus()
  t.match(await page.locator('#p >> .tip').textContent(), /Samtale nr\. 3 .*22,9/)
  t.equal(await row.getAttribute('class'), 'active')
  await page.keyboard.press('Tab')
  t.match(await page.locator('#p >> .tip').textContent(), /Samtale nr\. 4 .*24,1/, 'Tab moves to the next row and its point')
  await shot(page, 'progress-table-open')
  t.same(errors, [])
  await page.close()
})

t.test('a parent who rated at fewer conversations: points from one conversation line up on screen', async (t) => {
  const { page, errors } = await open({ data: laggingParent, lang: 'nb' })
  // Pixel x of every point per line, and of each whole number on the x-axis, straight from chart.js.
  const drawn = await page.evaluate(() => {
    const el = document.getElementById('p') as any
    const [live] = [...el.charts.live.values()]
    const lines = live.built.lineDatasets.map((i: number) => live.chart.getDatasetMeta(i).data.map((e: any) => Math.round(e.x)))
    const px = Array.from({ length: 24 }, (_, x) => Math.round(live.chart.scales.x.getPixelForValue(x)))
    return { lines, px }
  })
  const [child, mother] = drawn.lines as number[][]
  const tickAt = (x: number) => drawn.px[x]
  t.same(mother, [7, 8, 10, 11, 12, 14, 15, 16, 17, 18, 19, 20].map(tickAt), 'each of the mother’s points is drawn over its conversation’s tick')
  t.equal(mother[11], child[18], 'her 12th rating straight above or below the child’s 19th, from the same conversation')
  t.ok(mother[11] > child[11], 'not next to the child’s 12th')

  // Pointer: the tooltip over each of the mother's points gives the number of the tick it sits on.
  const { f } = localize('nb')
  const ratings = laggingParent.members[0].series[0].points
  const box = (await page.locator('#p >> canvas').first().boundingBox())!
  const onScreen = await page.evaluate(() => {
    const el = document.getElementById('p') as any
    const [live] = [...el.charts.live.values()]
    const scale = live.chart.scales.x
    return {
      ticks: scale.ticks.map((tick: any) => ({ px: scale.getPixelForValue(tick.value), label: tick.label as string })),
      parent: live.chart.getDatasetMeta(live.built.lineDatasets[1]).data.map((e: any) => ({ x: e.x as number, y: e.y as number })),
    }
  })
  const tipText = () => page.evaluate(() => document.getElementById('p')!.shadowRoot!.querySelector('.tip')?.textContent?.replace(/\s+/g, ' ').trim() ?? '')
  for (const [i, point] of onScreen.parent.entries()) {
    const tick = onScreen.ticks.find((k: { px: number }) => Math.abs(k.px - point.x) < 1)
    t.ok(tick, `a tick under the mother’s ${i + 1}. rating`)
    const want = `Samtale nr. ${tick?.label} · ${f.date(ratings[i].heldOn)} Forelder: ${f.score(ratings[i].total)}`
    await page.mouse.move(box.x + point.x, box.y + point.y)
    await page
      .waitForFunction((want) => document.getElementById('p')!.shadowRoot!.querySelector('.tip')?.textContent?.replace(/\s+/g, ' ').trim() === want, want)
      .catch(() => {})
    t.equal(await tipText(), want, `her ${i + 1}. rating reads tick ${tick?.label}`)
  }
  await shot(page, 'progress-lagging-parent-hover-nb-desktop')
  // Park the pointer where no chart or table row is, even after the tables open (tall page, no scrolling).
  await page.mouse.move(1, 1)
  await page.setViewportSize({ width: 1024, height: 2400 })
  await settle(page)

  // Keyboard: ArrowDown keeps the conversation; the tooltip and announcement give the conversation on the axis and the date.
  await page.locator('#p >> .canvas-wrap').first().focus()
  const tip = page.locator('#p >> .tip')
  t.match(await tip.textContent(), /Samtale nr\. 21 · 21\. jan\. 2026\s*Selv: 29,5/, 'the child’s latest point, at the last conversation')
  await page.keyboard.press('ArrowDown')
  t.match(await tip.textContent(), /Samtale nr\. 20 · 10\. des\. 2025\s*Forelder: 19,5/, 'the mother’s latest, one conversation earlier')
  const live = () => page.evaluate(() => document.getElementById('p')!.shadowRoot!.querySelector('[aria-live]')!.textContent)
  t.equal(await live(), 'Forelder, samtale 20, 10. des. 2025: 19,5', 'announced with the conversation on the axis and her date')
  await page.keyboard.press('ArrowLeft')
  t.match(await tip.textContent(), /Samtale nr\. 19 · 15\. okt\. 2025\s*Forelder: 24,0/, 'ArrowLeft: her previous rating in time')
  await page.keyboard.press('ArrowUp')
  t.match(await tip.textContent(), /Samtale nr\. 19 · 15\. okt\. 2025\s*Selv: 28,0/, 'ArrowUp: the child’s point from that conversation, the same number')
  t.equal(await live(), 'Selv, samtale 19, 15. okt. 2025: 28,0')

  // The tables: one per line, the payload's numbers, each row led by its conversation on the axis.
  await page.locator('#p >> button[part="table-toggle"]').click()
  const [childTable, motherTable] = await tables(page)
  t.same(motherTable.head, ['Samtale nr.', 'Skåring nr.', 'Dato', 'Sum'])
  t.same(
    motherTable.rows.map((r) => r.map((c) => c.value)),
    ratings.map((p, i) => [String([7, 8, 10, 11, 12, 14, 15, 16, 17, 18, 19, 20][i]), String(p.sessionNumber), '', String(p.total)]),
  )
  t.same(
    childTable.rows[18].slice(0, 4).map((c) => c.text),
    ['20', '19', '10. des. 2025', '28,8'],
    'the child’s 19th rating, in the row of conversation 20',
  )
  await page.locator('#p >> table').nth(1).locator('tbody tr').nth(10).focus()
  t.match(await tip.textContent(), /Samtale nr\. 19 · 15\. okt\. 2025\s*Forelder: 24,0/, 'a row highlights its point: the same number as the row header')
  await shot(page, 'progress-lagging-parent-nb-desktop')
  t.same(errors, [])
  await page.close()
})

t.test('family view: plain words, soft band, nothing clinical', async (t) => {
  for (const lang of ['nb', 'nn', 'en'] as Lang[]) {
    const { page, errors } = await open({ lang, data: familyView(progress, { memberId: ids.emma }), width: 360 })
    const text = await page.evaluate(() => document.getElementById('p')!.shadowRoot!.textContent!.replace(/\s+/g, ' '))
    t.notMatch(text, /klinisk|clinical|persentil|percentile|forverr|deteriorat|Haster|Urgent|Status/i, lang)
    t.match(text, { nb: /Slik går det for Emma/, nn: /Slik går det for Emma/, en: /How things are going for Emma/ }[lang])
    t.match(text, { nb: /Over streken har mange det ganske bra/, nn: /Over streken har mange det ganske bra/, en: /Above the line/ }[lang])
    const all = await tables(page)
    // Emma's own line and Kari's about her: the conversation first, then the line's own number, in plain words.
    t.same(
      all[0].head,
      { nb: ['Samtale', 'Svar nr.', 'Dato', 'Poeng'], nn: ['Samtale', 'Svar nr.', 'Dato', 'Poeng'], en: ['Session', 'Answer no.', 'Date', 'Points'] }[lang],
    )
    t.same(
      all[0].rows.map((r) => Number(r[3].value)),
      progress.members[1].series[0].points.map((p) => p.total),
    )
    t.same(
      all[1].rows.map((r) => [Number(r[0].value), Number(r[1].value), Number(r[3].value)]),
      progress.members[1].series[1].points.map((p) => [p.sessionNumber, p.sessionNumber, p.total]),
    )
    await shot(page, `progress-family-emma-${lang}-phone`)
    t.same(errors, [])
    await page.close()
  }
  const { page } = await open({ lang: 'nb', data: familyView(progress, { alliance: true }), width: 1024 })
  await shot(page, 'progress-family-whole-nb-desktop')
  await page.close()
})

t.test('alliance on request, and one member only', async (t) => {
  const { page, errors } = await open({ lang: 'nb', data: progress, attrs: { view: 'alliance', 'member-id': ids.kari } })
  const text = await page.evaluate(() => document.getElementById('p')!.shadowRoot!.textContent!.replace(/\s+/g, ' '))
  t.match(text, /SRS · Samarbeid \(allianse\)/)
  t.match(text, /Under grensen for samarbeid \(36\)/)
  t.match(text, /Følg opp: Lav skår på samarbeidet/)
  t.notMatch(text, /Emma|Jonas/)
  await shot(page, 'progress-alliance-kari-nb-desktop')
  t.same(errors, [])
  await page.close()
})

t.test('charts are destroyed with their element: no leak over many add/remove cycles', async (t) => {
  const { page, errors } = await open({ data: progress })
  const counts = await page.evaluate(async (data) => {
    const ctor = customElements.get('framgang-progress') as unknown as { liveCharts: number }
    const before = ctor.liveCharts
    for (let i = 0; i < 25; i++) {
      const el = document.createElement('framgang-progress') as HTMLElement & { data: unknown; updateComplete: Promise<unknown> }
      el.data = data
      document.body.append(el)
      await el.updateComplete
      await new Promise((r) => requestAnimationFrame(r))
      el.remove()
    }
    // A moved element draws again after being re-attached.
    const moved = document.getElementById('p')!
    document.body.append(moved)
    await new Promise((r) => requestAnimationFrame(r))
    return { before, after: ctor.liveCharts }
  }, progress)
  t.equal(counts.before, 3, 'Kari, Emma (two lines, one chart) and Jonas')
  t.equal(counts.after, 3, 'only the charts of the element still on the page')
  t.same(errors, [])
  await page.close()
})

t.test('fetching: Authorization header, 401 → framgang-token-expired → retry with the new token', async (t) => {
  const seen: string[] = []
  server.setApi((req, res) => {
    if (req.url !== `/v1/families/${ids.family}/progress`) return false
    seen.push(req.headers.authorization ?? '')
    if (req.headers.authorization !== 'Bearer fresh') {
      return json(
        res,
        401,
        { type: '/problems/unauthorized', title: 'Unauthorized', status: 401, detail: 'expired', instance: req.url },
        { 'WWW-Authenticate': 'Bearer' },
      )
    }
    return json(res, 200, progress)
  })
  const page = await browser.context.newPage()
  const log = watchConsole(page)
  await page.goto(`${server.origin}/progress.html`)
  await page.waitForFunction(() => customElements.get('framgang-progress'))
  const events = await page.evaluate(async (familyId) => {
    const el = document.getElementById('p') as HTMLElement & { token: string }
    const got: string[] = []
    el.addEventListener('framgang-token-expired', (e) => {
      got.push(`${e.type}:${(e as CustomEvent).detail.status}:${e.bubbles}:${e.composed}`)
      setTimeout(() => (el.token = 'fresh'), 50)
    })
    el.addEventListener('framgang-loaded', () => got.push('loaded'))
    el.setAttribute('family-id', familyId)
    el.token = 'stale'
    await new Promise<void>((resolve) => el.addEventListener('framgang-loaded', () => resolve()))
    return got
  }, ids.family)
  t.same(events, ['framgang-token-expired:401:true:true', 'loaded'])
  t.same(seen, ['Bearer stale', 'Bearer fresh'], 'one retry, with the fresh token')
  await page.waitForFunction(() => document.getElementById('p')!.shadowRoot!.querySelectorAll('canvas').length === 3)
  t.same(log.errors, [])
  server.setApi(null)
  await page.close()
})

t.test('a right-to-left host page mirrors the layout', async (t) => {
  server.setPage(
    '/rtl.html',
    hostPage({ dir: 'rtl', body: '<framgang-progress id="p" lang="en"></framgang-progress><framgang-caseload id="c" lang="en"></framgang-caseload>' }),
  )
  const page = await browser.context.newPage()
  const log = watchConsole(page)
  await page.setViewportSize({ width: 800, height: 900 })
  await page.goto(`${server.origin}/rtl.html`)
  await page.waitForFunction(() => customElements.get('framgang-progress'))
  await page.evaluate(
    ({ p, c }) => {
      ;(document.getElementById('p') as any).data = p
      ;(document.getElementById('c') as any).data = c
    },
    { p: { ...progress, members: [progress.members[1]] }, c: (await import('../widget/fixtures.js')).caseload },
  )
  await page.locator('#p >> canvas').first().waitFor()
  await page.locator('#p >> .canvas-wrap').first().focus()
  await settle(page)
  // The flags list starts at the right edge: its icon is right of its text.
  const [icon, text] = await page.evaluate(() => {
    const li = document.getElementById('p')!.shadowRoot!.querySelector('.flags li')!
    return [li.querySelector('svg')!.getBoundingClientRect().left, li.querySelector('strong')!.getBoundingClientRect().left]
  })
  t.ok(icon > text, 'icon on the inline start (right) side')
  t.same(await runAxe(page), [])
  await shot(page, 'progress-caseload-rtl')
  t.same(log.errors, [])
  await page.close()
})
