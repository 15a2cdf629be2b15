/**
 * The scheduler's health checks for the host (`getService('health')`): `scheduler` (readiness:
 * its store answers) and `jobs` (warning: failing, overdue and stuck jobs, by qualified id).
 */
import type { HealthCheck, HealthCheckOutcome } from '@xcore/core';
import type { Store } from '../stores/store.js';
import type { SchedulerOperatorView } from './operator-types.js';
import type { SchedulerHealth } from './scheduler-service.js';
import type { OverdueWatch } from '../watch/overdue-watch.js';

/** At most this many failing and this many overdue jobs are named in a report. */
export const JOB_HEALTH_NAMED = 20;
/** Listing calls spent looking for overdue jobs per check (500 jobs each), so a probe stays bounded. */
const OVERDUE_SCAN_CALLS = 10;

/** What the checks read of a scheduler. */
export interface SchedulerHealthSource {
  health(): SchedulerHealth;
  readonly operator: SchedulerOperatorView;
  readonly store: Pick<Store, 'now' | 'nextWakeup'>;
  /** The overdue watch: stuck runs of this process, and jobs overdue by their own misfire grace. */
  readonly watch?: Pick<OverdueWatch, 'status'>;
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
 * The `jobs` warning check: jobs whose last run failed or timed out, and jobs whose next run is
 * more than `overdueAfterMs` late (nothing fired them: no process holds their handler, or firing
 * is stuck).
 *
 * @remarks
 * Failing jobs are one filtered listing; overdue jobs are looked for only when the store's
 * earliest due time is that late, and then with a bounded scan. On a shared store it reports
 * every process's jobs. A warning: it fails `/readyz` only with `health.failReadinessOn: [jobs]`.
 */
export function jobsHealthCheck(source: SchedulerHealthSource, overdueAfterMs: number): HealthCheck {
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
      const overdue = await overdueJobs(source, overdueAfterMs);
      // The watch also judges jobs by their own misfire grace (shorter than overdueAfter) and knows stuck runs.
      const watched = source.watch?.status();
      for (const o of watched?.overdue ?? []) {
        if (overdue.items.length >= JOB_HEALTH_NAMED) break;
        if (!overdue.items.some((i) => i.id === o.jobId)) overdue.items.push({ id: o.jobId, nextRunAt: o.dueAt.toISOString(), lateMs: o.lateMs });
      }
      const stuck = (watched?.stuck ?? []).slice(0, JOB_HEALTH_NAMED).map((s) => ({
        id: s.jobId, scheduledAt: s.scheduledAt.toISOString(), runningMs: s.runningMs, boundMs: s.boundMs, bound: s.bound,
      }));
      const data = { failing, moreFailing: page.nextCursor !== null, overdue: overdue.items, moreOverdue: overdue.more, overdueAfterMs, stuck };
      if (failing.length === 0 && overdue.items.length === 0 && stuck.length === 0) return { healthy: true, data };
      const parts: string[] = [];
      if (failing.length > 0) parts.push(`failing: ${failing.map((f) => f.id).join(', ')}${page.nextCursor === null ? '' : ', ...'}`);
      if (overdue.items.length > 0) parts.push(`overdue: ${overdue.items.map((o) => `${o.id} (${Math.round(o.lateMs / 1000)} s late)`).join(', ')}${overdue.more ? ', ...' : ''}`);
      if (stuck.length > 0) parts.push(`stuck: ${stuck.map((s) => `${s.id} (running ${Math.round(s.runningMs / 1000)} s, ${s.bound} bound ${Math.round(s.boundMs / 1000)} s)`).join(', ')}`);
      return { healthy: false, detail: parts.join('; '), data };
    },
  };
}

/** Jobs whose next run is more than `overdueAfterMs` before the store's clock. */
async function overdueJobs(source: SchedulerHealthSource, overdueAfterMs: number): Promise<{ items: { id: string; nextRunAt: string; lateMs: number }[]; more: boolean }> {
  const [now, wakeup] = await Promise.all([source.store.now(), source.store.nextWakeup()]);
  const limit = now - overdueAfterMs;
  const items: { id: string; nextRunAt: string; lateMs: number }[] = [];
  if (wakeup === null || wakeup >= limit) return { items, more: false };
  let cursor: string | undefined;
  for (let calls = 0; calls < OVERDUE_SCAN_CALLS; calls++) {
    const page = await source.operator.listJobs({ paused: false, state: 'scheduled', limit: 500, ...(cursor === undefined ? {} : { cursor }) });
    for (const job of page.items) {
      const next = job.nextRunAt === null ? NaN : Date.parse(job.nextRunAt);
      if (!(next < limit)) continue;
      if (items.length === JOB_HEALTH_NAMED) return { items, more: true };
      items.push({ id: job.id, nextRunAt: job.nextRunAt!, lateMs: now - next });
    }
    if (page.nextCursor === null) return { items, more: false };
    cursor = page.nextCursor;
  }
  return { items, more: true };
}
