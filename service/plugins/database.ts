import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import fastifyPostgres from '@fastify/postgres'
import '../db/pg-types.js'
import { createDb, inMunicipality, type Db, type Trx } from '../db/kysely.js'

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
  app.decorate('db', createDb(app.pg.pool))
  app.decorate('tenant', function tenant<T>(request: FastifyRequest, fn: (trx: Trx) => Promise<T>) {
    return inMunicipality(app.db, request.principal.municipalityId, fn)
  })
}

export default fp(database, { name: 'database' })
