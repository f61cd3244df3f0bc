import { pino } from 'pino'

/** Paths never written to logs, whatever a handler logs by mistake. */
const REDACT = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["idempotency-key"]',
  'headers.authorization',
  '*.password',
  '*.current_password',
  '*.password_hash',
  '*.passwordHash',
  '*.access_token',
  '*.refresh_token',
  '*.refreshToken',
  '*.jwtSecret',
  '*.secret',
  'config.jwtSecret',
  'config.stripeSecretKey',
  'config.stripeWebhookSecret',
]

export function createLogger(level: string) {
  return pino({ level, redact: { paths: REDACT, censor: '[redacted]' } })
}

export type Logger = ReturnType<typeof createLogger>
