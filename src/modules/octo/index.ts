export { type OctoRouteDeps, octoRoutes } from './octo-routes.js'
