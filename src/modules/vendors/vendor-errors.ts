import { AppError } from '../../shared/errors.js'

export class VendorNotFoundError extends AppError {
  constructor(id: string) {
    super('not_found', 'vendor.not_found', `No vendor ${id}.`)
  }
}

export class VendorStatusError extends AppError {
  constructor(from: string, to: string) {
    super('conflict', 'vendor.invalid_transition', `A ${from} vendor cannot become ${to}.`)
  }
}

export class VendorNotApprovedError extends AppError {
  constructor(status: string) {
    super('forbidden', 'vendor.not_approved', `Only approved vendors may do this; this vendor is ${status}.`)
  }
}

export class VendorRequiredError extends AppError {
  constructor() {
    super('forbidden', 'vendor.required', 'Only vendors may do this.')
  }
}
