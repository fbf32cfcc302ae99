import Fastify, { type FastifyInstance } from 'fastify'
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod'
import type { Config } from './config.js'
import auth from './plugins/auth.js'
import database from './plugins/database.js'
import docs from './plugins/docs.js'
import drain from './plugins/drain.js'
import cors from './plugins/cors.js'
import { idempotencyMaintenance } from './plugins/idempotency.js'
import jsonBody from './plugins/json-body.js'
import metrics from './plugins/metrics.js'
import pressure from './plugins/pressure.js'
import problems, { MAX_ECHOED_PATH } from './plugins/problems.js'
import { clientErrorHandler, frameworkErrors, MAX_PARAM_LENGTH } from './plugins/protocol-errors.js'
import security from './plugins/security.js'
import textInput from './plugins/text-input.js'
import tokens from './plugins/tokens.js'
import widget, { hasDemoPage } from './plugins/widget.js'
import apiClientRoutes from './routes/api-clients/routes.js'
import coordinatorRoutes from './routes/coordinators/routes.js'
import familyRoutes from './routes/families/routes.js'
import healthRoutes from './routes/health/routes.js'
import instrumentRoutes from './routes/instruments/routes.js'
import caseloadRoutes from './routes/caseload/routes.js'
import demoTokenRoutes from './routes/demo-tokens/routes.js'
import embedTokenRoutes from './routes/embed-tokens/routes.js'
import accessLogRoutes from './routes/access-log/routes.js'
import erasureRoutes from './routes/erasure/routes.js'
import exportRoutes from './routes/exports/routes.js'
import expectedBandRoutes from './routes/expected-bands/routes.js'
import progressRoutes from './routes/progress/routes.js'
import reportRoutes from './routes/reports/routes.js'
import sessionRoutes from './routes/sessions/routes.js'
import settingsRoutes from './routes/settings/routes.js'

export interface AppOptions {
  config: Config
  /** The pg connection string (the embedded database's when DATABASE_URL is unset). */
  connectionString: string
  /** The demo municipality whose embed tokens the demo page may mint (embedded default only). */
  demoMunicipalityId?: string | null
  /** Where the built widget is (default dist/widget). */
  widgetDir?: string
  /** Pino logger options over the service's own (level, serializers), or false in tests. */
  logger?: boolean | object
}

/** A path as logged: a hostile one can be as long as the headers allow, so a long one is not. */
function loggedPath(url: string): string {
  const path = url.split('?')[0]
  return path.length <= MAX_ECHOED_PATH ? path : `(a path of ${path.length} characters)`
}

/** The whole service as one Fastify instance; it never listens (server.ts does). */
export async function buildApp({ config, connectionString, logger, demoMunicipalityId, widgetDir }: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger:
      typeof logger === 'boolean'
        ? logger
        : {
            level: config.logLevel,
            // Request logs carry method, path and status: never bodies, headers or query strings
            // (a query such as ?externalRef= can hold a case number).
            serializers: {
              req: (req: { method: string; url: string; id: string }) => ({ id: req.id, method: req.method, path: loggedPath(req.url) }),
            },
            ...logger,
          },
    trustProxy: config.trustProxy,
    bodyLimit: 256 * 1024,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // Errors before a route runs answer problem+json too (plugins/protocol-errors.ts).
    clientErrorHandler,
    frameworkErrors,
    requestIdHeader: false,
    genReqId: () => crypto.randomUUID(),
    ajv: undefined,
    // While closing, plugins/drain.ts answers new requests with a problem+json 503.
    return503OnClosing: false,
  })
  app.setValidatorCompiler(validatorCompiler)
  app.setSerializerCompiler(serializerCompiler)

  // Our plugins, then the routes. The external plugins are registered by the plugins of ours
  // that configure them (helmet and rate limit by security, @fastify/postgres by database,
  // under-pressure by pressure, swagger by docs, static by widget), so they cannot come first;
  // among ours the order is that of their hooks: problem answers and the drain before anything
  // can fail, the security headers' onRoute before any route (docs and widget add routes), the
  // load shedding before authentication and every other hook that may query.
  await app.register(problems)
  await app.register(drain)
  await app.register(security, { config })
  await app.register(jsonBody)
  await app.register(textInput)
  await app.register(database, { connectionString, poolSize: config.dbPoolSize, connectTimeoutSeconds: config.dbConnectTimeoutSeconds })
  // Process metrics only where a metrics server (server.ts, METRICS_PORT) will serve them.
  await app.register(metrics, { processMetrics: config.metrics.port !== undefined, poolSize: config.dbPoolSize })
  await app.register(pressure, { config })
  await app.register(docs)
  await app.register(tokens, { config })
  await app.register(auth)
  await app.register(idempotencyMaintenance)
  await app.register(cors)
  await app.register(widget, { widgetDir })

  await app.register(healthRoutes)
  await app.register(coordinatorRoutes)
  await app.register(familyRoutes)
  await app.register(sessionRoutes)
  await app.register(progressRoutes)
  await app.register(caseloadRoutes)
  await app.register(reportRoutes)
  await app.register(expectedBandRoutes)
  await app.register(embedTokenRoutes)
  // The demo page's tokens, where the server seeded the demo and the page is there.
  if (hasDemoPage()) await app.register(demoTokenRoutes, { demoMunicipalityId })
  await app.register(accessLogRoutes)
  await app.register(exportRoutes)
  await app.register(erasureRoutes)
  await app.register(instrumentRoutes)
  await app.register(settingsRoutes)
  await app.register(apiClientRoutes)
  return app
}
