import closeWithGrace from 'close-with-grace'
import type { AddressInfo } from 'node:net'
import { buildApp } from './app.js'
import { ensureDemo } from './cli/demo.js'
import { loadConfig } from './config.js'
import { DatabaseUnreachableError, migrateDatabase, openDatabase, waitForDatabase, withPool } from './db/connect.js'
import { DataDirLockedError } from './db/embedded.js'
import { startMetricsServer, type MetricsServer } from './plugins/metrics.js'
import { refitMissingBandModels } from './expected-bands/reference-series.js'
import { rebuildStaleState } from './state/stored-state.js'

async function main() {
  const config = loadConfig()
  const database = await openDatabase(config)
  // A database that is not up yet (a host booting, a container beside this one, a failover) is
  // waited for, one line per attempt, until DB_START_TIMEOUT_SECONDS have passed.
  if (!database.embedded)
    await waitForDatabase(database.connectionString, { timeoutSeconds: config.dbStartTimeoutSeconds, log: (message) => console.error(message) })
  await migrateDatabase(database.connectionString)
  const demo = config.seedDemo ? await withPool(database.connectionString, (_pool, db) => ensureDemo(db, config.dataDir)) : null
  // Derived data from before this version is brought up to date before the first request.
  await withPool(database.connectionString, async (_pool, db) => {
    await refitMissingBandModels(db, (message) => console.error(message))
    await rebuildStaleState(db, (message) => console.error(message))
  })

  const app = await buildApp({ config, connectionString: database.connectionString, demoMunicipalityId: demo?.municipalityId })
  let metricsServer: MetricsServer | null = null
  // SIGTERM drains (plugins/drain.ts): no new connections, requests in flight finish, the rest
  // get a 503; after SHUTDOWN_GRACE_SECONDS the process ends anyway, with exit code 1.
  closeWithGrace({ delay: config.shutdownGraceSeconds * 1000 }, async ({ err, signal }) => {
    const started = Date.now()
    if (err) app.log.error({ err }, 'shutting down after an error')
    else console.log(`Shutting down (${signal ?? 'close'}): finishing the requests in flight, for at most ${config.shutdownGraceSeconds} s`)
    await app.close()
    // After the drain, so the last scrape still sees it.
    await metricsServer?.close()
    await database.close()
    if (!err) console.log(`Framgang stopped after ${((Date.now() - started) / 1000).toFixed(1)} s`)
  })
  // The metrics listener first: a port already taken stops the start before the API takes traffic.
  if (config.metrics.port !== undefined)
    metricsServer = await startMetricsServer(app.metrics.registry, { port: config.metrics.port, host: config.metrics.host })
  await app.listen({ port: config.port, host: config.host })
  const { port } = app.server.address() as AddressInfo
  const shown = (host: string) => (host === '0.0.0.0' || host === '::' ? 'localhost' : host)
  const shownHost = shown(config.host)
  if (metricsServer) console.log(`Metrics for Prometheus at http://${shown(config.metrics.host)}:${metricsServer.address.port}/metrics`)
  if (demo) console.log(`Demo API key: ${demo.apiKey}`)
  console.log(`Framgang is running at http://${shownHost}:${port}/`)
}

main().catch((err: unknown) => {
  // Problems a person can fix get one clear line; anything else its stack.
  if (err instanceof DataDirLockedError || err instanceof DatabaseUnreachableError || (err instanceof Error && err.message.startsWith('Invalid configuration')))
    console.error(`error: ${err.message}`)
  else console.error(err)
  process.exit(1)
})
