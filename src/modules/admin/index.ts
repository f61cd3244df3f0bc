export { type AdminRouteDeps, adminRoutes } from './admin-routes.js'
export { compileMonthlyReport, mailMonthlyReport, previousMonth } from './monthly-report.js'
