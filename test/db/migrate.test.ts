import { createHash } from 'node:crypto'
import { mkdtemp, rm, unlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import t, { type Test } from 'tap'
import { isMigrated, migrate, MigrationError, readMigrations, SQL_DIR } from '../../service/db/migrate.js'
import { pg } from '../../service/db/pg-types.js'
import { freshDatabase } from '../helpers/database.js'

/** An empty database, a pool on it and a temporary folder of migrations, all removed afterwards. */
async function setup(t: Test, files: Record<string, string>) {
  const database = await freshDatabase({ migrate: false })
  const pool = new pg.Pool({ connectionString: database.connectionString, max: 2 })
  pool.on('error', () => {}) // idle clients ended by dropping the database
  const dir = await mkdtemp(path.join(tmpdir(), 'framgang-migrations-'))
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text)
  t.teardown(async () => {
    await pool.end()
    await database.close()
    await rm(dir, { recursive: true, force: true })
  })
  return { database, pool, dir, write: (name: string, text: string) => writeFile(path.join(dir, name), text) }
}

const FILES = {
  // Written out of order on purpose: the runner orders by number, not by the folder listing.
  '010_add_note.sql': `ALTER TABLE visits ADD COLUMN note text; INSERT INTO events VALUES ('010');`,
  '001_events.sql': `CREATE TABLE events (id text NOT NULL);`,
  '002_visits.sql': `CREATE TABLE visits (id int PRIMARY KEY); INSERT INTO events VALUES ('002');`,
  'README.md': 'not a migration',
  '5_wrong_name.sql': 'SELECT broken syntax here',
}

const events = async (pool: pg.Pool) => (await pool.query<{ id: string }>('SELECT id FROM events ORDER BY id')).rows.map((r) => r.id)

t.test('applies in numeric order, records checksums, and applies nothing twice', async (t) => {
  const { pool, dir, write } = await setup(t, FILES)
  t.same(await migrate(pool, { dir }), ['001_events', '002_visits', '010_add_note'])
  t.same(await events(pool), ['002', '010'])
  const recorded = await pool.query<{ id: string; checksum: string; applied_at: Date }>('SELECT id, checksum, applied_at FROM schema_migrations ORDER BY id')
  t.same(
    recorded.rows.map((r) => [r.id, r.checksum]),
    ['001_events', '002_visits', '010_add_note'].map((id) => [
      id,
      createHash('sha256')
        .update((FILES as Record<string, string>)[`${id}.sql`])
        .digest('hex'),
    ]),
    'each applied migration is recorded with the SHA-256 of its text',
  )
  t.ok(recorded.rows.every((r) => r.applied_at instanceof Date))

  t.same(await migrate(pool, { dir }), [], 'a second run applies nothing')
  t.same(await events(pool), ['002', '010'], 'and runs nothing again')

  await write('003_more.sql', `INSERT INTO events VALUES ('003');`)
  t.same(await migrate(pool, { dir }), ['003_more'], 'a new migration is applied alone (a gap in numbers is fine)')
  t.same(await events(pool), ['002', '003', '010'])
})

t.test('a changed or missing applied migration is refused with a clear error', async (t) => {
  const { pool, dir, write } = await setup(t, FILES)
  await migrate(pool, { dir })
  await write('002_visits.sql', `${FILES['002_visits.sql']}\n-- an innocent comment`)
  await write('011_next.sql', `INSERT INTO events VALUES ('011');`)
  const changed = await migrate(pool, { dir }).then(
    () => null,
    (err: unknown) => err,
  )
  t.ok(changed instanceof MigrationError, 'a MigrationError')
  t.match((changed as Error).message, /002_visits was changed after it was applied/)
  t.match((changed as Error).message, /add a new migration instead/)
  t.same(await events(pool), ['002', '010'], 'and nothing newer was applied')

  await write('002_visits.sql', FILES['002_visits.sql'])
  await unlink(path.join(dir, '011_next.sql'))
  await unlink(path.join(dir, '010_add_note.sql'))
  const missing = await migrate(pool, { dir }).then(
    () => null,
    (err: unknown) => err,
  )
  t.ok(missing instanceof MigrationError)
  t.match((missing as Error).message, /010_add_note is recorded in the database but missing/)
  t.match((missing as Error).message, dir, 'the message names the folder that was read')
})

t.test('a failing migration applies nothing of that run', async (t) => {
  const { pool, dir, write } = await setup(t, { '001_events.sql': FILES['001_events.sql'] })
  t.same(await migrate(pool, { dir }), ['001_events'])
  await write('002_ok.sql', `INSERT INTO events VALUES ('002');`)
  await write('003_broken.sql', `INSERT INTO events VALUES ('003'); SELECT * FROM no_such_table;`)
  await t.rejects(migrate(pool, { dir }), /no_such_table/)
  t.same(await events(pool), [], 'the whole run rolled back')
  t.same((await pool.query('SELECT id FROM schema_migrations ORDER BY id')).rows, [{ id: '001_events' }])
  await write('003_broken.sql', `INSERT INTO events VALUES ('003');`)
  t.same(await migrate(pool, { dir }), ['002_ok', '003_broken'], 'once fixed, both apply')
})

t.test('two concurrent runs on one database apply each migration exactly once', async (t) => {
  const { database, pool, dir } = await setup(t, FILES)
  const other = new pg.Pool({ connectionString: database.connectionString, max: 2 })
  other.on('error', () => {}) // idle clients ended by dropping the database
  t.teardown(() => other.end())
  const [a, b] = await Promise.all([migrate(pool, { dir }), migrate(other, { dir })])
  t.same([...a, ...b].sort(), ['001_events', '002_visits', '010_add_note'], 'between them, each migration once')
  t.ok(a.length === 0 || b.length === 0, 'one run did all the work, the other waited and found nothing to do')
  t.same(await events(pool), ['002', '010'], 'every migration ran once')
  t.equal((await pool.query('SELECT * FROM schema_migrations')).rowCount, 3)
})

t.test("the project's own migrations apply cleanly and make the database ready", async (t) => {
  const database = await freshDatabase({ migrate: false })
  const pool = new pg.Pool({ connectionString: database.connectionString, max: 2 })
  pool.on('error', () => {}) // idle clients ended by dropping the database
  t.teardown(async () => {
    await pool.end()
    await database.close()
  })
  t.equal(await isMigrated(pool), false, 'an empty database is not ready')
  const applied = await migrate(pool)
  t.same(
    applied,
    (await readMigrations(SQL_DIR)).map((m) => m.id),
  )
  t.ok(applied.includes('001_foundation'))
  t.equal(await isMigrated(pool), true)
  t.same(await migrate(pool), [])
})
