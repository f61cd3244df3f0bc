import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'

export type Environment = 'development' | 'production' | 'test'

export interface Config {
  readonly env: Environment
  readonly host: string
  readonly port: number
  readonly databaseUrl: string
  /** PostgreSQL pool: connections per process, and how long a request waits for one when all are busy. */
  readonly databasePool: { readonly max: number; readonly waitMs: number }
  readonly redisUrl: string | undefined
  /** Prefix for every Redis key, so several deployments (or test runs) can share one server. */
  readonly redisPrefix: string
  readonly jwtSecret: string
  readonly jwtIssuer: string
  readonly jwtAudience: string
  readonly accessTokenSeconds: number
  readonly refreshTokenDays: number
  readonly payments: 'mock' | 'stripe'
  readonly stripeSecretKey: string | undefined
  readonly stripeWebhookSecret: string | undefined
  readonly stripeApiBase: string | undefined
  readonly smtpUrl: string | undefined
  readonly mailDir: string
  readonly holdMinutes: number
  readonly maxHeldSeats: number
  readonly seedDemo: boolean
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'
  readonly corsOrigins: readonly string[]
  /**
   * Proxies in front of the API (0: none). The client address is the X-Forwarded-For entry this many
   * hops from the right: the entries a client wrote itself are never trusted.
   */
  readonly trustProxy: number
  /**
   * Seconds a client has to send a whole request (headers: at most 10 of them); a slower one is
   * answered 408 and cut, so slow or stalled clients cannot hold connections.
   */
  readonly requestTimeoutSeconds: number
  /** Bearer token /metrics asks for; unset: /metrics answers loopback callers only. */
  readonly metricsToken: string | undefined
  /** New accounts one client address may open per hour. */
  readonly registrationsPerAddress: number
  /** Seats one client address may take into holds within one hold window. */
  readonly maxHeldSeatsPerAddress: number
  readonly dataDir: string
  /** Shift of the service's clock (TRAVELLR_CLOCK_OFFSET), in ms; 0 in production. */
  readonly clockOffsetMs: number
  /** Sender of every mail. */
  readonly mailFrom: string
  /** Event deliveries: attempts before a job is parked as failed, and the first retry delay (doubling). */
  readonly jobRetry: { readonly attempts: number; readonly backoffMs: number }
  /** Least balance paid out, in each currency's major unit (e.g. "50.00"). */
  readonly payoutMinimum: string
  /** `travellr worker`: port of its /health and /metrics (0: none). */
  readonly workerPort: number
  /** Argon2id cost; production values are fixed by PRODUCT.md §4 and never lowered there. */
  readonly argon2: { readonly memoryKiB: number; readonly iterations: number; readonly parallelism: number }
}

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>

const WEAK_SECRETS = ['secret', 'changeme', 'change-me', 'password', 'jwt-secret', 'your-secret', 'example']

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]
  if (raw === undefined || raw === '') return fallback
  if (!/^\d+$/.test(raw)) throw new ConfigError(`${name} must be a whole number, got "${raw}"`)
  const value = Number(raw)
  if (value < min || value > max) throw new ConfigError(`${name} must be between ${min} and ${max}`)
  return value
}

function amount(env: Env, name: string, fallback: string): string {
  const raw = env[name]
  if (raw === undefined || raw === '') return fallback
  if (!/^\d{1,9}(\.\d{1,3})?$/.test(raw))
    throw new ConfigError(`${name} must be an amount like 50.00, got "${raw}"`)
  return raw
}

function oneOf<T extends string>(env: Env, name: string, values: readonly T[], fallback: T): T {
  const raw = env[name]
  if (raw === undefined || raw === '') return fallback
  if (!(values as readonly string[]).includes(raw)) {
    throw new ConfigError(`${name} must be one of ${values.join(', ')}, got "${raw}"`)
  }
  return raw as T
}

/** A secret is weak when short, a known placeholder, or made of few distinct characters. */
export function isWeakSecret(secret: string): boolean {
  if (Buffer.byteLength(secret, 'utf8') < 32) return true
  const lower = secret.toLowerCase()
  if (WEAK_SECRETS.some((w) => lower.includes(w))) return true
  return new Set(secret).size < 12
}

/** Development keeps one generated secret under the data folder so tokens survive restarts. */
function developmentSecret(dataDir: string): string {
  const file = join(dataDir, 'jwt-secret')
  if (existsSync(file)) return readFileSync(file, 'utf8').trim()
  mkdirSync(dirname(file), { recursive: true })
  const secret = randomBytes(48).toString('base64url')
  writeFileSync(file, `${secret}\n`, { mode: 0o600 })
  return secret
}

const OFFSET_UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }

/** `+30d`, `-2h`, `+90m`, `+15s`: a shift of the clock in ms. */
export function parseClockOffset(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 0
  const m = /^([+-])(\d{1,6})([smhd])$/.exec(raw.trim())
  if (!m) throw new ConfigError(`TRAVELLR_CLOCK_OFFSET must look like +30d, -2h, +90m or +15s, got "${raw}"`)
  return (m[1] === '-' ? -1 : 1) * Number(m[2]) * OFFSET_UNITS[m[3]!]!
}

