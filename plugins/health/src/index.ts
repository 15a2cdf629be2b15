/**
 * The `health` plugin: a registry of checks other plugins report into, served by the host's
 * health service as the warning check `checks`.
 *
 * @remarks
 * Actions (through `ctx.call('health', action, payload)`):
 * - `report` `{ check, status: 'ok' | 'warn' | 'fail', detail?, ttlMs? }`: records a check; a
 *   check not reported again within its ttl counts as failing (a silent reporter is a dead one).
 * - `status`: `{ status: 'ok' | 'degraded' | 'down', checks }`.
 * - `remove` `{ check }`: forgets a check (a plugin that shuts a resource down on purpose).
 *
 * The host's health (`/livez`, `/readyz`, `/health` on the http service) shows these reports as
 * the check `checks`: a warning while a report is `fail` or stale, which fails readiness only with
 * `health.failReadinessOn: [checks]`; `warn` reports are listed in its data. Plugin states,
 * failing and overdue jobs and the scheduler's store are the host's own checks (`plugins`, `jobs`,
 * `scheduler`), not this plugin's. With `summary` (a cron expression), a scheduler job
 * `health:summary` logs the overall status of the reports on that schedule (the scheduler is an
 * optional service: without it there is no summary job). Every change of the reports' overall
 * status is logged and emitted as `health.changed`.
 *
 * @packageDocumentation
 */
import { definePlugin, duration, type PluginContext } from '@xcore/core';
import { validateCronExpression } from '@xcore/scheduler';
import { z } from 'zod';
import { HealthReportInvalidError } from './errors.js';
import { createHealthRegistry, parseCheckReport, type HealthRegistry, type OverallStatus } from './health-registry.js';

declare module '@xcore/core' {
  interface XcoreEvents {
    /** The overall status of the reported checks changed. */
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
  })
  .prefault({});

let registry: HealthRegistry | undefined;
let unregister: (() => void) | undefined;

/** Records a report; logs and emits `health.changed` when the overall status changes. */
function record(ctx: Pick<PluginContext, 'events' | 'logger'>, report: ReturnType<typeof parseCheckReport>): void {
  if (typeof report === 'string') throw new HealthReportInvalidError(report);
  // The kernel only calls handle() while this plugin is started, so registry is set.
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
    const own = createHealthRegistry(ctx.config.defaultTtlMs);
    registry = own;
    // The scheduler is optional: with services.scheduler.enabled: false there is no summary job.
    const scheduler = ctx.getService('scheduler', { optional: true });
    if (ctx.config.summary !== null && scheduler !== undefined) {
      await scheduler.addJob(
        ({ logger }) => {
          const snapshot = own.snapshot(Date.now());
          const failing = snapshot.checks.filter((c) => c.status !== 'ok').map((c) => c.check);
          logger.info({ status: snapshot.status, checks: snapshot.checks.length, failing }, 'health summary');
        },
        { id: 'summary', cron: ctx.config.summary },
      );
    }
    // Registered last, so an onStart that fails earlier leaves no check behind for the next start.
    unregister = ctx.getService('health').register({
      name: 'checks',
      level: 'warning',
      check: () => {
        const snapshot = own.snapshot(Date.now());
        const data = { checks: snapshot.checks.map((c) => ({ ...c, reportedAt: new Date(c.reportedAt).toISOString() })) };
        const failing = snapshot.checks.filter((c) => c.status === 'fail');
        if (failing.length === 0) return { healthy: true, detail: `${snapshot.checks.length} reported, ${snapshot.checks.filter((c) => c.status === 'warn').length} warning`, data };
        return { healthy: false, detail: failing.map((c) => `${c.check}: ${c.detail ?? 'failing'}`).join('; '), data };
      },
    });
  },
  onStop() {
    unregister?.();
    unregister = undefined;
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
