import t from 'tap'
import { pg } from '../../service/db/pg-types.js'
import { instruments as widgetInstruments } from '../../widget/instruments.js'
import { DEFAULT_INSTRUMENTS } from '../domain/fixtures/instruments.js'
import { freshDatabase } from '../helpers/database.js'

/**
 * Instruments are data: the migrations seed them. Two copies remain outside the database, the
 * domain tests' fixture and the widget's table (it picks the form for a person's age without a
 * request), and both are held here to what a freshly migrated database holds, in its order.
 */

const database = await freshDatabase()
t.teardown(() => database.close())
const client = new pg.Client({ connectionString: database.connectionString })
await client.connect()
t.teardown(() => client.end())

const { rows } = await client.query(
  `SELECT code, kind, min_age, max_age, cardinality(item_keys) AS item_count, item_max, psychometric, thresholds
     FROM instruments ORDER BY sort_order`,
)
const seeded = rows.map((r) => ({
  code: r.code,
  kind: r.kind,
  minAge: r.min_age,
  maxAge: r.max_age,
  itemCount: r.item_count,
  itemMax: r.item_max,
  psychometric: r.psychometric,
  thresholds: r.thresholds,
}))

t.test('the seed holds the six standard instruments', async (t) => {
  t.same(
    seeded.map((i) => i.code),
    ['ORS', 'CORS', 'YCORS', 'SRS', 'CSRS', 'YCSRS'],
  )
})

t.test('the domain fixture is the seed, thresholds and all', async (t) => {
  t.strictSame(DEFAULT_INSTRUMENTS, seeded)
})

t.test('the widget’s table is the seed’s codes, kinds, age ranges and item scales', async (t) => {
  t.strictSame(
    widgetInstruments,
    seeded.map(({ code, kind, minAge, maxAge, itemCount, itemMax }) => ({ code, kind, minAge, maxAge, itemCount, itemMax })),
  )
})
