let zones: Set<string> | undefined

/**
 * The canonical IANA name of a zone given in any case or by an alias (`europe/lisbon` → `Europe/Lisbon`,
 * `GMT` → `UTC`, `US/Pacific` → `America/Los_Angeles`); undefined for anything that is not an IANA zone
 * (including offsets such as `+01:00`).
 */
export function canonicalTimeZone(name: string): string | undefined {
  zones ??= new Set(Intl.supportedValuesOf('timeZone'))
  try {
    const resolved = new Intl.DateTimeFormat('en', { timeZone: name }).resolvedOptions().timeZone
    return zones.has(resolved) || resolved === 'UTC' ? resolved : undefined
  } catch {
    return undefined
  }
}

/** A canonical IANA time zone name this runtime knows (e.g. Europe/Lisbon, UTC). */
export function isTimeZone(name: string): boolean {
  return canonicalTimeZone(name) === name
}

// Building an Intl.DateTimeFormat costs far more than using one: one per zone, made once.
const formatters = new Map<string, Intl.DateTimeFormat>()

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone)
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    })
    formatters.set(timeZone, f)
  }
  return f
}

// Trips are shown far more often than they change: remember the last few thousand conversions.
const shown = new Map<string, string>()

/** The instant as wall-clock time in a zone, with its offset: 2027-03-28T09:00:00+01:00. */
export function localIso(instant: string | Date, timeZone: string): string {
  const key = `${typeof instant === 'string' ? instant : instant.toISOString()}|${timeZone}`
  let local = shown.get(key)
  if (local === undefined) {
    local = computeLocalIso(new Date(instant), timeZone)
    if (shown.size >= 5000) shown.clear()
    shown.set(key, local)
  }
  return local
}

function computeLocalIso(date: Date, timeZone: string): string {
  const parts: Record<string, string> = {}
  for (const p of formatterFor(timeZone).formatToParts(date)) parts[p.type] = p.value
  const wall = Date.UTC(
    +parts.year!,
    +parts.month! - 1,
    +parts.day!,
    +parts.hour!,
    +parts.minute!,
    +parts.second!,
  )
  const offsetMin = Math.round((wall - Math.floor(date.getTime() / 1000) * 1000) / 60000)
  const sign = offsetMin < 0 ? '-' : '+'
  const abs = Math.abs(offsetMin)
  const offset = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}${offset}`
}

/** The UTC instant of a wall-clock time in a zone ("2027-03-28", "09:00", "Europe/Lisbon"). */
export function zonedInstant(date: string, time: string, timeZone: string): string {
  const wall = Date.parse(`${date}T${time}:00Z`)
  let guess = wall
  for (let i = 0; i < 3; i++) {
    const local = localIso(new Date(guess), timeZone)
    const shown = Date.parse(`${local.slice(0, 19)}Z`)
    guess += wall - shown
  }
  return new Date(guess).toISOString()
}
