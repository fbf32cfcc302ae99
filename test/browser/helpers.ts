import { existsSync, rmSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { extname, join, normalize, resolve } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { chromium, type BrowserContext, type Page } from 'playwright-core'

/**
 * Reusable pieces for browser tests: build the widget, serve it (with a strict CSP, as the
 * hardest host page would), launch Debian's Chromium, collect console errors, run axe-core and
 * take screenshots. The API-level end-to-end tests reuse these with the real service.
 */

export const root = resolve(import.meta.dirname, '../..')
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
export const shotsDir = process.env.WIDGET_SHOTS_DIR ?? '/tmp/widget-shots'

/** The CSP of a strict host page: no inline script or style, no eval. */
export const strictCsp =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

/**
 * The strict CSP with more origins the page may fetch from (`connect-src`), for a host page
 * talking to the real service on another origin. Everything else stays as strict.
 */
export function strictCspWith(options: { connect?: string[] }): string {
  const connect = ["'self'", ...(options.connect ?? [])].join(' ')
  return strictCsp.replace("connect-src 'self'", `connect-src ${connect}`)
}

let built: Promise<string> | null = null

/**
 * Builds the bundle with the project's vite.config.ts into a private folder, so parallel test
 * files never read a half-written dist/. Returns the folder holding framgang.js and framgang.iife.js.
 */
export function buildWidget(): Promise<string> {
  built ??= (async () => {
    const { build } = await import('vite')
    const outDir = await mkdtemp(join(tmpdir(), 'framgang-widget-'))
    process.once('exit', () => rmSync(outDir, { recursive: true, force: true }))
    await build({ root, configFile: join(root, 'vite.config.ts'), logLevel: 'warn', build: { outDir, emptyOutDir: true } })
    return outDir
  })()
  return built
}

export async function waitForChromium(timeoutMs = 600_000): Promise<void> {
  const until = Date.now() + timeoutMs
  while (!existsSync(chromiumPath)) {
    if (Date.now() > until) throw new Error(`${chromiumPath} not found (apt-get install chromium)`)
    await sleep(2000)
  }
}

export interface Browser {
  context: BrowserContext
  close(): Promise<void>
}

/** Debian's Chromium, headless, with a fresh profile that is removed on close. */
export async function launchBrowser(): Promise<Browser> {
  await waitForChromium()
  const userDataDir = await mkdtemp(join(tmpdir(), 'framgang-chromium-'))
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
    viewport: { width: 1024, height: 900 },
    locale: 'nb-NO',
    timezoneId: 'Europe/Oslo',
  })
  return {
    context,
    async close() {
      await context.close()
      await rm(userDataDir, { recursive: true, force: true })
    },
  }
}

export type ApiHandler = (req: IncomingMessage, res: ServerResponse, body: string) => boolean | Promise<boolean>

export interface Server {
  origin: string
  /** Replace the fake API for the next requests. */
  setApi(handler: ApiHandler | null): void
  /** A page served with the strict CSP (or `options.csp`): `<script src>` tags only. */
  setPage(path: string, html: string, options?: { csp?: string }): void
  close(): Promise<void>
}

const types: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
}

/**
 * Serves /widget/* from the built bundle, /demo/* from widget/demo, /axe.min.js, pages the test
 * sets, and everything else through the test's fake API (404 problem+json when it declines).
 */
