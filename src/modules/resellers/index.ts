export { authenticateReseller } from './authenticate-reseller.js'
export type { Reseller, ResellerAccess, ResellerActor } from './reseller.js'
export { ResellerKeyError } from './reseller-errors.js'
export { resellerRoutes } from './reseller-routes.js'
