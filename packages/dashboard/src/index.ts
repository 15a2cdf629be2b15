/**
 * `@xcore/dashboard`: the operator page of xcore (jobs with search, filters and live state, a
 * job's history and next runs, plugins, scheduler health) as static assets built by this
 * package, which the `http` service serves at `<basePath>/admin/` under a strict
 * Content-Security-Policy. The page is a thin client of the admin API (`/admin/v1`).
 *
 * @packageDocumentation
 */
export { DashboardAssets, DASHBOARD_CSP, defaultAssetsDir } from './assets.js';
export type { DashboardFile } from './assets.js';
export { DASHBOARD_ERROR_CODES, DashboardAssetsMissingError } from './errors.js';
