import type { FieldError } from '../../shared/errors.js'
import type { Money } from '../../shared/money.js'
import { zonedInstant } from '../../shared/time.js'
import type { Trip } from './trip.js'

/**
 * How a product's departures were laid out: start times on days of the week over a date range, an
 * explicit list of local start times, or one departure (a trip published on its own).
 */
export type Schedule =
  | { kind: 'weekly'; daysOfWeek: number[]; startTimes: string[]; from: string; to: string }
  | { kind: 'dates'; starts: string[] }
  | { kind: 'single' }

/** A product: what is sold; its departures are trips, each with its own capacity, price and policy. */
export interface Product {
  id: string
  vendorId: string
  title: string
  description: string
  location: string
  timezone: string
  durationMinutes: number
  schedule: Schedule
  createdAt: string
  updatedAt: string
}

/** A departure of a product as the catalogue shows it. */
export interface Departure {
  tripId: string
  startsAt: string
  endsAt: string
  timezone: string
  price: Money
  capacity: number
  seatsTaken: number
  status: 'published' | 'cancelled'
  cancellationPolicy: { tiers: { hoursBefore: number; refundPercent: number }[] }
}

export const MAX_DEPARTURES = 500
const DAY_MS = 86_400_000

/** Local date (YYYY-MM-DD) of each day from `from` to `to` inclusive, with its ISO weekday (1 = Monday). */
function daysBetween(from: string, to: string): { date: string; weekday: number }[] {
  const days: { date: string; weekday: number }[] = []
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += DAY_MS) {
    const d = new Date(t)
    days.push({ date: d.toISOString().slice(0, 10), weekday: d.getUTCDay() === 0 ? 7 : d.getUTCDay() })
    if (days.length > 3660) break
  }
  return days
}

/** The local start times ("YYYY-MM-DDTHH:mm") a schedule lays out, in order, without repeats. */
export function localStarts(schedule: Schedule): string[] {
  if (schedule.kind === 'single') return []
  const starts =
    schedule.kind === 'dates'
      ? schedule.starts
      : daysBetween(schedule.from, schedule.to)
          .filter((d) => schedule.daysOfWeek.includes(d.weekday))
          .flatMap((d) => schedule.startTimes.map((time) => `${d.date}T${time}`))
  return [...new Set(starts)].sort()
}

/**
 * The departures (UTC start and end) of a schedule in a time zone, those after `now` only: a range that
 * starts today skips the times already gone. A wall time that does not exist (a spring-forward gap)
 * moves to the same time after the shift, as the clock shows it.
 */
export function departureTimes(
  schedule: Schedule,
  timezone: string,
  durationMinutes: number,
  now: Date,
): { startsAt: string; endsAt: string }[] {
  return localStarts(schedule)
    .map((local) => zonedInstant(local.slice(0, 10), local.slice(11, 16), timezone))
    .filter((startsAt) => Date.parse(startsAt) > now.getTime())
    .map((startsAt) => ({
      startsAt,
      endsAt: new Date(Date.parse(startsAt) + durationMinutes * 60_000).toISOString(),
    }))
}

const isDate = (s: string) => {
  const t = Date.parse(`${s}T00:00:00Z`)
  return /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(t) && new Date(t).toISOString().startsWith(s)
}
const isTime = (s: string) => /^([01]\d|2[0-3]):[0-5]\d$/.test(s)

/** What a schema cannot say about a schedule: real dates, an ordered range, not too many departures. */
export function scheduleProblems(schedule: Schedule): FieldError[] {
  const errors: FieldError[] = []
  if (schedule.kind === 'weekly') {
    if (!isDate(schedule.from))
      errors.push({ field: 'schedule.from', message: 'must be a date (YYYY-MM-DD)' })
    if (!isDate(schedule.to)) errors.push({ field: 'schedule.to', message: 'must be a date (YYYY-MM-DD)' })
    else if (isDate(schedule.from) && schedule.to < schedule.from)
      errors.push({ field: 'schedule.to', message: 'must not be before schedule.from' })
    else if (isDate(schedule.from) && Date.parse(schedule.to) - Date.parse(schedule.from) > 731 * DAY_MS)
      errors.push({ field: 'schedule.to', message: 'must be within two years of schedule.from' })
    for (const time of schedule.startTimes)
      if (!isTime(time))
        errors.push({ field: 'schedule.start_times', message: `${time} is not a time (HH:mm)` })
  }
  if (schedule.kind === 'dates')
    for (const start of schedule.starts)
      if (!isDate(start.slice(0, 10)) || start[10] !== 'T' || !isTime(start.slice(11)))
        errors.push({
          field: 'schedule.dates',
          message: `${start} is not a local date and time (YYYY-MM-DDTHH:mm)`,
        })
  if (errors.length === 0 && localStarts(schedule).length > MAX_DEPARTURES)
    errors.push({ field: 'schedule', message: `lays out more than ${MAX_DEPARTURES} departures` })
  return errors
}

/** Cheapest price among departures, per currency of the first; null without departures. */
export function priceFrom(departures: Pick<Departure, 'price'>[]): Money | null {
  if (departures.length === 0) return null
  const currency = departures[0]!.price.currency
  const amounts = departures.filter((d) => d.price.currency === currency).map((d) => d.price.amount)
  return { amount: Math.min(...amounts), currency }
}

/** The product of a trip published on its own: one departure, its title, place and length. */
export function productOfOne(trip: Trip, id: string): Product {
  return {
    id,
    vendorId: trip.vendorId,
    title: trip.title,
    description: trip.description,
    location: trip.location,
    timezone: trip.timezone,
    durationMinutes: Math.max(1, Math.round((Date.parse(trip.endsAt) - Date.parse(trip.startsAt)) / 60_000)),
    schedule: { kind: 'single' },
    createdAt: trip.createdAt,
    updatedAt: trip.updatedAt,
  }
}
