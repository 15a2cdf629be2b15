/**
 * The run path's plain path (`RunLifecycle.startScheduled`): runs that end synchronously and
 * succeed at their first attempt, with nothing to tell but their record, are held as columns and
 * written and counted per batch. What a user sees (history, metrics, observers, events) is the
 * same as when each run is published on its own.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import pino from 'pino';
import { MemoryStore } from '../stores/memory-store.js';
import { Scheduler } from '../service/scheduler.js';
import type { RunRecord } from '../stores/store.js';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const logger = pino({ level: 'silent' });

/** Lines of the Prometheus text about runs (counts, durations, lateness), store calls left out. */
async function runMetrics(scheduler: Scheduler): Promise<string[]> {
  const text = await scheduler.metrics.prometheus();
  return text.split('\n').filter((line) => line.startsWith('xcore_scheduler_run') || line.startsWith('xcore_scheduler_start_lateness'));
}

/** How many calls the store got of `operation` (the store-call metric). */
async function storeCalls(scheduler: Scheduler, operation: string): Promise<number> {
  const text = await scheduler.metrics.prometheus();
  const line = new RegExp(`^xcore_scheduler_store_operation_duration_seconds_count\\{xcore_store_operation="${operation}"\\} (\\d+)$`, 'm').exec(text);
  return line === null ? 0 : Number(line[1]);
}

