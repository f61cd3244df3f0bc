export { type AdminRouteDeps, adminRoutes } from './admin-routes.js'
export { dashboardRoutes } from './dashboard-routes.js'
export { compileMonthlyReport, mailMonthlyReport, previousMonth } from './monthly-report.js'
