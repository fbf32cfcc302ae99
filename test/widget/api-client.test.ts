import t from 'tap'
import { ApiError, apiUrl, NetworkError, request, type ApiHost } from '../../widget/api/client.js'
import { minifyCss, minifyHtml, minifyTemplates } from '../../widget/build/minify-templates.js'

interface Call {
  url: string
  headers: Record<string, string>
  body?: string
}

function fakeFetch(responses: (() => Response)[], calls: Call[]): typeof fetch {
  return (async (url: string, init: RequestInit) => {
    calls.push({ url, headers: init.headers as Record<string, string>, body: init.body as string | undefined })
    const next = responses.shift()
    if (!next) throw new TypeError('Failed to fetch')
    return next()
  }) as typeof fetch
}

const json =
  (status: number, body: unknown, type = 'application/json') =>
  () =>
    new Response(JSON.stringify(body), { status, headers: { 'Content-Type': type } })

function host(token: string, fresh: () => Promise<string>): ApiHost & { asked: number } {
  const h = {
    apiBase: 'https://framgang.test/',
    token,
    asked: 0,
    freshToken: async () => {
      h.asked++
      return fresh()
    },
  }
  return h
}

t.test('requests carry the token, JSON and the idempotency key', async (t) => {
  const calls: Call[] = []
  const res = await request(
    host('tok-1', async () => 'x'),
    '/v1/families/f/sessions',
    {
      method: 'POST',
      body: { a: 1 },
      idempotencyKey: 'key-1',
      fetch: fakeFetch([json(201, { id: 's' })], calls),
    },
  )
  t.same(res, { status: 201, body: { id: 's' } })
  t.equal(calls[0].url, 'https://framgang.test/v1/families/f/sessions')
  t.equal(calls[0].headers.Authorization, 'Bearer tok-1')
  t.equal(calls[0].headers['Idempotency-Key'], 'key-1')
  t.equal(calls[0].headers['Content-Type'], 'application/json')
  t.equal(calls[0].body, '{"a":1}')
  t.equal(apiUrl('', '/v1/caseload'), '/v1/caseload')
})

t.test('401: ask the host once for a fresh token, retry with it and the same key', async (t) => {
  const calls: Call[] = []
  const h = host('old', async () => 'new')
  const problem = { type: '/problems/unauthorized', title: 'Unauthorized', status: 401, detail: 'expired', instance: '/v1/x' }
  const res = await request(h, '/v1/x', {
    method: 'POST',
    body: {},
    idempotencyKey: 'same',
    fetch: fakeFetch([json(401, problem, 'application/problem+json'), json(201, { ok: true })], calls),
  })
  t.equal(res.status, 201)
  t.equal(h.asked, 1)
  t.same(
    calls.map((c) => [c.headers.Authorization, c.headers['Idempotency-Key']]),
    [
      ['Bearer old', 'same'],
      ['Bearer new', 'same'],
    ],
  )
})

t.test('401 with no fresh token coming: an ApiError 401', async (t) => {
  const h = host('old', async () => Promise.reject(new Error('timeout')))
  const err = await request(h, '/v1/x', { fetch: fakeFetch([json(401, { status: 401, title: 'x', type: 't', detail: 'd', instance: 'i' })], []) }).catch(
    (e) => e,
  )
  t.type(err, ApiError)
  t.equal(err.status, 401)
})

t.test('problem+json errors and network failures are told apart', async (t) => {
  const problem = {
    type: '/problems/rule',
    title: 'Rule',
    status: 422,
    detail: 'no',
    instance: '/v1/x',
    errors: [{ path: '/ratings/0/items/2', message: 'too big' }],
  }
  const err = await request(
    host('t', async () => 't'),
    '/v1/x',
    { fetch: fakeFetch([json(422, problem, 'application/problem+json')], []) },
  ).catch((e) => e)
  t.type(err, ApiError)
  t.same(err.problem.errors, problem.errors)
  const html = await request(
    host('t', async () => 't'),
    '/v1/x',
    { fetch: fakeFetch([() => new Response('<h1>502</h1>', { status: 502 })], []) },
  ).catch((e) => e)
  t.equal(html.status, 502)
  t.equal(html.problem, null)
  const offline = await request(
    host('t', async () => 't'),
    '/v1/x',
    { fetch: fakeFetch([], []) },
  ).catch((e) => e)
  t.type(offline, NetworkError)
})

t.test('build-time template minifying keeps meaning', async (t) => {
  t.equal(
    minifyCss(`
    /* comment */
    .a > .b,
    .c :focus {
      margin-inline: 0 1rem;
      transform: translate(-50%, calc(-100% - 0.75rem));
    }`),
    '.a>.b,.c :focus{margin-inline:0 1rem;transform:translate(-50%,calc(-100% - 0.75rem))}',
  )
  t.equal(minifyHtml('<p>\n      <strong>A</strong> b\n    </p>'), '<p> <strong>A</strong> b </p>')
  const source = "const s = css`\n  .x {\n    color: red;\n  }\n`\nconst h = html`<div>\n  ${a ? html`<b>\n x</b>` : ''}\n</div>`\nconst other = `keep\n  me`"
  t.equal(minifyTemplates(source, 'x.ts'), "const s = css`.x{color:red}`\nconst h = html`<div> ${a ? html`<b> x</b>` : ''} </div>`\nconst other = `keep\n  me`")
  const withUnicode = "// æøå – “quotes”\nconst s = css`\n  .x { content: 'å'; }\n`"
  t.equal(minifyTemplates(withUnicode, 'y.ts'), "// æøå – “quotes”\nconst s = css`.x{content:'å'}`", 'offsets hold after non-ASCII text')
})
