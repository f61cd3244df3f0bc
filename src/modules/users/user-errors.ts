import { AppError } from '../../shared/errors.js'

export class UserNotFoundError extends AppError {
  constructor(id: string) {
    super('not_found', 'user.not_found', `No user ${id}.`)
  }
}

export class EmailTakenError extends AppError {
  constructor() {
    super('conflict', 'auth.email_taken', 'An account with this email already exists.')
  }
}

export class CurrentPasswordRequiredError extends AppError {
  constructor(wrong: boolean) {
    super(
      'invalid',
      wrong ? 'user.current_password_wrong' : 'user.current_password_required',
      wrong ? 'The current password is not correct.' : 'Changing email or password needs current_password.',
      { errors: [{ field: 'current_password', message: wrong ? 'is not correct' : 'is required' }] },
    )
  }
}

export class WeakPasswordError extends AppError {
  constructor(message: string) {
    super('invalid', 'auth.password_rejected', `The password ${message}.`, {
      errors: [{ field: 'password', message }],
    })
  }
}
