/** What went wrong, in business terms; the HTTP layer maps each kind to a status. */
export type ErrorKind =
  | 'invalid'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'unprocessable'
  | 'payment_required'
  | 'too_many_requests'
  | 'unavailable'

export interface FieldError {
  field: string
  message: string
}

/** Base of every error business code throws: a stable machine `code`, a `kind`, a safe `detail`. */
export class AppError extends Error {
  readonly code: string
  readonly kind: ErrorKind
  readonly errors: FieldError[] | undefined
  /** Seconds a client should wait before retrying (for `too_many_requests` and `unavailable`). */
  readonly retryAfter: number | undefined

  constructor(
    kind: ErrorKind,
    code: string,
    detail: string,
    extra: { errors?: FieldError[]; retryAfter?: number } = {},
  ) {
    super(detail)
    this.name = new.target.name
    this.kind = kind
    this.code = code
    this.errors = extra.errors
    this.retryAfter = extra.retryAfter
  }
}

export class ValidationError extends AppError {
  constructor(errors: FieldError[], detail = 'The request is not valid.') {
    super('invalid', 'request.invalid', detail, { errors })
  }
}

export class ServiceUnavailableError extends AppError {
  constructor(detail = 'A service this request needs is unavailable; try again shortly.') {
    super('unavailable', 'service.unavailable', detail, { retryAfter: 5 })
  }
}

/** A transaction kept losing races (deadlocks, serialization failures) after its retries. */
export class ConcurrentChangeError extends AppError {
  constructor() {
    super('conflict', 'concurrency.conflict', 'Another change to the same data got there first; try again.')
  }
}
