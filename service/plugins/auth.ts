import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import type { CredentialCheck } from '../db/kysely.js'
import { API_KEY_PREFIX, apiClientByKeyHash, credentialHolds, hashApiKey } from '../repositories/api-clients.js'
import { forbidden, Problem, problemBody, unauthorized } from './problems.js'

export type Principal =
  | { kind: 'api-client'; municipalityId: string; apiClientId: string }
  | { kind: 'coordinator'; municipalityId: string; coordinatorId: string; subject: string }
  | { kind: 'family'; municipalityId: string; familyId: string; memberId: string | null; sessionId: string | null; scopes: string[]; subject: string }

export type PrincipalKind = Principal['kind']

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal
    /**
     * Set when the API key was found in this process's cache, and for every embed token (its
     * minting API client and coordinator, which no process can cache): checked in the first
     * statement of the request's transaction (see takeCredentialCheck), or before the answer
     * leaves when the request opened none.
     */
    credentialCheck: CredentialCheck | null
  }
  interface FastifyInstance {
    /** Forget cached keys of an API client (after revoking it). */
    forgetApiClient(apiClientId: string): void
  }
  interface FastifyContextConfig {
    /** Who may call the route at all (docs/api.md's matrix); others get 403. Default: API clients only. */
    allow?: PrincipalKind[]
  }
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

/** How many API keys a process remembers (a municipality has a handful; bounded regardless). */
const KEY_CACHE_SIZE = 1000

/**
 * The request's pending credential check, handed to the first transaction it opens (once):
 * that transaction's first statement checks the key again, in the same round trip as its
 * settings (service/db/kysely.ts inMunicipality).
 */
export function takeCredentialCheck(request: FastifyRequest): CredentialCheck | undefined {
  const check = request.credentialCheck
  if (!check) return undefined
  request.credentialCheck = null
  return check
}

const rejectedKey = () => unauthorized('The API key is unknown or revoked, or the token is expired or not valid')
const endedGrant = () => unauthorized('The token no longer holds: the API key that issued it was revoked, or its coordinator is no longer active')

async function auth(app: FastifyInstance) {
  app.decorateRequest('principal', null as never)
  app.decorateRequest('credentialCheck', null)

  // Key hash → principal, for keys this process has seen valid. A hit is never trusted alone:
  // it only moves the database check into the request's own transaction, so a key revoked on
  // another instance fails at once. Insertion order makes the Map evict its oldest entry first.
  const keys = new Map<string, Principal & { kind: 'api-client' }>()
  const remember = (hash: string, principal: Principal & { kind: 'api-client' }) => {
    keys.delete(hash)
    keys.set(hash, principal)
    if (keys.size > KEY_CACHE_SIZE) keys.delete(keys.keys().next().value!)
  }
  app.decorate('forgetApiClient', (apiClientId: string) => {
    for (const [hash, p] of keys) if (p.apiClientId === apiClientId) keys.delete(hash)
  })
  const checkFor = (hash: string): CredentialCheck => ({
    kind: 'api-key',
    apiKeyHash: hash,
    rejected() {
      keys.delete(hash)
      return rejectedKey()
    },
  })

  // Before the municipality is known: a SECURITY DEFINER lookup (key hash → client and
  // municipality, nothing else), one round trip outside any transaction.
  async function lookUp(hash: string): Promise<(Principal & { kind: 'api-client' }) | null> {
    const found = await apiClientByKeyHash(app.db, hash)
    return found ? { kind: 'api-client', ...found } : null
  }

  async function apiClient(request: FastifyRequest, credential: string): Promise<Principal | null> {
    const hash = hashApiKey(credential)
    const known = keys.get(hash)
    if (known) {
      request.credentialCheck = checkFor(hash)
      return known
    }
    const principal = await lookUp(hash)
    if (principal) remember(hash, principal)
    return principal
  }

  async function embedToken(request: FastifyRequest, credential: string): Promise<Principal | null> {
    const claims = await app.tokens.verify(credential)
    if (!claims) return null
    const subject = claims.sub ?? ''
    // A signature proves what was granted when the token was minted, not that it still is.
    request.credentialCheck = {
      kind: 'embed-token',
      apiClientId: claims.client_id ?? null,
      coordinatorId: claims.role === 'coordinator' ? claims.coordinatorId : null,
      issuedAt: claims.iat!,
      rejected: endedGrant,
    }
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
    const principal = credential.startsWith(API_KEY_PREFIX) ? await apiClient(request, credential) : await embedToken(request, credential)
    if (!principal) throw rejectedKey()
    request.principal = principal
    const allow = request.routeOptions.config.allow ?? ['api-client']
    if (!allow.includes(principal.kind)) throw forbidden(`A ${principal.kind} may not use ${request.method} ${request.routeOptions.url}`)
    // docs/api.md: a family token without self-report that tries to write is a 403, and 403s come
    // before 404s, so it cannot learn which sessions exist by writing to them.
    if (principal.kind === 'family' && request.method !== 'GET' && request.method !== 'HEAD' && !principal.scopes.includes('self-report')) {
      throw forbidden('This token may read, not write (no self-report scope)')
    }
  })

  // A request answered from a cached key or with an embed token without opening a transaction
  // (a 400 before the handler, a 403, a route that reads no data) checks the credential now,
  // before its answer leaves: the same check as in a transaction's first statement, on its own.
  app.addHook('onSend', async (request, reply, payload) => {
    const check = takeCredentialCheck(request)
    if (!check) return payload
    if (await credentialHolds(app.db, check, request.principal.municipalityId)) return payload
    const problem = check.rejected()
    if (!(problem instanceof Problem)) throw problem
    reply.code(problem.status).type('application/problem+json; charset=utf-8')
    for (const [name, value] of Object.entries(problem.headers)) reply.header(name, value)
    return JSON.stringify(problemBody(request, problem))
  })
}

export default fp(auth, { name: 'auth', dependencies: ['database', 'tokens'] })
