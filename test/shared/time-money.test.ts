import { describe, expect, it } from 'vitest'
import { isKnownCurrency, minorUnits } from '../../src/shared/money.js'
import { isTimeZone, localIso, zonedInstant } from '../../src/shared/time.js'

describe('time', () => {
  it('when a wall-clock time is given in a zone, then the instant accounts for daylight saving', () => {
    expect(zonedInstant('2031-03-30', '09:00', 'Europe/Lisbon')).toBe('2031-03-30T08:00:00.000Z')
    expect(zonedInstant('2031-03-29', '09:00', 'Europe/Lisbon')).toBe('2031-03-29T09:00:00.000Z')
    expect(zonedInstant('2031-07-01', '05:30', 'Asia/Tokyo')).toBe('2031-06-30T20:30:00.000Z')
    expect(zonedInstant('2031-11-02', '08:00', 'America/New_York')).toBe('2031-11-02T13:00:00.000Z')
  })

  it('when an instant is shown in a zone, then the wall time carries the offset of that day', () => {
    expect(localIso('2031-03-30T08:00:00.000Z', 'Europe/Lisbon')).toBe('2031-03-30T09:00:00+01:00')
    expect(localIso('2031-01-15T12:00:00.000Z', 'America/St_Johns')).toBe('2031-01-15T08:30:00-03:30')
    expect(localIso('2031-01-15T12:00:00.000Z', 'UTC')).toBe('2031-01-15T12:00:00+00:00')
  })

  it('when a zone is checked, then IANA names pass and others do not', () => {
    expect(isTimeZone('Europe/Lisbon')).toBe(true)
    expect(isTimeZone('UTC')).toBe(true)
    expect(isTimeZone('Mars/Olympus_Mons')).toBe(false)
    expect(isTimeZone('+01:00')).toBe(false)
  })
})

describe('money', () => {
  it('when currencies are checked, then ISO 4217 codes pass and their minor units are known', () => {
    expect(isKnownCurrency('EUR')).toBe(true)
    expect(isKnownCurrency('XYZ')).toBe(false)
    expect(isKnownCurrency('eur')).toBe(false)
    expect(minorUnits('USD')).toBe(2)
    expect(minorUnits('JPY')).toBe(0)
    expect(minorUnits('BHD')).toBe(3)
  })
})
