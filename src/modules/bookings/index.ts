export type { Booking, BookingStatus, Channel, Contact, Refund, ResellerSale, UnitItem } from './booking.js'
export { commissionOn, emptyContact, nextStatus, policyPercent, refundFor, relationTo } from './booking.js'
export { BookingNotFoundError, BookingStateError } from './booking-errors.js'
export { completeEndedTrips, expireHolds } from './booking-jobs.js'
export { createBookingReadCache } from './booking-read-cache.js'
export type { BookingWithTrip, TripContext } from './booking-repository.js'
export { type BookingRouteDeps, bookingRoutes } from './booking-routes.js'
export { type CancellationRefunds, cancelBooking, cancelTripBookings } from './cancel-booking.js'
export { cancelSale } from './cancel-sale.js'
export { changeLockedSale, changeSale } from './change-sale.js'
export { completeBooking, confirmBooking } from './complete-booking.js'
export { createBooking } from './create-booking.js'
export { expireBooking } from './expire-booking.js'
export {
  confirmLockedBooking,
  holdWhilePaying,
  lockBooking,
  reviveLockedBooking,
} from './pay-booking-steps.js'
export { findSale, listSales, lockSale, type SaleChange, type Seller } from './reseller-sales.js'
export { reserveForReseller } from './reserve-for-reseller.js'
export { updateBooking } from './update-booking.js'
