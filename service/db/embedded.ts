import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs'
import path from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import { PGLiteSocketServer } from '@electric-sql/pglite-socket'

export interface EmbeddedDatabase {
  /** A pg connection string to the embedded server on 127.0.0.1. */
  connectionString: string
  /** A tarball of the whole data directory (tests start fresh databases from a migrated one). */
  dump(): Promise<Blob>
  close(): Promise<void>
}

export class DataDirLockedError extends Error {}

/** One process at a time may open a PGlite data directory: a second would corrupt it. */
function lockDataDir(dataDir: string): () => void {
  const lockPath = path.join(dataDir, 'framgang.lock')
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockPath, 'wx')
      writeSync(fd, String(process.pid))
      closeSync(fd)
      return () => {
        try {
          unlinkSync(lockPath)
        } catch {
          /* already gone */
        }
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      const pid = Number(readFileSync(lockPath, 'utf8').trim())
      if (pid && pid !== process.pid && isAlive(pid)) {
        throw new DataDirLockedError(
          `Another Framgang process (pid ${pid}) is using the embedded database in ${dataDir}. Stop it first, or set DATA_DIR to another folder.`,
        )
      }
      unlinkSync(lockPath) // left behind by a process that died
    }
  }
  throw new DataDirLockedError(`Could not lock ${dataDir}`)
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Embedded PostgreSQL (PGlite) served over the pg wire protocol on a free loopback port, so the
 * service uses the same pg Pool, Kysely and migrations as against a real server.
 * With a dataDir the data lives in <dataDir>/pgdata across restarts; without one, in memory.
 */
export async function startEmbeddedDatabase(options: { dataDir?: string; maxConnections: number; loadDataDir?: Blob }): Promise<EmbeddedDatabase> {
  let unlock = () => {}
  let dataPath: string | undefined
  if (options.dataDir) {
    mkdirSync(options.dataDir, { recursive: true })
    unlock = lockDataDir(options.dataDir)
    dataPath = path.join(options.dataDir, 'pgdata')
  }
  try {
    const db = await PGlite.create(dataPath ? { dataDir: dataPath } : options.loadDataDir ? { loadDataDir: options.loadDataDir } : {})
    // pg's Pool opens a connection per concurrent query: accept as many as the pool may open.
    const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: options.maxConnections + 2 })
    await server.start()
    return {
      connectionString: `postgres://postgres@${server.getServerConn()}/postgres`,
      dump: () => db.dumpDataDir('none'),
      async close() {
        await server.stop()
        await db.close()
        unlock()
      },
    }
  } catch (err) {
    unlock()
    throw err
  }
}
