import { AppError } from '../../shared/errors.js'

export class TripNotFoundError extends AppError {
  constructor(id: string) {
    super('not_found', 'trip.not_found', `No trip ${id}.`)
  }
}

export class TripCancelledError extends AppError {
  constructor(id: string) {
    super('conflict', 'trip.cancelled', `Trip ${id} is cancelled and cannot change.`)
  }
}

export class CapacityBelowTakenError extends AppError {
  constructor(taken: number) {
    super(
      'conflict',
      'trip.capacity_below_taken',
      `Capacity cannot go below the ${taken} seats already taken.`,
      {
        errors: [{ field: 'capacity', message: `must be at least ${taken}` }],
      },
    )
  }
}

export class ProductNotFoundError extends AppError {
  constructor(id: string) {
    super('not_found', 'product.not_found', `No product ${id}.`)
  }
}
