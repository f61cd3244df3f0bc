import { AppError } from '../../shared/errors.js'

export class ResellerNotFoundError extends AppError {
  constructor(id: string) {
    super('not_found', 'reseller.not_found', `No reseller ${id}.`)
  }
}

export class ResellerAccessNotFoundError extends AppError {
  constructor(id: string) {
    super('not_found', 'reseller.access_not_found', `No reseller access ${id}.`)
  }
}

export class ResellerAccessExistsError extends AppError {
  constructor() {
    super(
      'conflict',
      'reseller.access_exists',
      'This reseller already has access to this catalogue: revoke that key before issuing another.',
    )
  }
}

export class ResellerNotActiveError extends AppError {
  constructor(id: string) {
    super('conflict', 'reseller.not_active', `Reseller ${id} is suspended.`)
  }
}

/** An OCTO request without a key, or with a key that is unknown, revoked or of a closed account. */
export class ResellerKeyError extends AppError {
  constructor(readonly missing: boolean) {
    super(
      'unauthorized',
      missing ? 'reseller.key_missing' : 'reseller.key_refused',
      missing
        ? 'Send your API key as Authorization: Bearer <key>.'
        : 'This API key is unknown, revoked, or its catalogue is closed.',
    )
  }
}

export class ResellerAdminOnlyError extends AppError {
  constructor() {
    super('forbidden', 'reseller.admin_only', 'Only an admin may do this.')
  }
}
