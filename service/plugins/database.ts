import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import fastifyPostgres from '@fastify/postgres'
import '../db/pg-types.js'
import { keepConnectionLossFromCrashing } from '../db/connect.js'
import { createDb, inMunicipality, type Db, type Trx } from '../db/kysely.js'
import { takeCredentialCheck } from './auth.js'

declare module 'fastify' {
  interface FastifyInstance {
    db: Db
    /** One transaction as the application role, scoped to the caller's municipality (RLS). */
    tenant<T>(request: FastifyRequest, fn: (trx: Trx) => Promise<T>): Promise<T>
  }
}

async function database(app: FastifyInstance, opts: { connectionString: string; poolSize: number; connectTimeoutSeconds: number }) {
  await app.register(fastifyPostgres, {
    connectionString: opts.connectionString,
    max: opts.poolSize,
    // Both the wait for a free connection and the opening of a new one: past it the request
    // answers 503 unavailable (the error counts as the database being unavailable).
    connectionTimeoutMillis: opts.connectTimeoutSeconds * 1000,
    application_name: 'framgang',
  })
  // A connection the server ends must never end the process (see keepConnectionLossFromCrashing).
  // The message is the driver's or the server's own ("Connection terminated unexpectedly"),
  // never a statement's: it quotes no input.
  keepConnectionLossFromCrashing(app.pg.pool, (err) =>
    app.log.warn(
      { err: { message: err.message, code: (err as { code?: string }).code } },
      'a database connection was lost; the pool opens a new one when needed',
    ),
  )
  app.decorate('db', createDb(app.pg.pool))
  app.decorate('tenant', function tenant<T>(request: FastifyRequest, fn: (trx: Trx) => Promise<T>) {
    return inMunicipality(app.db, request.principal.municipalityId, fn, takeCredentialCheck(request))
  })
}

export default fp(database, { name: 'database' })
