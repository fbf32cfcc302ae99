import { createHash, randomBytes } from 'node:crypto'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { sql } from 'kysely'
import { forbidden, unauthorized } from './problems.js'

export type Principal =
  | { kind: 'api-client'; municipalityId: string; apiClientId: string }
  | { kind: 'coordinator'; municipalityId: string; coordinatorId: string; subject: string }
  | { kind: 'family'; municipalityId: string; familyId: string; memberId: string | null; sessionId: string | null; scopes: string[]; subject: string }

export type PrincipalKind = Principal['kind']

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal
  }
  interface FastifyContextConfig {
    /** Who may call the route at all (api.md's matrix); others get 403. Default: API clients only. */
    allow?: PrincipalKind[]
  }
}

const KEY_PREFIX = 'fgk_'

/** API keys are 256 random bits: a SHA-256 of them is a safe lookup hash (no slow hash needed). */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex')
}

export function newApiKey(): { key: string; hash: string; prefix: string } {
  const key = KEY_PREFIX + randomBytes(32).toString('base64url')
  return { key, hash: hashApiKey(key), prefix: key.slice(0, KEY_PREFIX.length + 6) }
}

/** The stable identity a principal's idempotency keys are scoped to (never a token's jti). */
export function principalKey(p: Principal): string {
  switch (p.kind) {
    case 'api-client':
      return `api-client:${p.apiClientId}`
    case 'coordinator':
      return `coordinator:${p.coordinatorId}`
    case 'family':
      return `family:${p.familyId}:${p.memberId ?? '*'}`
  }
}

function bearer(request: FastifyRequest): string | null {
  const header = request.headers.authorization
  if (!header) return null
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header)
  return m ? m[1] : ''
}

async function auth(app: FastifyInstance) {
  app.decorateRequest('principal', null as never)

  async function apiClient(credential: string): Promise<Principal | null> {
    const hash = hashApiKey(credential)
    // A SECURITY DEFINER lookup (key hash → client and municipality, nothing else): one round
    // trip outside any transaction, before the municipality is known. The hash (64 hex digits)
    // is inlined so the query goes as ONE simple-protocol message: the embedded database's
    // socket server interleaves the Parse/Bind/Execute messages of concurrent connections
    // outside explicit transactions (pglite-socket issue #1046), which under concurrent
    // requests failed lookups ("unnamed prepared statement does not exist"), answered 401 to
    // valid keys, or hung its queue.
    if (!/^[0-9a-f]{64}$/.test(hash)) return null
    const r = await sql<{ api_client_id: string; municipality_id: string }>`SELECT * FROM framgang_api_client_by_key_hash(${sql.lit(hash)})`.execute(app.db)
    const row = r.rows[0]
    return row ? { kind: 'api-client', municipalityId: row.municipality_id, apiClientId: row.api_client_id } : null
  }

  async function embedToken(credential: string): Promise<Principal | null> {
    const claims = await app.tokens.verify(credential)
    if (!claims) return null
    const subject = claims.sub ?? ''
    if (claims.role === 'coordinator') return { kind: 'coordinator', municipalityId: claims.mun, coordinatorId: claims.coordinatorId, subject }
    return {
      kind: 'family',
      municipalityId: claims.mun,
      familyId: claims.familyId,
      memberId: claims.memberId ?? null,
      sessionId: claims.sessionId ?? null,
      scopes: (claims.scope ?? '').split(' ').filter(Boolean),
      subject,
    }
  }

  app.addHook('onRequest', async (request) => {
    // Everything under /v1 needs a credential (but CORS preflights, which carry none); health,
    // docs and the widget are public.
    if (!request.routeOptions.url?.startsWith('/v1/') || request.method === 'OPTIONS') return
    const credential = bearer(request)
    if (credential === null) throw unauthorized('Send an API key or an embed token as Authorization: Bearer <credential>')
    const principal = credential.startsWith(KEY_PREFIX) ? await apiClient(credential) : await embedToken(credential)
    if (!principal) throw unauthorized('The API key is unknown or revoked, or the token is expired or not valid')
    request.principal = principal
    const allow = request.routeOptions.config.allow ?? ['api-client']
    if (!allow.includes(principal.kind)) throw forbidden(`A ${principal.kind} may not use ${request.method} ${request.routeOptions.url}`)
    // api.md: a family token without self-report that tries to write is a 403, and 403s come
    // before 404s, so it cannot learn which sessions exist by writing to them.
    if (principal.kind === 'family' && request.method !== 'GET' && request.method !== 'HEAD' && !principal.scopes.includes('self-report')) {
      throw forbidden('This token may read, not write (no self-report scope)')
    }
  })
}

export default fp(auth, { name: 'auth', dependencies: ['database', 'tokens'] })
