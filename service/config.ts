import { z } from 'zod'
import path from 'node:path'

/** The one place that reads process.env. Everything else receives a Config. */
const $Env = z
  .object({
    DATABASE_URL: z.string().min(1).optional(),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    HOST: z.string().min(1).default('127.0.0.1'),
    DATA_DIR: z.string().min(1).default('./data'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    TOKEN_ISSUER: z.string().min(1).default('framgang'),
    TOKEN_AUDIENCE: z.string().min(1).default('framgang-widget'),
    TOKEN_PRIVATE_KEY: z.string().min(1).optional(),
    TOKEN_PREVIOUS_PUBLIC_KEYS: z.string().min(1).optional(),
    RATE_LIMIT_MAX: z.coerce.number().int().min(1).default(600),
    RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int().min(1).default(60),
    TRUST_PROXY: z
      .enum(['true', 'false', '1', '0'])
      .default('false')
      .transform((v) => v === 'true' || v === '1'),
    DB_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
    DB_START_TIMEOUT_SECONDS: z.coerce.number().int().min(0).max(3600).default(60),
    DB_CONNECT_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(120).default(5),
    SHUTDOWN_GRACE_SECONDS: z.coerce.number().int().min(1).max(600).default(10),
    // Metrics are served on a port of their own, and only when one is given. An empty value (a
    // blank line in an env file) is no port, not port 0 (any free port).
    METRICS_PORT: z.preprocess((v) => (v === '' ? undefined : v), z.coerce.number().int().min(0).max(65535).optional()),
    METRICS_HOST: z.string().min(1).default('127.0.0.1'),
    // Load shedding; 0 turns a check off.
    MAX_EVENT_LOOP_DELAY_MS: z.coerce.number().int().min(0).max(60_000).default(1000),
    MAX_EVENT_LOOP_UTILIZATION: z.coerce.number().min(0).max(1).optional(),
    MAX_DB_WAITING_CLIENTS: z.coerce.number().int().min(0).max(100_000).default(50),
    PRESSURE_SAMPLE_INTERVAL_MS: z.coerce.number().int().min(10).max(60_000).default(1000),
    PRESSURE_RETRY_AFTER_SECONDS: z.coerce.number().int().min(1).max(3600).default(2),
    SEED_DEMO: z
      .enum(['true', 'false', '1', '0'])
      .optional()
      .transform((v) => (v === undefined ? undefined : v === 'true' || v === '1')),
  })
  .refine((e) => e.METRICS_PORT === undefined || e.METRICS_PORT === 0 || e.METRICS_PORT !== e.PORT, {
    path: ['METRICS_PORT'],
    message: 'must not be the same as PORT: the metrics are not served on the API port',
  })

export interface Config {
  databaseUrl: string | undefined
  port: number
  host: string
  dataDir: string
  logLevel: string
  token: { issuer: string; audience: string; privateKey: string | undefined; previousPublicKeys: string[] }
  rateLimit: { max: number; windowSeconds: number }
  trustProxy: boolean
  dbPoolSize: number
  /** How long a start waits for an unreachable database before it gives up. */
  dbStartTimeoutSeconds: number
  /**
   * How long a request waits for a new database connection (or a free one of the pool) before it
   * answers 503: a database host that drops packets would otherwise hold it for the operating
   * system's TCP timeout, minutes.
   */
  dbConnectTimeoutSeconds: number
  /** How long a SIGTERM waits for requests in flight before the process is ended anyway. */
  shutdownGraceSeconds: number
  /** Where Prometheus scrapes /metrics; no port, no metrics server. */
  metrics: { port: number | undefined; host: string }
  /**
   * When requests are shed with a 503 (plugins/pressure.ts). A limit of 0 turns its check off.
   * Event-loop delay and utilization are measured over one sample interval.
   */
  pressure: {
    maxEventLoopDelayMs: number
    maxEventLoopUtilization: number
    maxDbWaitingClients: number
    sampleIntervalMs: number
    retryAfterSeconds: number
  }
  /** Seed the demo municipality on start; defaults to on for the embedded database only. */
  seedDemo: boolean
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = $Env.safeParse(env)
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')
    throw new Error(`Invalid configuration: ${problems}`)
  }
  const e = parsed.data
  return {
    databaseUrl: e.DATABASE_URL,
    port: e.PORT,
    host: e.HOST,
    dataDir: path.resolve(e.DATA_DIR),
    logLevel: e.LOG_LEVEL,
    token: {
      issuer: e.TOKEN_ISSUER,
      audience: e.TOKEN_AUDIENCE,
      privateKey: e.TOKEN_PRIVATE_KEY,
      previousPublicKeys: e.TOKEN_PREVIOUS_PUBLIC_KEYS ? e.TOKEN_PREVIOUS_PUBLIC_KEYS.split(/\s*;;\s*/).filter(Boolean) : [],
    },
    rateLimit: { max: e.RATE_LIMIT_MAX, windowSeconds: e.RATE_LIMIT_WINDOW_SECONDS },
    trustProxy: e.TRUST_PROXY,
    dbPoolSize: e.DB_POOL_SIZE,
    dbStartTimeoutSeconds: e.DB_START_TIMEOUT_SECONDS,
    dbConnectTimeoutSeconds: e.DB_CONNECT_TIMEOUT_SECONDS,
    shutdownGraceSeconds: e.SHUTDOWN_GRACE_SECONDS,
    metrics: { port: e.METRICS_PORT, host: e.METRICS_HOST },
    pressure: {
      maxEventLoopDelayMs: e.MAX_EVENT_LOOP_DELAY_MS,
      // The embedded database runs on the event loop itself: there a busy loop is the database
      // at work, not a process falling behind, so the check is off unless asked for.
      maxEventLoopUtilization: e.MAX_EVENT_LOOP_UTILIZATION ?? (e.DATABASE_URL === undefined ? 0 : 0.98),
      maxDbWaitingClients: e.MAX_DB_WAITING_CLIENTS,
      sampleIntervalMs: e.PRESSURE_SAMPLE_INTERVAL_MS,
      retryAfterSeconds: e.PRESSURE_RETRY_AFTER_SECONDS,
    },
    seedDemo: e.SEED_DEMO ?? e.DATABASE_URL === undefined,
  }
}