/** Parses the environment once into a frozen, typed object; nothing else reads process.env. */
export function loadConfig(env: Env): Config {
  const appEnv = oneOf(env, 'TRAVELLR_ENV', ['development', 'production', 'test'] as const, 'development')
  const production = appEnv === 'production'
  const dataDir = resolve(env.DATA_DIR || './data')
  const databaseUrl = env.DATABASE_URL || `sqlite:${join(dataDir, 'travellr.sqlite')}`
  if (!databaseUrl.startsWith('sqlite:') && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL must be sqlite:PATH or postgres://…')
  }

  let jwtSecret = env.JWT_SECRET
  if (jwtSecret === undefined || jwtSecret === '') {
    if (production) throw new ConfigError('JWT_SECRET is required in production')
    jwtSecret = developmentSecret(dataDir)
  } else if (isWeakSecret(jwtSecret)) {
    if (production || appEnv === 'test') {
      throw new ConfigError('JWT_SECRET is weak: use at least 32 random bytes (e.g. openssl rand -base64 48)')
    }
  }

  const payments = oneOf(env, 'PAYMENTS', ['mock', 'stripe'] as const, 'mock')
  if (payments === 'stripe' && (!env.STRIPE_SECRET_KEY || !env.STRIPE_WEBHOOK_SECRET)) {
    throw new ConfigError('PAYMENTS=stripe needs STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET')
  }
  const seedDemo = (env.SEED_DEMO ?? (appEnv === 'development' ? '1' : '0')) === '1'
  if (production && seedDemo) throw new ConfigError('SEED_DEMO=1 is refused in production')
  const redisUrl = env.REDIS_URL || undefined
  const clockOffsetMs = parseClockOffset(env.TRAVELLR_CLOCK_OFFSET)
  if (production && clockOffsetMs !== 0)
    throw new ConfigError('TRAVELLR_CLOCK_OFFSET is refused in production')
  if (redisUrl !== undefined && !/^rediss?:\/\//.test(redisUrl)) {
    throw new ConfigError('REDIS_URL must be redis://… or rediss://…')
  }

  const config: Config = {
    env: appEnv,
    host: env.HOST || '127.0.0.1',
    port: int(env, 'PORT', 3000, 0, 65535),
    databaseUrl,
    databasePool: {
      max: int(env, 'DATABASE_POOL_MAX', 10, 1, 1000),
      waitMs: int(env, 'DATABASE_POOL_WAIT_MS', 15_000, 100, 120_000),
    },
    redisUrl,
    redisPrefix: env.REDIS_PREFIX || 'travellr:',
    jwtSecret,
    jwtIssuer: env.JWT_ISSUER || 'travellr',
    jwtAudience: env.JWT_AUDIENCE || 'travellr-api',
    accessTokenSeconds: 3600,
    refreshTokenDays: 30,
    payments,
    stripeSecretKey: env.STRIPE_SECRET_KEY || undefined,
    stripeWebhookSecret: env.STRIPE_WEBHOOK_SECRET || undefined,
    stripeApiBase: env.STRIPE_API_BASE || undefined,
    smtpUrl: env.SMTP_URL || undefined,
    mailDir: resolve(env.MAIL_DIR || join(dataDir, 'mail')),
    holdMinutes: int(env, 'HOLD_MINUTES', 15, 1, 24 * 60),
    maxHeldSeats: int(env, 'MAX_HELD_SEATS', 10, 1, 1000),
    seedDemo,
    logLevel: oneOf(
      env,
      'LOG_LEVEL',
      ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const,
      appEnv === 'test' ? 'silent' : 'info',
    ),
    corsOrigins: (env.CORS_ORIGINS || '')
      .split(',')
      .map((o) => o.trim())
      .filter(Boolean),
    trustProxy: int(env, 'TRUST_PROXY', 0, 0, 10),
    requestTimeoutSeconds: int(env, 'REQUEST_TIMEOUT_SECONDS', 30, 1, 600),
    metricsToken: env.METRICS_TOKEN || undefined,
    registrationsPerAddress: int(env, 'REGISTRATIONS_PER_ADDRESS', 20, 1, 1_000_000),
    maxHeldSeatsPerAddress: int(env, 'MAX_HELD_SEATS_PER_ADDRESS', 40, 1, 1_000_000),
    dataDir,
    clockOffsetMs,
    mailFrom: env.MAIL_FROM || 'Travellr <no-reply@travellr.local>',
    jobRetry: {
      attempts: int(env, 'JOB_ATTEMPTS', 8, 1, 100),
      backoffMs: int(env, 'JOB_BACKOFF_MS', 1000, 1, 3_600_000),
    },
    workerPort: int(env, 'WORKER_PORT', 0, 0, 65535),
    payoutMinimum: amount(env, 'PAYOUT_MINIMUM', '50.00'),
    argon2: { memoryKiB: 19456, iterations: 2, parallelism: 1 },
  }
  return Object.freeze(config)
}

/** The process's configuration: a `.env` file in the working directory first, real variables winning. */
export function loadConfigFromEnvironment(): Config {
  if (existsSync('.env')) process.loadEnvFile('.env')
  return loadConfig(process.env)
}
