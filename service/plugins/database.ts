import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import fastifyPostgres from '@fastify/postgres'
import '../db/pg-types.js'
import { createDb, inMunicipality, type Db, type Trx } from '../db/kysely.js'
import { takeCredentialCheck } from './auth.js'

declare module 'fastify' {
  interface FastifyInstance {
    db: Db
    /** One transaction as the application role, scoped to the caller's municipality (RLS). */
    tenant<T>(request: FastifyRequest, fn: (trx: Trx) => Promise<T>): Promise<T>
  }
}

async function database(app: FastifyInstance, opts: { connectionString: string; poolSize: number }) {
  await app.register(fastifyPostgres, {
    connectionString: opts.connectionString,
    max: opts.poolSize,
    application_name: 'framgang',
  })
  // An idle client whose connection the server ends (a restart, a failover, an administrator)
  // emits 'error' on the pool; without a listener that would crash the process. The pool drops
  // the client and opens a new one when needed.
  app.pg.pool.on('error', (err) => app.log.warn({ err: { message: err.message, code: (err as { code?: string }).code } }, 'an idle database connection was closed'))
  app.decorate('db', createDb(app.pg.pool))
  app.decorate('tenant', function tenant<T>(request: FastifyRequest, fn: (trx: Trx) => Promise<T>) {
    return inMunicipality(app.db, request.principal.municipalityId, fn, takeCredentialCheck(request))
  })
}

export default fp(database, { name: 'database' })
