import { AppError } from '../../shared/errors.js'

export class PaymentNotFoundError extends AppError {
  constructor(id: string) {
    super('not_found', 'payment.not_found', `No payment ${id}.`)
  }
}

export class PaymentDeclinedError extends AppError {
  constructor(code: string, reason: string) {
    super('payment_required', 'payment.declined', `The payment was declined (${code}): ${reason}`)
  }
}

export class PaymentConflictError extends AppError {
  constructor(code: string, detail: string) {
    super('conflict', code, detail)
  }
}

export class ProviderUnavailableError extends AppError {
  constructor() {
    super(
      'unavailable',
      'payment.provider_unavailable',
      'The payment provider did not answer; nothing was confirmed. Try again shortly.',
      { retryAfter: 5 },
    )
  }
}

export class OverRefundError extends AppError {
  constructor(left: number) {
    super(
      'conflict',
      'payment.over_refund',
      `At most ${left} (minor units) is left to refund on this payment.`,
    )
  }
}

export class BookingToPayNotFoundError extends AppError {
  constructor(id: string) {
    super('not_found', 'booking.not_found', `No booking ${id}.`)
  }
}