export async function serve(options: { widgetDir: string; api?: ApiHandler }): Promise<Server> {
  let api: ApiHandler | null = options.api ?? null
  const pages = new Map<string, { html: string; csp: string }>()
  const files: [string, string][] = [
    ['/widget/', options.widgetDir],
    ['/demo/', join(root, 'widget/demo')],
  ]
  const server = createServer(async (req, res) => {
    // A fresh connection per request: Chromium silently re-sends a request that failed on a
    // reused keep-alive connection, which would hide the "answer lost" cases the tests make.
    res.setHeader('Connection', 'close')
    try {
      const url = new URL(req.url ?? '/', 'http://localhost')
      const send = (status: number, type: string, body: string | Buffer, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store', ...headers })
        res.end(body)
      }
      const page = pages.get(url.pathname)
      if (page !== undefined) return send(200, types['.html'], page.html, { 'Content-Security-Policy': page.csp })
      if (url.pathname === '/axe.min.js') {
        return send(200, types['.js'], await readFile(join(root, 'node_modules/axe-core/axe.min.js')))
      }
      for (const [prefix, dir] of files) {
        if (!url.pathname.startsWith(prefix)) continue
        const rel = normalize(url.pathname.slice(prefix.length) || 'index.html')
        if (rel.startsWith('..')) return send(403, 'text/plain', 'no')
        const file = join(dir, rel)
        if (!existsSync(file)) break
        const headers: Record<string, string> = extname(file) === '.html' ? { 'Content-Security-Policy': strictCsp } : {}
        return send(200, types[extname(file)] ?? 'application/octet-stream', await readFile(file), headers)
      }
      const chunks: Buffer[] = []
      for await (const c of req) chunks.push(c as Buffer)
      const body = Buffer.concat(chunks).toString('utf8')
      if (api && (await api(req, res, body))) return
      send(
        404,
        'application/problem+json',
        JSON.stringify({ type: '/problems/not-found', title: 'Not Found', status: 404, detail: `${url.pathname} is not here`, instance: url.pathname }),
      )
    } catch (error) {
      res.writeHead(500, { 'Content-Type': 'text/plain' })
      res.end(String(error))
    }
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const { port } = server.address() as AddressInfo
  return {
    origin: `http://127.0.0.1:${port}`,
    setApi: (h) => void (api = h),
    setPage: (path, html, pageOptions) => void pages.set(path, { html, csp: pageOptions?.csp ?? strictCsp }),
    close: () => new Promise<void>((r) => server.close(() => r())),
  }
}

export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): true {
  const problem = status >= 400
  res.writeHead(status, { 'Content-Type': problem ? 'application/problem+json' : 'application/json', ...headers })
  res.end(JSON.stringify(body))
  return true
}

/**
 * A host page: the ES bundle, then the test's own script file (no inline script: the CSP forbids
 * it). `body` is plain HTML; components are fed by `page.evaluate` or by the script.
 */
export function hostPage(options: { lang?: string; body: string; title?: string; script?: string; dir?: 'ltr' | 'rtl' }): string {
  return `<!doctype html>
<html lang="${options.lang ?? 'nb'}"${options.dir ? ` dir="${options.dir}"` : ''}>
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.title ?? 'Framgang test host'}</title>
<link rel="stylesheet" href="/demo/demo.css">
<script type="module" src="/widget/framgang.js"></script>
${options.script ? `<script type="module" src="${options.script}"></script>` : ''}
</head>
<body>
<main>
<h1>${options.title ?? 'Framgang'}</h1>
${options.body}
</main>
</body>
</html>`
}

export interface ConsoleLog {
  errors: string[]
}

/** Console errors, page errors and CSP violations of a page, for a "no console errors" check. */
export function watchConsole(page: Page): ConsoleLog {
  const log: ConsoleLog = { errors: [] }
  page.on('console', (msg) => {
    if (msg.type() === 'error' || msg.type() === 'warning') {
      const text = msg.text()
      // The fake API answers some requests with errors on purpose; the browser logs those loads.
      if (/Failed to load resource/.test(text)) return
      if (msg.type() === 'error' || /Content.Security.Policy|Refused/i.test(text)) log.errors.push(text)
    }
  })
  page.on('pageerror', (err) => log.errors.push(String(err)))
  return log
}

let axeSource: Promise<string> | undefined

/** Runs axe-core (WCAG 2.0/2.1 A and AA plus best practices) on the page, shadow roots included. */
export async function runAxe(page: Page, context = 'document'): Promise<{ id: string; impact: string | null; help: string; targets: string[] }[]> {
  if (!(await page.evaluate(() => 'axe' in window))) {
    // Evaluated through the DevTools protocol, so it works on any server and under a strict CSP.
    axeSource ??= readFile(join(root, 'node_modules/axe-core/axe.min.js'), 'utf8')
    await page.evaluate(await axeSource)
  }
  return page.evaluate(async (ctx) => {
    const axe = (window as unknown as { axe: any }).axe
    const result = await axe.run(ctx === 'document' ? document : document.querySelector(ctx), {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
      resultTypes: ['violations'],
    })
    return result.violations.map((v: any) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.map((n: any) => JSON.stringify(n.target) + ' ' + (n.failureSummary ?? '')),
    }))
  }, context)
}

/**
 * A full-page screenshot under WIDGET_SHOTS_DIR, and for long pages also parts of it
 * (`name.part-1.png`, …) small enough to look at closely.
 */
export async function shot(page: Page, name: string, partHeight = 1000): Promise<string> {
  await mkdir(shotsDir, { recursive: true })
  const path = join(shotsDir, `${name}.png`)
  await page.screenshot({ path, fullPage: true })
  const { width, height } = await page.evaluate(() => ({ width: document.documentElement.clientWidth, height: document.documentElement.scrollHeight }))
  if (height > partHeight * 1.3) {
    for (let y = 0, i = 1; y < height - 40; y += partHeight, i++) {
      await page.screenshot({
        path: join(shotsDir, `${name}.part-${i}.png`),
        fullPage: true,
        clip: { x: 0, y, width, height: Math.min(partHeight, height - y) },
      })
    }
  }
  return path
}

/** Waits for a `framgang-*` event on the element matched by `selector` (after `action` runs). */
export async function eventFrom<T = unknown>(page: Page, selector: string, type: string, action: () => Promise<unknown>): Promise<T> {
  await page.evaluate(
    ({ selector, type }) => {
      const el = document.querySelector(selector)!
      const w = window as unknown as { __events: Record<string, unknown[]> }
      w.__events ??= {}
      w.__events[type] = []
      el.addEventListener(type, (e) => w.__events[type].push((e as CustomEvent).detail))
    },
    { selector, type },
  )
  await action()
  const handle = await page.waitForFunction((type) => (window as unknown as { __events: Record<string, unknown[]> }).__events[type]?.[0], type)
  return (await handle.jsonValue()) as T
}

/**
 * What every browser test file starts with: the bundle built, served, and a browser, all closed
 * when the file's tests end.
 */
export async function setup(t: { teardown(fn: () => Promise<void>): void }): Promise<{ server: Server; browser: Browser }> {
  const widgetDir = await buildWidget()
  const server = await serve({ widgetDir })
  const browser = await launchBrowser()
  t.teardown(async () => {
    await browser.close()
    await server.close()
  })
  return { server, browser }
}

/** Waits until layout and chart redraws after a change (resize, data) have landed. */
export async function settle(page: Page): Promise<void> {
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))))
  await page.waitForTimeout(150)
}
