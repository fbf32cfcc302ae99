import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { chownSync, mkdtempSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import http from 'node:http'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { projectRoot } from '../../service/paths.js'
import { NO_LOAD_SHEDDING } from '../helpers/app.js'
import { freePort } from '../helpers/ports.js'

export { freePort }

/**
 * What the reliability tests share (not itself a test file): a PostgreSQL cluster of their own,
 * which they may stop and start at will, the service as a child process, and a plain HTTP client
 * that reports a reset as a reset.
 */

const run = promisify(execFile)
const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin'

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** Polls until check() returns something truthy, or fails after timeoutMs saying what it waited for. */
export async function waitFor<T>(what: string, check: () => T | Promise<T>, timeoutMs: number, everyMs = 100): Promise<NonNullable<T>> {
  const until = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value) return value as NonNullable<T>
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await sleep(everyMs)
  }
}

export interface Cluster {
  port: number
  /** The postgres database as the postgres user (trust authentication, this cluster only). */
  url: string
  start(): Promise<void>
  /** `pg_ctl stop -m immediate`: every backend ends at once, as in a crash or a failover. */
  crash(): Promise<void>
  destroy(): Promise<void>
}

/**
 * A throwaway PostgreSQL 15 cluster in a temporary directory on a free port, never the shared
 * server on 5432. PostgreSQL refuses to run as root, so as root the binaries run as `postgres`.
 */
export async function throwawayCluster(): Promise<Cluster> {
  const dir = mkdtempSync(path.join(tmpdir(), 'framgang-pg-'))
  const asRoot = process.getuid?.() === 0
  if (asRoot) chownSync(dir, Number((await run('id', ['-u', 'postgres'])).stdout.trim()), Number((await run('id', ['-g', 'postgres'])).stdout.trim()))
  const pg = (bin: string, args: string[], timeout = 30_000) =>
    asRoot ? run('runuser', ['-u', 'postgres', '--', path.join(PG_BIN, bin), ...args], { timeout }) : run(path.join(PG_BIN, bin), args, { timeout })
  const data = path.join(dir, 'data')
  // fsync off is safe here: an immediate stop ends the server's processes, not the machine, so
  // the kernel still holds every write. synchronous_commit stays on: a commit the service
  // acknowledged must survive the crash, which is what the tests check.
  await pg('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync'], 60_000)
  const port = await freePort()
  let running = false
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=60`
  return {
    port,
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async start() {
      await pg('pg_ctl', ['-D', data, '-o', options, '-l', path.join(dir, 'server.log'), '-w', '-t', '30', 'start'], 40_000)
      running = true
    },
    async crash() {
      await pg('pg_ctl', ['-D', data, '-m', 'immediate', '-w', '-t', '30', 'stop'], 40_000)
      running = false
    },
    async destroy() {
      if (running) await pg('pg_ctl', ['-D', data, '-m', 'immediate', '-w', '-t', '30', 'stop'], 40_000).catch(() => {})
      await rm(dir, { recursive: true, force: true })
    },
  }
}

export interface Service {
  child: ChildProcess
  port: number
  base: string
  output(): string
  /** Resolves with the exit code (or the signal's name) when the process ends. */
  exited: Promise<number | string>
  /** Waits until the output matches, or fails with the output so far. */
  waitForOutput(pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray>
  /** SIGKILL if it still runs (teardown). */
  kill(): Promise<void>
}

/** `node --import tsx service/server.ts` against the given database, on a free port. */
export async function startService(env: Record<string, string>): Promise<Service> {
  const port = await freePort()
  // Only the outages under test answer 503, never a moment of load on a shared machine.
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    HOST: '127.0.0.1',
    PORT: String(port),
    SEED_DEMO: 'false',
    LOG_LEVEL: 'warn',
    ...NO_LOAD_SHEDDING,
    ...env,
  }
  delete childEnv.TEST_DATABASE_URL
  delete childEnv.TOKEN_PRIVATE_KEY
  const child = spawn(process.execPath, ['--import', 'tsx', 'service/server.ts'], { cwd: projectRoot, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')))
  let done = false
  void exited.then(() => (done = true))
  return {
    child,
    port,
    base: `http://127.0.0.1:${port}`,
    output: () => output,
    exited,
    async waitForOutput(pattern, timeoutMs) {
      const until = Date.now() + timeoutMs
      for (;;) {
        const m = pattern.exec(output)
        if (m) return m
        if (done) throw new Error(`the service exited before printing ${pattern}:\n${output.slice(-4000)}`)
        if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${pattern}:\n${output.slice(-4000)}`)
        await sleep(50)
      }
    },
    async kill() {
      if (!done) {
        child.kill('SIGKILL')
        await exited
      }
    },
  }
}

export interface Answer {
  status: number
  headers: http.IncomingHttpHeaders
  body: string
}

export type Outcome = Answer | { error: string }

/** One HTTP request with a hard timeout; a reset or a refused connection comes back as { error: code }. */
export function request(
  base: string,
  method: string,
  url: string,
  options: { agent?: http.Agent; headers?: Record<string, string>; body?: unknown; timeoutMs?: number } = {},
): Promise<Outcome> {
  return new Promise((resolve) => {
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body)
    const headers: Record<string, string> = { ...(options.headers ?? {}) }
    if (payload !== undefined) {
      headers['content-type'] = 'application/json'
      headers['content-length'] = String(Buffer.byteLength(payload))
    }
    const req = http.request(`${base}${url}`, { method, headers, agent: options.agent ?? false, timeout: options.timeoutMs ?? 15_000 }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (body += chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
      res.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }))
    })
    req.on('timeout', () => req.destroy(Object.assign(new Error('request timed out'), { code: 'TIMEOUT' })))
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }))
    req.end(payload)
  })
}

export const isAnswer = (o: Outcome): o is Answer => 'status' in o

/** An RFC 9457 503 `unavailable` with Retry-After, as docs/api.md describes it. */
export function isUnavailableProblem(o: Outcome): boolean {
  if (!isAnswer(o) || o.status !== 503) return false
  if (!/^application\/problem\+json/.test(String(o.headers['content-type']))) return false
  if (!/^\d+$/.test(String(o.headers['retry-after']))) return false
  try {
    const body = JSON.parse(o.body) as { type?: unknown; status?: unknown }
    return body.type === '/problems/unavailable' && body.status === 503
  } catch {
    return false
  }
}

/** Text that must never reach a client: addresses, driver and socket error codes. */
export const INTERNALS = /ECONN|127\.0\.0\.1|:\d{4,5}\b|terminat|postgres|pg_|FST_ERR/i

/** An outcome in one short line for assertion messages. */
export function show(o: Outcome): string {
  if (!isAnswer(o)) return `error ${o.error}`
  return `${o.status} ${String(o.headers['content-type'] ?? '')} retry-after=${String(o.headers['retry-after'] ?? '-')} ${o.body.slice(0, 200)}`
}
