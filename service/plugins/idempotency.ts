import { createHash } from 'node:crypto'
import fp from 'fastify-plugin'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Trx } from '../db/kysely.js'
import { claimIdempotencyKey, deleteIdempotencyRecord, insertIdempotencyRecord, purgeIdempotencyRecords } from '../repositories/idempotency.js'
import { principalKey } from './auth.js'
import { badRequest, conflict, ruleBroken } from './problems.js'

export const IDEMPOTENCY_TTL_DAYS = 7

export interface Created<T> {
  body: T
  location: string
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1))
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`
  }
  return JSON.stringify(value)
}

/**
 * Runs a create exactly once per Idempotency-Key (docs/api.md): the key, a hash of the request and the
 * response are stored in the same transaction as the data. A retry with the same body replays the
 * stored answer; another body is 422; a retry while the first is still running is 409 (an
 * advisory lock held for the first request's transaction tells us it is in flight).
 */
export async function createOnce<T>(
  app: FastifyInstance,
  request: FastifyRequest,
  reply: FastifyReply,
  create: (trx: Trx) => Promise<Created<T>>,
  /** What may be stored for a replay (secrets such as a new API key must not be). */
  storable: (body: T) => unknown = (body) => body,
): Promise<T> {
  const raw = request.headers['idempotency-key']
  const key = Array.isArray(raw) ? raw[0] : raw
  if (key === undefined || key.length < 1 || key.length > 255) {
    throw badRequest('An Idempotency-Key header (1–255 characters) is required on this request', [
      { path: '', message: 'header Idempotency-Key is required (1–255 characters)' },
    ])
  }
  const principal = principalKey(request.principal)
  const municipalityId = request.principal.municipalityId
  const requestHash = createHash('sha256')
    .update(`${request.method} ${request.url.split('?')[0]}\n${canonical(request.body)}`)
    .digest('hex')

  const outcome = await app.tenant(request, async (trx) => {
    const { locked, stored } = await claimIdempotencyKey(trx, `${municipalityId}|${principal}|${key}`, principal, key)
    if (!locked) throw conflict('A request with this Idempotency-Key is still being processed; retry shortly')
    const fresh = stored && Date.now() - new Date(stored.createdAt).getTime() < IDEMPOTENCY_TTL_DAYS * 86_400_000
    if (stored && fresh) {
      if (stored.requestHash !== requestHash) {
        throw ruleBroken([{ path: '', message: 'this Idempotency-Key was already used with a different request' }])
      }
      return { status: stored.statusCode, location: stored.location, body: stored.body as T, replayed: true }
    }
    if (stored) await deleteIdempotencyRecord(trx, principal, key)
    const created = await create(trx)
    await insertIdempotencyRecord(trx, {
      municipalityId,
      principal,
      key,
      requestHash,
      statusCode: 201,
      location: created.location,
      body: storable(created.body),
    })
    return { status: 201, location: created.location, body: created.body, replayed: false }
  })
  reply.code(outcome.status)
  if (outcome.location) reply.header('location', outcome.location)
  if (outcome.replayed) reply.header('idempotent-replayed', 'true')
  return outcome.body
}

/** Deletes idempotency records past their 7 days, across municipalities. */
export async function purgeExpiredIdempotencyKeys(app: FastifyInstance): Promise<number> {
  return purgeIdempotencyRecords(app.db, IDEMPOTENCY_TTL_DAYS)
}

/** Purges expired idempotency records once at start and then hourly, while the app runs. */
export const idempotencyMaintenance = fp(
  async (app: FastifyInstance) => {
    let timer: NodeJS.Timeout | undefined
    const purge = () =>
      purgeExpiredIdempotencyKeys(app).then(
        (n) => n > 0 && app.log.info({ purged: n }, 'purged expired idempotency records'),
        (err: Error) => app.log.warn({ err: { message: err.message } }, 'purging idempotency records failed'),
      )
    app.addHook('onReady', async () => {
      void purge()
      timer = setInterval(purge, 3_600_000).unref()
    })
    app.addHook('onClose', async () => clearInterval(timer))
  },
  { name: 'idempotency-maintenance', dependencies: ['database'] },
)
