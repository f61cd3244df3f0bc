import { AppError } from '../../shared/errors.js'

export class BookingNotFoundError extends AppError {
  constructor(id: string) {
    super('not_found', 'booking.not_found', `No booking ${id}.`)
  }
}

export class SoldOutError extends AppError {
  constructor(available: number) {
    super(
      'conflict',
      'booking.sold_out',
      available > 0 ? `Only ${available} seats are left on this trip.` : 'This trip is sold out.',
    )
  }
}

export class TripNotBookableError extends AppError {
  constructor(why: string) {
    super('conflict', 'booking.trip_not_bookable', why)
  }
}

export class HoldLimitError extends AppError {
  constructor(limit: number, held: number) {
    super(
      'conflict',
      'booking.hold_limit',
      `A traveller may hold at most ${limit} seats in unpaid bookings at once; ${held} are held now.`,
    )
  }
}

export class BookingStateError extends AppError {
  constructor(code: string, detail: string) {
    super('conflict', code, detail)
  }
}

export class TravellersOnlyError extends AppError {
  constructor() {
    super('forbidden', 'booking.travellers_only', 'Only traveller accounts book trips.')
  }
}

/** A reseller's uuid already names another booking (of another vendor's catalogue). */
export class SaleUuidTakenError extends AppError {
  constructor(uuid: string) {
    super('conflict', 'booking.uuid_taken', `The uuid ${uuid} already names another of your bookings.`)
  }
}
