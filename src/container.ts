import { republishRevocations } from './modules/auth/index.js'
import { createMockGateway, createStripeGateway, type PaymentGateway } from './modules/payments/index.js'
import type { Cache } from './platform/cache/cache.js'
import { createMemoryCache } from './platform/cache/memory-cache.js'
import { createRedisCache } from './platform/cache/redis-cache.js'
import type { Config } from './platform/config.js'
import { type Database, isMissingTable, openDatabase } from './platform/database/database.js'
import { migrateToLatest } from './platform/database/migrations.js'
import { createLogger, type Logger } from './platform/logger.js'
import { createFileMailer } from './platform/mailer/file-mailer.js'
import type { Mailer } from './platform/mailer/mailer.js'
import { createSmtpMailer } from './platform/mailer/smtp-mailer.js'
import { createBullmqQueue } from './platform/queue/bullmq-queue.js'
import { createInProcessQueue } from './platform/queue/in-process-queue.js'
import type { JobQueue } from './platform/queue/queue.js'
import { isCommonPassword } from './platform/security/common-passwords.js'
import { createPasswordHasher, type PasswordHasher } from './platform/security/passwords.js'
import {
  type AddressLimits,
  createAddressLimits,
  createLoginThrottle,
  type LoginThrottle,
} from './platform/security/throttle.js'
import { createTokenSigner, type TokenSigner } from './platform/security/tokens.js'
import { type Clock, shiftedClock } from './shared/clock.js'

/** Everything the service is made of, built in one place from the config (plain code, no framework). */
export interface Container {
  config: Config
  log: Logger
  clock: Clock
  database: Database
  db: Database['db']
  cache: Cache
  passwords: PasswordHasher
  tokens: TokenSigner
  throttle: LoginThrottle
  addressLimits: AddressLimits
  /** The payment provider: the mock (default) or Stripe, by PAYMENTS. */
  gateway: PaymentGateway
  /** Events and schedules: in this process, or BullMQ on Redis (REDIS_URL). */
  queue: JobQueue
  /** Mail: .eml files under MAIL_DIR, or SMTP (SMTP_URL). */
  mailer: Mailer
  isCommonPassword: (p: string) => boolean
  refreshTokenDays: number
  accessTokenSeconds: number
  holdMinutes: number
  maxHeldSeats: number
  payoutMinimum: string
  dialect: Database['dialect']
  close(): Promise<void>
}

export interface ContainerOverrides {
  clock?: Clock
  log?: Logger
  cache?: Cache
  mailer?: Mailer
  /** Another container's open database (shared, not closed by this one): e.g. a second clock on one SQLite connection. */
  database?: Database
}

export function buildContainer(config: Config, overrides: ContainerOverrides = {}): Container {
  const log = overrides.log ?? createLogger(config.logLevel)
  const database = overrides.database ?? openDatabase(config.databaseUrl, log, config.databasePool)
  const cache =
    overrides.cache ??
    (config.redisUrl ? createRedisCache(config.redisUrl, config.redisPrefix, log) : createMemoryCache())
  const throttle = createLoginThrottle(cache, log)
  const clock = overrides.clock ?? shiftedClock(config.clockOffsetMs)
  const queueDeps = { db: database.db, clock, log, retry: config.jobRetry }
  const queue = config.redisUrl
    ? createBullmqQueue({
        ...queueDeps,
        dialect: database.dialect,
        redisUrl: config.redisUrl,
        prefix: config.redisPrefix,
      })
    : createInProcessQueue(queueDeps)
  const mailer =
    overrides.mailer ??
    (config.smtpUrl
      ? createSmtpMailer(config.smtpUrl, config.mailFrom)
      : createFileMailer(config.mailDir, config.mailFrom))
  const container: Container = {
    config,
    log,
    clock,
    database,
    db: database.db,
    cache,
    passwords: createPasswordHasher(config.argon2),
    tokens: createTokenSigner({
      secret: config.jwtSecret,
      issuer: config.jwtIssuer,
      audience: config.jwtAudience,
      accessTokenSeconds: config.accessTokenSeconds,
    }),
    throttle,
    addressLimits: createAddressLimits(
      cache,
      {
        registrationsPerHour: config.registrationsPerAddress,
        heldSeats: config.maxHeldSeatsPerAddress,
        holdMinutes: config.holdMinutes,
      },
      log,
    ),
    gateway:
      config.payments === 'stripe'
        ? createStripeGateway({ secretKey: config.stripeSecretKey!, apiBase: config.stripeApiBase })
        : createMockGateway({ db: database.db, clock }),
    queue,
    mailer,
    isCommonPassword,
    refreshTokenDays: config.refreshTokenDays,
    accessTokenSeconds: config.accessTokenSeconds,
    holdMinutes: config.holdMinutes,
    maxHeldSeats: config.maxHeldSeats,
    payoutMinimum: config.payoutMinimum,
    dialect: database.dialect,
    async close() {
      await queue.close()
      mailer.close()
      await cache.close()
      if (!overrides.database) await database.close()
    },
  }
  // Logouts during a cache outage are in the database only: put them back on the denylist.
  cache.onReady(() => {
    republishRevocations(container).catch((err) => {
      // Before the first migration there is no session to re-publish.
      if (!isMissingTable(err)) log.warn({ err }, 'could not re-publish revoked sessions')
    })
  })
  return container
}

export async function migrate(container: Container): Promise<string[]> {
  return migrateToLatest(container.db, container.database.dialect)
}
