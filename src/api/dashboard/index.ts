/** The live dashboard (docs/dashboard.md): its routes, and the helper that chains extra routes. */
export { dashboardPublicPaths, dashboardRoutes } from './dashboard-routes.js';
export type { DashboardOptions, DashboardSource } from './dashboard-routes.js';
export { composeRoutes } from './compose-routes.js';
export type { ClusterInfoBody, ClusterInfoEntry } from './cluster-info.js';
export type { StatsBody } from './request-stats.js';
