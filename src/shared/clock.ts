/** Every time rule asks a Clock, so tests can set the time. */
export interface Clock {
  now(): Date
}

export const systemClock: Clock = { now: () => new Date() }

/** The system clock shifted by `offsetMs` (TRAVELLR_CLOCK_OFFSET: demos and drills of the future). */
export function shiftedClock(offsetMs: number): Clock {
  return offsetMs === 0 ? systemClock : { now: () => new Date(Date.now() + offsetMs) }
}

/** A clock that stands still until told to move: for tests and drills. */
export class ManualClock implements Clock {
  private current: number

  constructor(start: Date | string = '2030-01-01T00:00:00.000Z') {
    this.current = new Date(start).getTime()
  }

  now(): Date {
    return new Date(this.current)
  }

  set(to: Date | string): void {
    this.current = new Date(to).getTime()
  }

  advance(ms: number): void {
    this.current += ms
  }
}
