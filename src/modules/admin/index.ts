export { type AdminRouteDeps, adminRoutes } from './admin-routes.js'
