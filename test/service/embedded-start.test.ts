import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import t from 'tap'
import { freePort } from '../helpers/ports.js'
import { NO_LOAD_SHEDDING } from '../helpers/app.js'
import { projectRoot } from '../../service/paths.js'

// Starting the embedded database, migrating and seeding the demo takes a while on two cores.
t.setTimeout(600_000)

interface Running {
  child: ChildProcess
  url: string
  apiKey: string
  output: () => string
  stop(): Promise<number | null>
}

function environment(dataDir: string, port: number): NodeJS.ProcessEnv {
  // No load shedding: a loaded test machine must not turn this start's answers into 503s.
  const env: NodeJS.ProcessEnv = { ...process.env, ...NO_LOAD_SHEDDING, DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' }
  // The embedded default is what `npm start` does without configuration.
  delete env.DATABASE_URL
  delete env.TEST_DATABASE_URL
  delete env.SEED_DEMO
  delete env.TOKEN_PRIVATE_KEY
  return env
}

function launch(dataDir: string, port: number) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'service/server.ts'], {
    cwd: projectRoot,
    env: environment(dataDir, port),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  return { child, output: () => output, exited }
}

/** Starts `service/server.ts` and waits for the two lines a newcomer reads. */
async function start(dataDir: string, port: number): Promise<Running> {
  const { child, output, exited } = launch(dataDir, port)
  const ready = await new Promise<{ url: string; apiKey: string }>((resolve, reject) => {
    const check = () => {
      const url = /Framgang is running at (http:\/\/\S+)/.exec(output())?.[1]
      const apiKey = /Demo API key: (\S+)/.exec(output())?.[1]
      if (url && apiKey) {
        clearInterval(timer)
        resolve({ url, apiKey })
      }
    }
    const timer = setInterval(check, 100)
    exited.then((code) => {
      clearInterval(timer)
      reject(new Error(`the server exited (${code}) before it was ready:\n${output()}`))
    })
  })
  return {
    child,
    ...ready,
    output,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM')
      return exited
    },
  }
}

t.test('npm start without DATABASE_URL: embedded database, demo key, data kept, one process per DATA_DIR', async (t) => {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'framgang-embedded-'))
  const running: Running[] = []
  t.teardown(async () => {
    for (const r of running) await r.stop()
    await rm(dataDir, { recursive: true, force: true })
  })

  const port = await freePort()
  const first = await start(dataDir, port)
  running.push(first)
  t.equal(first.url, `http://127.0.0.1:${port}/`, 'the printed address is the one it listens on')
  t.match(first.apiKey, /^fgk_/)
  const ready = await fetch(`${first.url}health/ready`)
  t.equal(ready.status, 200)
  t.same(await ready.json(), { status: 'ok' })
  const auth = { authorization: `Bearer ${first.apiKey}` }
  const families = await fetch(`${first.url}v1/families?limit=200`, { headers: auth })
  t.equal(families.status, 200)
  const demo = (await families.json()) as { items: { id: string }[] }
  t.ok(demo.items.length > 0, `the demo municipality has families (${demo.items.length})`)
  const coordinatorId = ((await (await fetch(`${first.url}v1/coordinators`, { headers: auth })).json()) as { items: { id: string }[] }).items[0].id
  const created = await fetch(`${first.url}v1/families`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json', 'idempotency-key': 'embedded-smoke' },
    body: JSON.stringify({ externalRef: 'KEPT-ACROSS-RESTARTS', coordinatorId, startedOn: '2026-01-05', members: [] }),
  })
  t.equal(created.status, 201)
  const keptId = ((await created.json()) as { id: string }).id

  // A second process on the same folder must refuse, saying why.
  const intruder = launch(dataDir, await freePort())
  const code = await intruder.exited
  t.not(code, 0, 'a second start on the same DATA_DIR fails')
  t.match(intruder.output(), /Another Framgang process \(pid \d+\) is using the embedded database/, 'and says another process holds the folder')
  t.match(intruder.output(), dataDir, 'naming the folder')
  t.equal((await fetch(`${first.url}health/ready`)).status, 200, 'the first keeps running')

  t.equal(await first.stop(), 0, 'SIGTERM stops it cleanly')
  t.notOk(existsSync(path.join(dataDir, 'framgang.lock')), 'and releases the lock')

  const again = await start(dataDir, port)
  running.push(again)
  t.equal(again.apiKey, first.apiKey, 'the same demo key on every start')
  const kept = await fetch(`${again.url}v1/families?externalRef=KEPT-ACROSS-RESTARTS`, { headers: auth })
  t.same(
    ((await kept.json()) as { items: { id: string }[] }).items.map((f) => f.id),
    [keptId],
    'data written before the restart is kept',
  )
  const demoAgain = (await (await fetch(`${again.url}v1/families?limit=200`, { headers: auth })).json()) as { items: unknown[] }
  t.equal(demoAgain.items.length, demo.items.length + 1, 'the demo was not seeded twice')
  t.equal(await again.stop(), 0)
})
