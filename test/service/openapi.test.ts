import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { testApp } from '../helpers/app.js'

const run = promisify(execFile)

interface Operation {
  operationId?: string
  responses?: Record<string, unknown>
}

/**
 * Host systems generate their clients from the OpenAPI document, so it must satisfy a linter's
 * recommended rules: every operation with a stable operationId (the generated method's name),
 * servers, a licence and a contact. @redocly/cli lints it as a host's pipeline would
 * (redocly.yaml says which rule is off, and why).
 */
t.test('the OpenAPI document lints clean and names every operation', async (t) => {
  const { app } = await testApp(t)
  const res = await app.inject({ method: 'GET', url: '/docs/json', headers: { host: 'framgang.kommune.no', 'x-forwarded-proto': 'https' } })
  t.equal(res.statusCode, 200)
  const doc = res.json() as { servers?: { url: string }[]; paths: Record<string, Record<string, Operation>> }
  t.match(doc.servers, [{ url: /^https?:\/\/framgang\.kommune\.no$/ }], 'servers: the address the document was fetched from')

  const operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({ label: `${method.toUpperCase()} ${path}`, ...op })),
  )
  const ids = operations.map((o) => o.operationId)
  t.same(
    operations.filter((o) => !o.operationId).map((o) => o.label),
    [],
    'every operation has an operationId',
  )
  t.equal(new Set(ids).size, ids.length, 'operationIds are unique')
  for (const id of ids) t.match(id, /^[a-z][A-Za-z]+$/, `${id} is a method name in camelCase`)
  // redocly.yaml turns operation-4xx-response off for the health probes' sake; the API's own
  // operations are held to it here.
  t.same(
    operations.filter((o) => o.label.includes(' /v1/') && !Object.keys(o.responses ?? {}).some((code) => code.startsWith('4'))).map((o) => o.label),
    [],
    'every /v1 operation documents its 4xx answers',
  )

  const dir = await mkdtemp(join(tmpdir(), 'framgang-openapi-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const file = join(dir, 'openapi.json')
  await writeFile(file, res.body)
  const lint = await run(process.execPath, ['node_modules/@redocly/cli/bin/cli.js', 'lint', file, '--config', 'redocly.yaml', '--format', 'json'], {
    maxBuffer: 16 * 1024 * 1024,
  }).catch((err: { stdout?: string; stderr?: string; code?: number }) => ({ stdout: err.stdout ?? '', stderr: err.stderr ?? '', failed: err.code }))
  const report = JSON.parse(lint.stdout) as { totals: { errors: number; warnings: number }; problems: { ruleId: string; message: string }[] }
  t.same(
    report.problems.map((p) => `${p.ruleId}: ${p.message}`),
    [],
    'no problem reported',
  )
  t.same(report.totals, { ...report.totals, errors: 0, warnings: 0 }, 'zero errors and zero warnings')
})
