import { describe, expect, it } from 'vitest'
import { ConfigError, isWeakSecret, loadConfig } from '../../src/platform/config.js'
import { shiftedClock } from '../../src/shared/clock.js'

const STRONG = 'q8Jv2mX9pL4sT7wZ1cR5nB3hF6kD0gYaEuIoPxVbNm'

describe('config', () => {
  it('when nothing is set, then the embedded defaults apply and the object is frozen', () => {
    const c = loadConfig({ DATA_DIR: '/tmp/travellr-config-test', JWT_SECRET: STRONG })
    expect(c).toMatchObject({
      env: 'development',
      host: '127.0.0.1',
      port: 3000,
      redisUrl: undefined,
      payments: 'mock',
      holdMinutes: 15,
      maxHeldSeats: 10,
      seedDemo: true,
    })
    expect(c.databaseUrl).toBe('sqlite:/tmp/travellr-config-test/travellr.sqlite')
    expect(Object.isFrozen(c)).toBe(true)
  })

  it('when production has no JWT_SECRET, then it refuses to start', () => {
    expect(() => loadConfig({ TRAVELLR_ENV: 'production', DATABASE_URL: 'postgres://x/y' })).toThrow(
      ConfigError,
    )
  })

  it.each([
    'short-secret',
    'changeme-changeme-changeme-changeme-changeme',
    'a'.repeat(64),
    'abababababababababababababababababab',
  ])('when production gets the weak secret %s, then it refuses to start', (secret) => {
    expect(() => loadConfig({ TRAVELLR_ENV: 'production', JWT_SECRET: secret, SEED_DEMO: '0' })).toThrow(
      /JWT_SECRET/,
    )
  })

  it('when production gets a strong secret, then it starts without demo data', () => {
    const c = loadConfig({
      TRAVELLR_ENV: 'production',
      JWT_SECRET: STRONG,
      DATABASE_URL: 'postgres://db/travellr',
    })
    expect(c.seedDemo).toBe(false)
  })

  it('when production is asked for demo data, then it refuses', () => {
    expect(() => loadConfig({ TRAVELLR_ENV: 'production', JWT_SECRET: STRONG, SEED_DEMO: '1' })).toThrow(
      /SEED_DEMO/,
    )
  })

  it.each([
    ['PORT', 'eighty'],
    ['HOLD_MINUTES', '0'],
    ['PAYMENTS', 'paypal'],
    ['DATABASE_URL', 'mysql://x'],
    ['REDIS_URL', 'localhost:6379'],
    ['LOG_LEVEL', 'loud'],
  ])('when %s is %s, then a clear error names it', (name, value) => {
    expect(() =>
      loadConfig({ JWT_SECRET: STRONG, DATA_DIR: '/tmp/travellr-config-test', [name]: value }),
    ).toThrow(name)
  })

  it('when stripe payments lack keys, then it refuses', () => {
    expect(() => loadConfig({ JWT_SECRET: STRONG, DATA_DIR: '/tmp/x', PAYMENTS: 'stripe' })).toThrow(
      /STRIPE_SECRET_KEY/,
    )
  })

  it('when judging secrets, then only long, varied ones pass', () => {
    expect(isWeakSecret(STRONG)).toBe(false)
    expect(isWeakSecret('x'.repeat(31))).toBe(true)
  })
  it('when TRAVELLR_CLOCK_OFFSET is set, then the clock shifts by it; production and nonsense are refused', () => {
    const base = { JWT_SECRET: STRONG, DATA_DIR: '/tmp/travellr-config-test' }
    expect(loadConfig({ ...base, TRAVELLR_CLOCK_OFFSET: '+30d' }).clockOffsetMs).toBe(30 * 86_400_000)
    expect(loadConfig({ ...base, TRAVELLR_CLOCK_OFFSET: '-2h' }).clockOffsetMs).toBe(-7_200_000)
    expect(loadConfig({ ...base, TRAVELLR_CLOCK_OFFSET: '+90m' }).clockOffsetMs).toBe(5_400_000)
    expect(loadConfig(base).clockOffsetMs).toBe(0)
    expect(() => loadConfig({ ...base, TRAVELLR_CLOCK_OFFSET: '30 days' })).toThrow(/must look like \+30d/)
    expect(() => loadConfig({ ...base, TRAVELLR_ENV: 'production', TRAVELLR_CLOCK_OFFSET: '+1d' })).toThrow(
      'TRAVELLR_CLOCK_OFFSET is refused in production',
    )
    const shifted = shiftedClock(loadConfig({ ...base, TRAVELLR_CLOCK_OFFSET: '+30d' }).clockOffsetMs)
    expect(Math.abs(shifted.now().getTime() - Date.now() - 30 * 86_400_000)).toBeLessThan(1000)
  })
})