describe('the plain path of runs', () => {
  let schedulers: Scheduler[] = [];
  afterEach(async () => {
    for (const s of schedulers) await s.stop({ deadlineMs: 0 });
    schedulers = [];
    vi.useRealTimers();
  });

  /** A scheduler with sync, throwing, value-returning, async and overlapping jobs due together each second, run 3.5 s. */
  async function burst(onePerRun: boolean): Promise<{ scheduler: Scheduler; history: Record<string, RunRecord[]> }> {
    vi.useFakeTimers();
    vi.setSystemTime(T0);
    const scheduler = new Scheduler({ store: new MemoryStore(), logger, owner: 'o' });
    schedulers.push(scheduler);
    // A listener of finished runs: every run is published on its own (no plain path).
    if (onePerRun) scheduler.onRunFinished(() => undefined);
    const ids = ['sync-a', 'sync-b', 'throws', 'value', 'async', 'overlapping', 'no-history'];
    await scheduler.addJob(() => undefined, { id: 'sync-a', every: 1000 });
    await scheduler.addJob(() => undefined, { id: 'sync-b', every: 1000, historyLimit: 2 });
    await scheduler.addJob(() => {
      throw new Error('boom');
    }, { id: 'throws', every: 1000 });
    await scheduler.addJob(() => 42, { id: 'value', every: 1000 });
    await scheduler.addJob(async () => Promise.resolve(), { id: 'async', every: 1000 });
    await scheduler.addJob(() => new Promise((resolve) => setTimeout(resolve, 1500)), { id: 'overlapping', every: 1000 });
    await scheduler.addJob(() => undefined, { id: 'no-history', every: 1000, historyLimit: 0 });
    scheduler.startFiring();
    await vi.advanceTimersByTimeAsync(3500);
    const history: Record<string, RunRecord[]> = {};
    for (const id of ids) history[id] = await scheduler.history(id, { limit: 10 });
    return { scheduler, history };
  }

  it('leaves the same history and run metrics as runs published one by one, in one store call per batch', async () => {
    const plain = await burst(false);
    const onePerRun = await burst(true);
    expect(plain.history).toEqual(onePerRun.history);
    expect(plain.history['sync-a']!.map((r) => [r.scheduledAt - T0, r.status, r.attempts, r.owner])).toEqual([
      [3000, 'succeeded', 1, 'o'], [2000, 'succeeded', 1, 'o'], [1000, 'succeeded', 1, 'o'],
    ]);
    expect(plain.history['sync-b']!.map((r) => r.scheduledAt - T0)).toEqual([3000, 2000]);
    expect(plain.history['throws']!.map((r) => r.status)).toEqual(['failed', 'failed', 'failed']);
    // Newest written first: the 1 s run ended at 2.5 s, after the 2 s occurrence was skipped; the 3 s run is still running.
    expect(plain.history['overlapping']!.map((r) => [r.scheduledAt - T0, r.status])).toEqual([[1000, 'succeeded'], [2000, 'skipped']]);
    expect(plain.history['no-history']).toEqual([]);
    const lines = await runMetrics(plain.scheduler);
    expect(lines).toContain('xcore_scheduler_runs_total{xcore_job_id="sync-a",xcore_job_owner="app",xcore_run_outcome="succeeded"} 3');
    expect(lines).toContain('xcore_scheduler_runs_total{xcore_job_id="no-history",xcore_job_owner="app",xcore_run_outcome="succeeded"} 3');
    expect(lines).toEqual(await runMetrics(onePerRun.scheduler));
    // The 9 plain runs (3 a second) went to the store in fewer calls, at least one a second (a
    // batch's other records, written in between, split its plain runs into more calls).
    const calls = await storeCalls(plain.scheduler, 'recordSucceededNow');
    expect(calls).toBeGreaterThanOrEqual(3);
    expect(calls).toBeLessThan(9);
    expect(await storeCalls(onePerRun.scheduler, 'recordSucceededNow')).toBe(0);
  });

  it('keeps history in run order when plain runs and others alternate in one batch (a catch-up of coalesce all)', async () => {
    vi.useFakeTimers();
    vi.setSystemTime(T0);
    const scheduler = new Scheduler({ store: new MemoryStore(), logger, owner: 'o' });
    schedulers.push(scheduler);
    await scheduler.addJob((ctx) => {
      if ((ctx.scheduledAt.getTime() - T0) % 2000 === 1000) throw new Error('odd second');
    }, { id: 'catch-up', every: 1000, coalesce: 'all' });
    // Four occurrences are due when firing starts: one batch runs them all, oldest first.
    vi.setSystemTime(T0 + 4500);
    scheduler.startFiring();
    await vi.advanceTimersByTimeAsync(0);
    const history = await scheduler.history('catch-up', { limit: 10 });
    expect(history.map((r) => [r.scheduledAt - T0, r.status])).toEqual([
      [4000, 'succeeded'], [3000, 'failed'], [2000, 'succeeded'], [1000, 'failed'],
    ]);
  });

  it('tells a run observer without a bulk form, and listeners added mid-burst, of every run', async () => {
    vi.useFakeTimers();
    vi.setSystemTime(T0);
    const scheduler = new Scheduler({ store: new MemoryStore(), logger, owner: 'o' });
    schedulers.push(scheduler);
    const observed: string[] = [];
    const succeeded: string[] = [];
    let listening = false;
    for (let i = 0; i < 3; i++) {
      await scheduler.addJob(() => {
        // The second job subscribes while the batch runs: its own run and the next one are told.
        if (i === 1 && !listening) {
          listening = true;
          scheduler.on('job.succeeded', (e) => void succeeded.push(`${e.jobId} ${e.scheduledAt.getTime() - T0}`));
        }
      }, { id: `j${i}`, every: 1000 });
    }
    const off = scheduler.observeRuns({ ended: (run) => void observed.push(`${run.record.jobId} ${run.record.scheduledAt - T0}`) });
    scheduler.startFiring();
    await vi.advanceTimersByTimeAsync(1000);
    off();
    await vi.advanceTimersByTimeAsync(1000);
    // The observer saw the first second's runs in run order (due together, in heap order).
    expect([...observed].sort()).toEqual(['j0 1000', 'j1 1000', 'j2 1000']);
    const afterSubscribing = observed.slice(observed.indexOf('j1 1000'));
    expect(succeeded.slice(0, afterSubscribing.length)).toEqual(afterSubscribing);
    expect(succeeded.slice(afterSubscribing.length).sort()).toEqual(['j0 2000', 'j1 2000', 'j2 2000']);
    expect((await scheduler.history('j0', { limit: 5 })).map((r) => r.scheduledAt - T0)).toEqual([2000, 1000]);
  });

  it('a job that returns a promise on a later run is recorded when it settles and counts against maxInstances meanwhile', async () => {
    vi.useFakeTimers();
    vi.setSystemTime(T0);
    const scheduler = new Scheduler({ store: new MemoryStore(), logger, owner: 'o' });
    schedulers.push(scheduler);
    let runs = 0;
    await scheduler.addJob(() => {
      runs++;
      if (runs === 2) return new Promise<void>((resolve) => setTimeout(resolve, 1500));
      return undefined;
    }, { id: 'sometimes-async', every: 1000 });
    scheduler.startFiring();
    await vi.advanceTimersByTimeAsync(4500);
    const history = await scheduler.history('sometimes-async', { limit: 10 });
    expect(history.map((r) => [r.scheduledAt - T0, r.status, r.finishedAt === null ? null : r.finishedAt - T0])).toEqual([
      // Newest written first: the 2 s run ended at 3.5 s, after the 3 s occurrence was skipped.
      [4000, 'succeeded', 4000], [2000, 'succeeded', 3500], [3000, 'skipped', null], [1000, 'succeeded', 1000],
    ]);
  });
});
