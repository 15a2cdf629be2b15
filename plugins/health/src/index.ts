/**
 * The `health` plugin: a registry of health checks that other plugins report into.
 *
 * @remarks
 * Actions (through `ctx.call('health', action, payload)`):
 * - `report` `{ check, status: 'ok' | 'warn' | 'fail', detail?, ttlMs? }`: records a check; a
 *   check not reported again within its ttl counts as failing (a silent reporter is a dead one).
 * - `status`: `{ status: 'ok' | 'degraded' | 'down', checks }`.
 * - `remove` `{ check }`: forgets a check (a plugin that shuts a resource down on purpose).
 *
 * With `watchPlugins`, a plugin that fails (after `health` started) becomes a failing check
 * `plugin:<name>`, cleared when it starts again. With `http`, `GET /health` serves the status
 * (503 when down). Every change of the overall status is logged and emitted as `health.changed`.
 *
 * @packageDocumentation
 */
import { definePlugin, duration, type PluginContext } from '@xcore/core';
import { z } from 'zod';
import { HealthReportInvalidError } from './errors.js';
import { createHealthRegistry, parseCheckReport, type HealthRegistry, type OverallStatus } from './health-registry.js';
import { listenHealthEndpoint, type HealthEndpoint } from './http-endpoint.js';

declare module '@xcore/core' {
  interface XcoreEvents {
    /** The overall health status changed. */
    'health.changed': { status: OverallStatus; previous: OverallStatus };
  }
}

export type { CheckReport, CheckState, CheckStatus, HealthSnapshot, OverallStatus } from './health-registry.js';
export { HealthReportInvalidError, HEALTH_ERROR_CODES } from './errors.js';

/** Config of `plugins.config.health`. */
export const healthConfigSchema = z
  .strictObject({
    /** Validity of a report that sets no `ttlMs`; `0` keeps reports forever. @defaultValue `0` */
    defaultTtlMs: duration().default(0),
    /** Record failing plugins as `plugin:<name>` checks. @defaultValue `true` */
    watchPlugins: z.boolean().default(true),
    /** Serve the status over HTTP. @defaultValue off */
    http: z
      .strictObject({
        port: z.number().int().min(0).max(65_535),
        host: z.string().default('127.0.0.1'),
        path: z.string().startsWith('/').default('/health'),
      })
      .optional(),
  })
  .prefault({});

let registry: HealthRegistry | undefined;
let endpoint: HealthEndpoint | undefined;
let unsubscribe: (() => void)[] = [];

/** Records a report; logs and emits `health.changed` when the overall status changes. */
function record(ctx: Pick<PluginContext, 'events' | 'logger'>, report: ReturnType<typeof parseCheckReport>): void {
  if (typeof report === 'string') throw new HealthReportInvalidError(report);
  // The kernel only calls handle() and delivers events while this plugin is started, so registry is set.
  const { before, after } = registry!.report(report, Date.now());
  if (before === after) return;
  const level = after === 'down' ? 'error' : after === 'degraded' ? 'warn' : 'info';
  ctx.logger[level]({ status: after, previous: before, check: report.check, detail: report.detail }, 'health changed');
  ctx.events.emit('health.changed', { status: after, previous: before });
}

export default definePlugin({
  configSchema: healthConfigSchema,
  async onStart(ctx) {
    registry = createHealthRegistry(ctx.config.defaultTtlMs);
    if (ctx.config.watchPlugins) {
      unsubscribe = [
        ctx.events.on('plugin.failed', ({ plugin, hook, error }) => {
          const detail = `${hook}: ${error instanceof Error ? error.message : String(error)}`;
          record(ctx, { check: `plugin:${plugin}`, status: 'fail', detail });
        }),
        ctx.events.on('plugin.started', ({ plugin }) => {
          if (registry?.snapshot(Date.now()).checks.some((c) => c.check === `plugin:${plugin}`)) {
            record(ctx, { check: `plugin:${plugin}`, status: 'ok' });
          }
        }),
      ];
    }
    if (ctx.config.http !== undefined) {
      endpoint = await listenHealthEndpoint({ ...ctx.config.http, snapshot: () => registry!.snapshot(Date.now()) });
      ctx.logger.info({ port: endpoint.port, path: ctx.config.http.path }, 'health endpoint listening');
    }
  },
  async onStop() {
    for (const off of unsubscribe) off();
    unsubscribe = [];
    await endpoint?.close();
    endpoint = undefined;
    registry = undefined;
  },
  actions: ['report', 'status', 'remove'],
  handle(action, payload, ctx) {
    if (action === 'status') return registry!.snapshot(Date.now());
    if (action === 'remove') {
      const check = (payload as { check?: unknown } | null)?.check;
      if (typeof check !== 'string') throw new HealthReportInvalidError('"remove" needs { check: string }');
      return registry!.remove(check);
    }
    record(ctx, parseCheckReport(payload));
    return undefined;
  },
});
