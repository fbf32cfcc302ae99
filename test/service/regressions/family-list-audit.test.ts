import t from 'tap'
import { pg } from '../../../service/db/pg-types.js'
import { testApp } from '../../helpers/app.js'
import { auditEvents, createCoordinator, createFamily } from '../../helpers/fixtures.js'

// A page of the families list audited each family with an insert of its own: up to 200 round
// trips for one page. It is one insert per page, with one event per family shown.
t.test('a page of families is audited in one statement, one event per family', async (t) => {
  const app = await testApp(t)
  const coordinatorId = await createCoordinator(t, app)
  const families = []
  for (let i = 0; i < 21; i++) families.push(await createFamily(t, app, { coordinatorId, members: [{ alias: 'Mor', role: 'adult', birthDate: '1985-05-05' }] }))

  const statements: string[] = []
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown }
  const original = proto.query
  proto.query = function (this: unknown, ...args: unknown[]) {
    const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: string } | null)?.text
    if (typeof text === 'string') statements.push(text)
    return original.apply(this, args)
  }
  let res
  try {
    res = await app.call('GET', '/v1/families?limit=20')
  } finally {
    proto.query = original
  }
  t.equal(res.statusCode, 200, res.body.slice(0, 300))
  const shown = res.json().items.map((f: { id: string }) => f.id)
  t.equal(shown.length, 20, 'a full page')
  t.ok(res.json().nextCursor, 'with a next page')

  const inserts = statements.filter((s) => /insert into "audit_events"/i.test(s))
  t.equal(inserts.length, 1, 'one insert audits the whole page')
  t.ok(statements.length <= 6, `a fixed number of statements for the page (${statements.length})`)

  const listed = (await auditEvents(app.db, app.municipality.municipalityId)).filter((e) => e.action === 'family.list')
  t.same(listed.map((e) => e.family_id).sort(), [...shown].sort(), 'one family.list event for each family shown, none for the next page')
  t.same(new Set(listed.map((e) => e.resource)), new Set(shown.map((id: string) => `family/${id}`)), 'each naming its family')
  t.same(new Set(listed.map((e) => e.request_id)).size, 1, 'all of the one request')
})
