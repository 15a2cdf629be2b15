/**
 * The catalogue of coded errors thrown by `@xcore/dashboard`.
 *
 * @remarks
 * Every error is an `XcoreError` subclass with a stable `XCORE_ERR_DASHBOARD_...` code documented
 * once in {@link DASHBOARD_ERROR_CODES}. Match errors by `code`, not `instanceof`.
 */
import { XcoreError } from '@xcore/core';

/** Documentation of every code thrown by `@xcore/dashboard`: code, then what it means and what to do. */
export const DASHBOARD_ERROR_CODES: Readonly<Record<string, string>> = {
  XCORE_ERR_DASHBOARD_ASSETS_MISSING:
    'The dashboard\'s built assets (dist/assets/manifest.json and the files it names) are missing or unreadable, so /admin/ cannot be served. Run `pnpm build` (the @xcore/dashboard build makes them), or reinstall the package.',
};

/** The dashboard's built assets are missing: the package was not built. */
export class DashboardAssetsMissingError extends XcoreError {
  constructor(dir: string, problem: string) {
    super('XCORE_ERR_DASHBOARD_ASSETS_MISSING', `The dashboard assets in ${dir} cannot be read: ${problem}. Run \`pnpm build\` so the @xcore/dashboard build writes them, or reinstall @xcore/dashboard.`);
  }
}
