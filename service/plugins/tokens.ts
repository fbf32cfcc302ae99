import { createPublicKey, generateKeyPairSync, randomUUID } from 'node:crypto'
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { calculateJwkThumbprint, createLocalJWKSet, exportJWK, importPKCS8, importSPKI, jwtVerify, SignJWT, type JWK, type JWTPayload } from 'jose'
import type { Config } from '../config.js'
import { UUID_PATTERN } from '../contracts/common.js'

/** Whom an embed token speaks for (docs/api.md, Principals). */
export type EmbedRole =
  { role: 'coordinator'; coordinatorId: string } | { role: 'family'; familyId: string; memberId?: string; sessionId?: string; scope?: string }

/**
 * The claims of an embed token: its municipality, the API client that minted it (`client_id`, as
 * in RFC 8693 §4.3: the token holds only while that client is not revoked) and its role.
 */
export type EmbedClaims = { mun: string; client_id: string } & EmbedRole

/** Verified claims. `client_id` is missing only on tokens minted before the claim existed. */
export type VerifiedClaims = { mun: string; client_id?: string } & EmbedRole & JWTPayload

export interface TokenService {
  issue(claims: EmbedClaims, ttlSeconds: number): Promise<{ token: string; expiresAt: string }>
  /** Verified claims, or null for anything not a valid, current token of ours. */
  verify(token: string): Promise<VerifiedClaims | null>
}

declare module 'fastify' {
  interface FastifyInstance {
    tokens: TokenService
  }
}

const KEY_FILE = 'token-signing-key.pem'

/**
 * The Ed25519 signing key: TOKEN_PRIVATE_KEY when configured, else one generated into DATA_DIR
 * on first start. Creation is atomic (write aside, then hard-link into place, which fails if
 * another process won), so processes sharing DATA_DIR agree on one key.
 */
export function loadOrCreateSigningKey(config: Config, log: (msg: string) => void): string {
  if (config.token.privateKey) return config.token.privateKey.replace(/\\n/g, '\n')
  mkdirSync(config.dataDir, { recursive: true })
  const file = path.join(config.dataDir, KEY_FILE)
  try {
    return readFileSync(file, 'utf8')
  } catch {
    /* not there yet */
  }
  const { privateKey } = generateKeyPairSync('ed25519')
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`
  writeFileSync(tmp, pem, { mode: 0o600 })
  try {
    linkSync(tmp, file)
    log(`generated an embed-token signing key in ${file}; several instances must share one configured TOKEN_PRIVATE_KEY`)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
  } finally {
    unlinkSync(tmp)
  }
  return readFileSync(file, 'utf8')
}

/** The public half of a PEM key (private or public) as a JWK with its thumbprint as kid. */
async function publicJwk(pem: string): Promise<JWK> {
  const spki = createPublicKey(pem).export({ type: 'spki', format: 'pem' }).toString()
  const jwk = await exportJWK(await importSPKI(spki, 'EdDSA'))
  return { ...jwk, alg: 'EdDSA', use: 'sig', kid: await calculateJwkThumbprint(jwk) }
}

export async function createTokenService(config: Config, log: (msg: string) => void): Promise<TokenService> {
  const privatePem = loadOrCreateSigningKey(config, log)
  const signingKey = await importPKCS8(privatePem, 'EdDSA')
  const current = await publicJwk(privatePem)
  // Rotation: tokens signed by a previous key verify until they expire (at most 15 minutes).
  const previous = await Promise.all(config.token.previousPublicKeys.map((pem) => publicJwk(pem.replace(/\\n/g, '\n'))))
  const keySet = createLocalJWKSet({ keys: [current, ...previous] })
  const { issuer, audience } = config.token

  return {
    async issue(claims, ttlSeconds) {
      const now = Math.floor(Date.now() / 1000)
      const subject =
        claims.role === 'coordinator' ? `coordinator:${claims.coordinatorId}` : `family:${claims.familyId}${claims.memberId ? `:${claims.memberId}` : ''}`
      const token = await new SignJWT({ ...claims })
        .setProtectedHeader({ alg: 'EdDSA', kid: current.kid, typ: 'JWT' })
        .setIssuer(issuer)
        .setAudience(audience)
        .setSubject(subject)
        .setIssuedAt(now)
        .setExpirationTime(now + ttlSeconds)
        .setJti(randomUUID())
        .sign(signingKey)
      return { token, expiresAt: new Date((now + ttlSeconds) * 1000).toISOString() }
    },
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, keySet, {
          algorithms: ['EdDSA'],
          issuer,
          audience,
          clockTolerance: 1,
          requiredClaims: ['exp', 'iat', 'sub', 'jti'],
        })
        const p = payload as JWTPayload & Record<string, unknown>
        if (typeof p.mun !== 'string' || typeof p.iat !== 'number') return null
        if (p.client_id !== undefined && !(typeof p.client_id === 'string' && UUID_PATTERN.test(p.client_id))) return null
        if (p.role === 'coordinator' && typeof p.coordinatorId === 'string') return p as VerifiedClaims
        if (p.role === 'family' && typeof p.familyId === 'string') return p as VerifiedClaims
        return null
      } catch {
        return null
      }
    },
  }
}

async function tokens(app: FastifyInstance, opts: { config: Config }) {
  app.decorate('tokens', await createTokenService(opts.config, (msg) => app.log.warn(msg)))
}

export default fp(tokens, { name: 'tokens' })
