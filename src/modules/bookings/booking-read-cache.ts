import type { ChangeFeed } from '../../platform/database/change-feed.js'

/**
 * Booking reads (the booking, its seller, its payments and refunds) kept in this process, dropped the
 * moment the change feed says the booking changed — whoever changed it, in whatever process, through
 * our code or not. While the feed is not live (its connection lost), nothing is served from here.
 *
 * A read that started before a change and finishes after it would put the old state back: every
 * change bumps a generation, and a read is kept only if no change came while it ran (a change that
 * comes after it was kept drops it as usual). Authorization is not cached: it is decided per request
 * from the booking's owner and seller, which never change.
 */
export interface BookingReadCache<T> {
  read(bookingId: string, load: () => Promise<T | undefined>): Promise<T | undefined>
}

export function createBookingReadCache<T>(feed: ChangeFeed, maxEntries = 5000): BookingReadCache<T> {
  const entries = new Map<string, T>()
  let generation = 0
  feed.onChange((bookingId) => {
    generation++
    if (bookingId === null) entries.clear()
    else entries.delete(bookingId)
  })
  return {
    async read(bookingId, load) {
      if (!feed.live) return load()
      feed.check()
      const hit = entries.get(bookingId)
      if (hit !== undefined) return hit
      const before = generation
      const value = await load()
      if (value !== undefined && generation === before && feed.live) {
        if (entries.size >= maxEntries) entries.delete(entries.keys().next().value as string)
        entries.set(bookingId, value)
      }
      return value
    },
  }
}
