export type { Booking, BookingStatus, Refund } from './booking.js'
export { commissionOn, nextStatus, policyPercent, refundFor, relationTo } from './booking.js'
export { completeEndedTrips, expireHolds } from './booking-jobs.js'
export { createBookingReadCache } from './booking-read-cache.js'
export type { BookingWithTrip } from './booking-repository.js'
export { type BookingRouteDeps, bookingRoutes } from './booking-routes.js'
export { type CancellationRefunds, cancelBooking, cancelTripBookings } from './cancel-booking.js'
export { completeBooking, confirmBooking } from './complete-booking.js'
export { createBooking } from './create-booking.js'
export { expireBooking } from './expire-booking.js'
export {
  confirmLockedBooking,
  holdWhilePaying,
  lockBooking,
  reviveLockedBooking,
} from './pay-booking-steps.js'
export { updateBooking } from './update-booking.js'
