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
 * `plugin:<name>`, cleared when it starts again. With `watchScheduler`, a scheduled job that fails
 * or times out after its last retry becomes a failing check `job:<id>` for `jobFailureTtl`, and a degraded
 * scheduler store the failing check `scheduler` until it recovers. With `summary` (a cron
 * expression), a scheduler job `health:summary` logs the overall status on that schedule. The
 * scheduler is an optional service: without it (`services.scheduler.enabled: false`) the plugin
 * runs with no summary job and no scheduler checks. With `http`, `GET /health` serves the status
 * (503 when down). Every change of the overall status is logged and emitted as `health.changed`.
 *
 * @packageDocumentation
 */
import { definePlugin, duration, type PluginContext } from '@xcore/core';
import { validateCronExpression } from '@xcore/scheduler';
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
    /** Record jobs that failed or timed out after their last retry as `job:<id>`, and a degraded store as `scheduler`. @defaultValue `true` */
    watchScheduler: z.boolean().default(true),
    /** How long a `job:<id>` failure counts before the check expires. @defaultValue `'15m'` */
    jobFailureTtl: duration().default(15 * 60_000),
    /** Cron expression of the `summary` job that logs the overall status; `null` for none. @defaultValue `'0 * * * *'` (hourly) */
    summary: z
      .string()
      .min(1)
      .nullable()
      .default('0 * * * *')
      // Checked here, so a bad expression is a config error at its line (and `xcore validate` sees it), not a failed onStart.
      .superRefine((expression, ctx) => {
        if (expression === null) return;
        try {
          validateCronExpression(expression, 'UTC');
        } catch (error) {
          ctx.addIssue({ code: 'custom', message: (error as Error).message });
        }
      }),
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
  optionalServices: ['scheduler'],
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
    if (ctx.config.watchScheduler) {
      const jobFailed = ({ jobId, record: run }: { jobId: string; record: { error?: string; status: string } }): void => {
        record(ctx, { check: `job:${jobId}`, status: 'fail', detail: run.error ?? run.status, ttlMs: ctx.config.jobFailureTtl });
      };
      unsubscribe.push(
        ctx.events.on('scheduler.job.failed', jobFailed),
        ctx.events.on('scheduler.job.timed_out', jobFailed),
        ctx.events.on('scheduler.degraded', ({ reason }) => record(ctx, { check: 'scheduler', status: 'fail', detail: reason })),
        ctx.events.on('scheduler.recovered', () => record(ctx, { check: 'scheduler', status: 'ok' })),
      );
    }
    // The scheduler is optional: with services.scheduler.enabled: false there is no summary job.
    const scheduler = ctx.getService('scheduler', { optional: true });
    if (ctx.config.summary !== null && scheduler !== undefined) {
      await scheduler.addJob(
        ({ logger }) => {
          const snapshot = registry!.snapshot(Date.now());
          const failing = snapshot.checks.filter((c) => c.status !== 'ok').map((c) => c.check);
          logger.info({ status: snapshot.status, checks: snapshot.checks.length, failing }, 'health summary');
        },
        { id: 'summary', cron: ctx.config.summary },
      );
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
