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
import widget from './plugins/widget.js'
import apiClientRoutes from './routes/api-clients/routes.js'
import coordinatorRoutes from './routes/coordinators/routes.js'
import familyRoutes from './routes/families/routes.js'
import healthRoutes from './routes/health/routes.js'
import instrumentRoutes from './routes/instruments/routes.js'
import caseloadRoutes from './routes/caseload/routes.js'
import embedTokenRoutes from './routes/embed-tokens/routes.js'
import accessLogRoutes from './routes/access-log/routes.js'
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
    logger: typeof logger === 'boolean' ? logger : {
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

  // External plugins, then ours, then routes.
  await app.register(problems)
  await app.register(drain)
  await app.register(security, { config })
  await app.register(jsonBody)
  await app.register(textInput)
  await app.register(database, { connectionString, poolSize: config.dbPoolSize, connectTimeoutSeconds: config.dbConnectTimeoutSeconds })
  // Process metrics only where a metrics server (server.ts, METRICS_PORT) will serve them.
  await app.register(metrics, { processMetrics: config.metrics.port !== undefined, poolSize: config.dbPoolSize })
  // Before authentication and every other hook that may query: a shed request costs nothing.
  await app.register(pressure, { config })
  await app.register(docs)
  await app.register(tokens, { config })
  await app.register(auth)
  await app.register(idempotencyMaintenance)
  await app.register(cors)

  await app.register(healthRoutes)
  await app.register(coordinatorRoutes)
  await app.register(familyRoutes)
  await app.register(sessionRoutes)
  await app.register(progressRoutes)
  await app.register(caseloadRoutes)
  await app.register(reportRoutes)
  await app.register(expectedBandRoutes)
  await app.register(embedTokenRoutes)
  await app.register(accessLogRoutes)
  await app.register(exportRoutes)
  await app.register(widget, { demoMunicipalityId, widgetDir })
  await app.register(instrumentRoutes)
  await app.register(settingsRoutes)
  await app.register(apiClientRoutes)
  return app
}
