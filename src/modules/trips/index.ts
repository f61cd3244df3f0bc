export type { CancelTripBookings } from './cancel-trip.js'
export { createProduct } from './create-product.js'
export { createTrip } from './create-trip.js'
export {
  departureAt,
  findProduct,
  getProduct,
  listProducts,
  type ProductWithDepartures,
  productDepartures,
} from './get-product.js'
export type { Departure, Product } from './product.js'
export { productRoutes } from './product-routes.js'
export type { CancellationPolicy, Trip } from './trip.js'
export { DEFAULT_POLICY, seatsAvailable } from './trip.js'
export { forgetTrip } from './trip-cache.js'
export { ProductNotFoundError, TripNotFoundError } from './trip-errors.js'
export { type SeatsTaken, takeSeatsStatement, toSeatsTaken, tripSeats } from './trip-repository.js'
export { type TripRouteDeps, tripRoutes } from './trip-routes.js'
export { warmListings } from './warm-listings.js'
