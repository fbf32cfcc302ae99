import { sql } from 'kysely'
import t from 'tap'
import { createDb } from '../../service/db/kysely.js'
import { pg } from '../../service/db/pg-types.js'
import { freshDatabase } from '../helpers/database.js'

/**
 * A transaction's `begin` travels with its first statement when that has no parameters
 * (service/db/kysely.ts): one round trip fewer, and the same transaction semantics.
 */
t.test('begin goes with the first statement, and transactions behave as before', async (t) => {
  const database = await freshDatabase({ migrate: false })
  t.teardown(() => database.close())
  const pool = new pg.Pool({ connectionString: database.connectionString, max: 1 })
  t.teardown(() => pool.end())
  const db = createDb(pool)
  await sql`CREATE TABLE t (n int PRIMARY KEY)`.execute(db)

  const sent: string[] = []
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown }
  const original = proto.query
  proto.query = function (this: unknown, ...args: unknown[]) {
    if (typeof args[0] === 'string') sent.push(args[0])
    return original.apply(this, args)
  }
  t.teardown(() => {
    proto.query = original
  })
  const sentDuring = async <T>(fn: () => Promise<T>) => {
    sent.length = 0
    const result = await fn()
    return { result, sent: [...sent] }
  }

  const first = await sentDuring(() => db.transaction().execute(async (trx) => (await sql<{ n: number }>`SELECT 41 + 1 AS n`.execute(trx)).rows[0].n))
  t.equal(first.result, 42, 'the first statement answers its own rows')
  t.same(first.sent, ['begin;\nSELECT 41 + 1 AS n', 'commit'], 'begin and the first statement in one message')

  const withParameters = await sentDuring(() =>
    db.transaction().execute(async (trx) => (await sql<{ n: number }>`SELECT ${41}::int + 1 AS n`.execute(trx)).rows[0].n),
  )
  t.equal(withParameters.result, 42)
  t.same(withParameters.sent, ['begin', 'SELECT $1::int + 1 AS n', 'commit'], 'a first statement with parameters goes after begin')

  const empty = await sentDuring(() => db.transaction().execute(async () => 'nothing'))
  t.same(empty.sent, [], 'a transaction that sends nothing sends no begin and no commit')

  // A failing first statement leaves nothing, and the connection serves the next transaction.
  await t.rejects(
    db.transaction().execute(async (trx) => {
      await sql`INSERT INTO t VALUES (1), (1)`.execute(trx)
    }),
    /duplicate key/,
    'the error of the first statement reaches the caller',
  )
  await t.rejects(
    db.transaction().execute(async (trx) => {
      await sql`INSERT INTO t VALUES (2)`.execute(trx)
      throw new Error('changed my mind')
    }),
    /changed my mind/,
  )
  t.same((await sql<{ n: number }>`SELECT n FROM t`.execute(db)).rows, [], 'both transactions rolled back')
  const inserted = await db.transaction().execute(async (trx) => {
    await sql`INSERT INTO t VALUES (3)`.execute(trx)
    return (await sql<{ n: number }>`SELECT count(*)::int AS n FROM t`.execute(trx)).rows[0].n
  })
  t.equal(inserted, 1, 'the connection serves the next transaction')
  t.same((await sql<{ n: number }>`SELECT n FROM t`.execute(db)).rows, [{ n: 3 }], 'which commits')
})
