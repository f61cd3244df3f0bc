/** Money is integer minor units plus an ISO 4217 currency; never a float. */
export interface Money {
  amount: number
  currency: string
}

let currencies: Set<string> | undefined

export function isKnownCurrency(code: string): boolean {
  currencies ??= new Set(Intl.supportedValuesOf('currency'))
  return /^[A-Z]{3}$/.test(code) && currencies.has(code)
}

/** Digits after the decimal point of a currency (USD 2, JPY 0, BHD 3). */
export function minorUnits(currency: string): number {
  return (
    new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2
  )
}

/** a × numerator / denominator, rounded half to even, in exact integer arithmetic. */
export function mulDivHalfEven(a: number, numerator: number, denominator: number): number {
  if (![a, numerator, denominator].every(Number.isSafeInteger) || denominator <= 0) {
    throw new RangeError('mulDivHalfEven takes safe integers and a positive denominator')
  }
  const n = BigInt(a) * BigInt(numerator)
  const d = BigInt(denominator)
  let q = n / d
  const r = n % d
  const twice = (r < 0n ? -r : r) * 2n
  if (twice > d || (twice === d && q % 2n !== 0n)) q += n < 0n ? -1n : 1n
  return Number(q)
}

/** Money for people to read, with its currency's own decimals: EUR 125.00, JPY 1,500, BHD 1.250. */
export function formatMoney(m: Money, locale = 'en'): string {
  const digits = minorUnits(m.currency)
  const major = m.amount / 10 ** digits
  return new Intl.NumberFormat(locale, {
    style: 'currency',
    currency: m.currency,
    currencyDisplay: 'code',
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(major)
}
