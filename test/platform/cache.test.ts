import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { type Cache, readThrough } from '../../src/platform/cache/cache.js'
import { createMemoryCache } from '../../src/platform/cache/memory-cache.js'
import { createRedisCache } from '../../src/platform/cache/redis-cache.js'
import { REDIS_URL } from '../support/services.js'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

const adapters: [string, () => Cache][] = [
  ['memory', () => createMemoryCache()],
  ['redis', () => createRedisCache(REDIS_URL, `t:${inject('runId')}:${randomBytes(4).toString('hex')}:`)],
]

describe.each(adapters)('cache contract: %s', (_name, make) => {
  let cache: Cache
  beforeAll(async () => {
    cache = make()
    for (let i = 0; i < 50; i++) {
      try {
        await cache.ping()
        return
      } catch {
        await sleep(50)
      }
    }
  })
  afterAll(async () => {
    await cache.deleteByPattern('*')
    await cache.close()
  })

  it('when a value is set, then get returns it as JSON would, and no caller can change what others read', async () => {
    const value = { a: 1, b: ['x', null], c: { d: true }, at: new Date('2031-01-01T00:00:00Z') }
    await cache.set('obj', value, 60)
    value.a = 2 // the caller's own object changing later does not reach the cache
    const got = await cache.get<any>('obj')
    expect(got).toEqual({ a: 1, b: ['x', null], c: { d: true }, at: '2031-01-01T00:00:00.000Z' })
    try {
      got.a = 99
      got.b.push('z')
    } catch {
      // frozen (memory) or a private copy (Redis): either way the cache keeps its value
    }
    expect(await cache.get('obj')).toEqual({
      a: 1,
      b: ['x', null],
      c: { d: true },
      at: '2031-01-01T00:00:00.000Z',
    })
  })

  it('when a key is missing, then get is undefined', async () => {
    expect(await cache.get('nope')).toBeUndefined()
  })

  it('when the TTL passes, then the value is gone', async () => {
    await cache.set('short', 'v', 1)
    expect(await cache.get('short')).toBe('v')
    await sleep(1100)
    expect(await cache.get('short')).toBeUndefined()
  })

  it('when many are set and read, then order is kept and misses are undefined', async () => {
    await cache.setMany(
      [
        { key: 'm1', value: 1 },
        { key: 'm2', value: 'two' },
      ],
      60,
    )
    expect(await cache.getMany(['m1', 'missing', 'm2'])).toEqual([1, undefined, 'two'])
    expect(await cache.getMany([])).toEqual([])
  })

  it('when keys are deleted, then they are gone', async () => {
    await cache.setMany(
      [
        { key: 'd1', value: 1 },
        { key: 'd2', value: 2 },
        { key: 'd3', value: 3 },
      ],
      60,
    )
    await cache.delete('d1', 'd2')
    expect(await cache.getMany(['d1', 'd2', 'd3'])).toEqual([undefined, undefined, 3])
  })

  it('when deleting by pattern, then only matching keys go, however many', async () => {
    const entries = Array.from({ length: 1200 }, (_, i) => ({ key: `trip:${i}:x`, value: i }))
    await cache.setMany(entries, 60)
    await cache.set('trips-list', 'keep', 60)
    await cache.set('user:1', 'keep', 60)
    expect(await cache.deleteByPattern('trip:*')).toBe(1200)
    expect(await cache.get('trip:5:x')).toBeUndefined()
    expect(await cache.get('trips-list')).toBe('keep')
    expect(await cache.get('user:1')).toBe('keep')
  })

  it('when incrementing, then counts go up from 1 and the window keeps its first expiry', async () => {
    expect(await cache.increment('ctr', 1)).toBe(1)
    expect(await cache.increment('ctr', 100)).toBe(2)
    expect(await cache.increment('ctr', 100)).toBe(3)
    await sleep(1100)
    expect(await cache.increment('ctr', 1)).toBe(1)
  })

  it('when incrementing by more than one, then the count grows by that much', async () => {
    expect(await cache.increment('by', 60, 4)).toBe(4)
    expect(await cache.increment('by', 60, 3)).toBe(7)
    expect(await cache.increment('by', 60)).toBe(8)
  })

  it('when incremented concurrently, then no increment is lost', async () => {
    await Promise.all(Array.from({ length: 50 }, () => cache.increment('race', 60)))
    expect(await cache.increment('race', 60)).toBe(51)
  })
})

describe('a Redis cache whose server is away', () => {
  it('when Redis does not answer, then calls fail fast and readThrough answers from the loader', async () => {
    const dead = createRedisCache('redis://127.0.0.1:1', 'dead:')
    const started = Date.now()
    await expect(dead.get('x')).rejects.toThrow('cache unavailable')
    const value = await readThrough(dead, 'k', 60, async () => ({ from: 'database' }))
    expect(value).toEqual({ from: 'database' })
    expect(Date.now() - started).toBeLessThan(5000)
    await dead.close()
  })
})

describe('the in-process cache', () => {
  it('when ever-new answers are cached, then it keeps within its size and the newest are there', async () => {
    const cache = createMemoryCache({ maxBytes: 100_000 })
    const answer = {
      trips: Array.from({ length: 20 }, (_, i) => ({ id: `trp_${i}`, title: 'x'.repeat(40) })),
    }
    const size = JSON.stringify(answer).length
    for (let i = 0; i < 1000; i++) await cache.set(`trips:list:${i}`, answer, 3600)
    const held = (await cache.getMany(Array.from({ length: 1000 }, (_, i) => `trips:list:${i}`))).filter(
      (v) => v !== undefined,
    )
    expect(held.length * size).toBeLessThanOrEqual(100_000)
    expect(held.length).toBeGreaterThan(0)
    expect(await cache.get('trips:list:999')).toEqual(answer)
    expect(await cache.get('trips:list:0')).toBeUndefined()
  })
})
