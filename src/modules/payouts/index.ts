export { closedPeriod, type PayoutSchedule, vendorShareOf } from './payout.js'
export { payoutHandlers } from './payout-jobs.js'
export { type PayoutRouteDeps, payoutRoutes } from './payout-routes.js'
export { type PayoutRun, runPayouts } from './run-payouts.js'
