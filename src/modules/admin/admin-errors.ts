import { AppError } from '../../shared/errors.js'

export class AdminRequiredError extends AppError {
  constructor() {
    super('forbidden', 'admin.required', 'Only an admin may do this.')
  }
}

export class JobNotFoundError extends AppError {
  constructor(id: string) {
    super('not_found', 'job.not_found', `No failed job ${id}.`)
  }
}
