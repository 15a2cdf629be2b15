/**
 * The scheduler's health checks for the host (`getService('health')`): `scheduler` (readiness:
 * its store answers) and `jobs` (warning: failing jobs, and the overdue watch's overdue jobs and
 * stuck runs, by qualified id).
 */
import type { HealthCheck, HealthCheckOutcome } from '@xcore/core';
import type { SchedulerOperatorView } from './operator-types.js';
import type { SchedulerHealth } from './scheduler-service.js';
import type { OverdueWatch } from '../watch/overdue-watch.js';

/** At most this many failing, overdue and stuck jobs are named in a report. */
export const JOB_HEALTH_NAMED = 20;

/** What the checks read of a scheduler. */
export interface SchedulerHealthSource {
  health(): SchedulerHealth;
  readonly operator: SchedulerOperatorView;
  /** The overdue watch: jobs overdue past their grace, and stuck runs of this process. */
  readonly watch: Pick<OverdueWatch, 'status' | 'check' | 'running' | 'config'>;
}

/**
 * The `scheduler` readiness check: healthy while the scheduler's store calls succeed.
 *
 * @remarks
 * Reads the state the runner keeps (no store call of its own): the runner claims at least every
 * `pollMs`, so an unreachable store makes it fail within about that long, and the first claim
 * that succeeds again makes it pass.
 */
export function schedulerReadinessCheck(source: SchedulerHealthSource): HealthCheck {
  return {
    name: 'scheduler',
    level: 'readiness',
    check: () => {
      const health = source.health();
      if (health.status === 'ok') return { healthy: true };
      return { healthy: false, detail: `the scheduler's store fails: ${health.reason}`, data: { since: health.since.toISOString() } };
    },
  };
}

/**
 * The `jobs` warning check: jobs whose last run failed or timed out, jobs overdue and runs stuck,
 * as the scheduler's {@link OverdueWatch} judges them (one judgement, one setting:
 * `services.scheduler.overdue.*`; the same jobs are in the metrics and the `job.overdue` /
 * `job.stuck` events).
 *
 * @remarks
 * Failing jobs are one filtered listing. Overdue jobs and stuck runs are the watch's last check:
 * while the scheduler fires, the watch checks every `overdue.checkInterval`; in a process that
 * does not fire (`enabled: false`, or before firing starts) this check runs the watch's check
 * itself (bounded: a few listing calls). On a shared store it reports every process's overdue
 * jobs. A warning: it fails `/readyz` only with `health.failReadinessOn: [jobs]`.
 */
export function jobsHealthCheck(source: SchedulerHealthSource): HealthCheck {
  return {
    name: 'jobs',
    level: 'warning',
    async check(): Promise<HealthCheckOutcome> {
      const page = await source.operator.listJobs({ failing: true, limit: JOB_HEALTH_NAMED });
      const failing = page.items.map((job) => ({
        id: job.id,
        status: job.lastRun?.status ?? 'failed',
        error: job.lastRun?.error ?? null,
        at: job.lastRun?.finishedAt ?? job.lastRun?.scheduledAt ?? null,
      }));
      const { watch } = source;
      if (!watch.running) await watch.check();
      const watched = watch.status();
      const overdue = watched.overdue.slice(0, JOB_HEALTH_NAMED).map((o) => ({ id: o.jobId, nextRunAt: o.dueAt.toISOString(), lateMs: o.lateMs, graceMs: o.graceMs }));
      const moreOverdue = watched.overdue.length > JOB_HEALTH_NAMED;
      const stuck = watched.stuck.slice(0, JOB_HEALTH_NAMED).map((s) => ({
        id: s.jobId, scheduledAt: s.scheduledAt.toISOString(), runningMs: s.runningMs, boundMs: s.boundMs, bound: s.bound,
      }));
      const data = { failing, moreFailing: page.nextCursor !== null, overdue, moreOverdue, overdueAfterMs: watch.config.afterMs, stuck };
      if (failing.length === 0 && overdue.length === 0 && stuck.length === 0) return { healthy: true, data };
      const parts: string[] = [];
      if (failing.length > 0) parts.push(`failing: ${failing.map((f) => f.id).join(', ')}${page.nextCursor === null ? '' : ', ...'}`);
      if (overdue.length > 0) parts.push(`overdue: ${overdue.map((o) => `${o.id} (${Math.round(o.lateMs / 1000)} s late)`).join(', ')}${moreOverdue ? ', ...' : ''}`);
      if (stuck.length > 0) parts.push(`stuck: ${stuck.map((s) => `${s.id} (running ${Math.round(s.runningMs / 1000)} s, ${s.bound} bound ${Math.round(s.boundMs / 1000)} s)`).join(', ')}`);
      return { healthy: false, detail: parts.join('; '), data };
    },
  };
}
