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

export function multiply(price: Money, times: number): Money {
  if (!Number.isSafeInteger(price.amount) || !Number.isSafeInteger(times))
    throw new RangeError('money is whole minor units')
  return { amount: price.amount * times, currency: price.currency }
}
