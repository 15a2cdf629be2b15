/**
 * Overdue occurrences and stuck runs through a real scheduler: a job nobody fires any more (its
 * plugin stopped) becomes overdue after its grace; a run past a configured bound, and one past the
 * bound learned from the job's earlier runs, is stuck. Each is flagged in `watch.status()`, counted
 * in `/metrics` gauges, and emitted once, also on the app's bus.
 */
import { createEventBus, type EventBus } from '@xcore/core';
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MemoryStore } from '../stores/memory-store.js';
import { Scheduler } from '../service/scheduler.js';
import { createScheduler, resolveOverdueAfter, schedulerService } from '../service/scheduler-definition.js';
import { schedulerConfigSchema } from '../config/scheduler-config.js';
import type { SchedulerService } from '../service/scheduler-service.js';
import type { SchedulerEvents } from '../events/scheduler-events.js';
import { jobsHealthCheck } from '../service/scheduler-health-checks.js';
import { OverdueWatch } from './overdue-watch.js';
import { SchedulerEmitter } from '../events/scheduler-events.js';
import type { LocalJob } from '../runner/run.js';

let scheduler: Scheduler;
let bus: EventBus;

afterEach(async () => {
  await scheduler.stop({ deadlineMs: 0 });
});

function boot(overdue: ConstructorParameters<typeof Scheduler>[0]['overdue']): void {
  const logger = pino({ level: 'silent' });
  bus = createEventBus(logger);
  scheduler = new Scheduler({ store: new MemoryStore(), logger, owner: 'p1', events: bus, overdue: { checkIntervalMs: 50, ...overdue } });
}

function next<E extends 'job.overdue' | 'job.stuck'>(event: E): Promise<SchedulerEvents[E]> {
  return new Promise((resolve) => {
    const off = scheduler.on(event, (payload) => {
      off();
      resolve(payload);
    });
  });
}

const gauge = async (name: string): Promise<number> => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(await scheduler.metrics.prometheus())?.[1]);

describe('overdue occurrences', () => {
  it('flags a job nobody fires after its grace, once, in status, metrics and on the bus', async () => {
    boot({ afterMs: 1_000 });
    const onBus: unknown[] = [];
    bus.on('scheduler.job.overdue', (e) => void onBus.push(e));
    const billing = schedulerService.forPlugin!(scheduler, 'billing') as SchedulerService;
    await billing.addJob(() => undefined, { id: 'sync', every: '200ms' });
    await scheduler.addJob(() => undefined, { id: 'fine', every: '200ms' });
    scheduler.startFiring();
    const stopped = Date.now();
    scheduler.onPluginStopped('billing');
    const event = await next('job.overdue');
    expect(event).toMatchObject({ jobId: 'billing:sync', owner: 'billing', graceMs: 1_000 });
    expect(event.lateMs).toBeGreaterThan(1_000);
    expect(event.dueAt.getTime()).toBeLessThanOrEqual(stopped + 200);
    expect(scheduler.watch.status().overdue.map((o) => o.jobId)).toEqual(['billing:sync']);
    expect(await gauge('xcore_scheduler_jobs_overdue')).toBe(1);
    // Job health names it from the watch, with the grace it was judged by.
    const health = await jobsHealthCheck(scheduler).check(new AbortController().signal);
    expect(health).toMatchObject({ healthy: false, data: { overdue: [{ id: 'billing:sync', graceMs: 1_000 }], overdueAfterMs: 1_000 } });
    expect(health.detail).toContain('overdue: billing:sync');
    // Later checks keep it flagged without emitting again.
    await new Promise((r) => setTimeout(r, 300));
    expect(onBus).toHaveLength(1);
    expect(scheduler.watch.status().overdue).toHaveLength(1);
  });

  it('does not flag jobs that fire on time', async () => {
    boot({ afterMs: 1_000 });
    await scheduler.addJob(() => undefined, { id: 'fine', every: '100ms' });
    scheduler.startFiring();
    await new Promise((r) => setTimeout(r, 1_500));
    expect(scheduler.watch.status().overdue).toEqual([]);
    expect(await gauge('xcore_scheduler_jobs_overdue')).toBe(0);
  });
});

describe('stuck runs', () => {
  it('flags a run past the configured bound, once, and clears it when it ends', async () => {
    boot({ stuckAfterMs: 1_000 });
    let release!: () => void;
    await scheduler.addJob(() => new Promise<void>((r) => (release = r)), { id: 'hang', every: '1h' });
    scheduler.startFiring();
    const onBus: SchedulerEvents['job.stuck'][] = [];
    bus.on('scheduler.job.stuck', (e) => void onBus.push(e));
    const run = scheduler.runJob('hang');
    const event = await next('job.stuck');
    expect(event).toMatchObject({ jobId: 'hang', owner: 'app', boundMs: 1_000, bound: 'configured' });
    expect(event.runningMs).toBeGreaterThan(1_000);
    expect(scheduler.watch.status().stuck.map((s) => s.jobId)).toEqual(['hang']);
    expect(await gauge('xcore_scheduler_runs_stuck')).toBe(1);
    const health = await jobsHealthCheck(scheduler).check(new AbortController().signal);
    expect(health).toMatchObject({ healthy: false, data: { stuck: [{ id: 'hang', boundMs: 1_000, bound: 'configured' }] } });
    expect(health.detail).toMatch(/^stuck: hang \(running \d+ s, configured bound 1 s\)$/);
    await new Promise((r) => setTimeout(r, 200));
    expect(onBus).toHaveLength(1);
    release();
    await run;
    await new Promise((r) => setTimeout(r, 200));
    expect(scheduler.watch.status().stuck).toEqual([]);
  });

  it('learns a bound from a job\'s completed runs and judges none before it has five', async () => {
    boot({ learnedMinMs: 1_000, learnedFactor: 3 });
    let calls = 0;
    await scheduler.addJob(() => new Promise<void>((r) => {
      calls++;
      if (calls <= 5) setTimeout(r, 10);
    }), { id: 'work', every: '1h' });
    await scheduler.addJob(() => new Promise<void>(() => undefined), { id: 'new', every: '1h' });
    scheduler.startFiring();
    void scheduler.runJob('new');
    for (let i = 0; i < 5; i++) await scheduler.runJob('work');
    expect(scheduler.watch.boundOf('work')).toEqual({ ms: 1_000, kind: 'learned' });
    expect(scheduler.watch.boundOf('new')).toBeUndefined();
    void scheduler.runJob('work');
    const event = await next('job.stuck');
    expect(event).toMatchObject({ jobId: 'work', bound: 'learned', boundMs: 1_000 });
    expect(scheduler.watch.status().stuck.map((s) => s.jobId)).toEqual(['work']);
  });

  it('learns the longest of the last 20 runs: a long run raises the bound until 20 later runs push it out', () => {
    const job = { learnedRuns: 0, longRuns: null } as unknown as LocalJob;
    const handlers = new Map<string, LocalJob>([['j', job]]);
    const logger = pino({ level: 'silent' });
    const watch = new OverdueWatch({
      store: { now: async () => Date.now(), nextWakeup: async () => null }, operator: { listJobs: async () => ({ items: [], nextCursor: null }) } as never,
      handlers, running: () => new Set(), emitter: new SchedulerEmitter(logger), bus: undefined, logger,
    }, { checkIntervalMs: 1_000, afterMs: 60_000, stuckAfterMs: null, learnedFactor: 3, learnedMinMs: 1_000 });
    const runs = (ms: number[]): void => ms.forEach((d) => watch.learn(job, d));
    runs([10, 10, 10, 10]);
    expect(watch.boundOf('j')).toBeUndefined();
    runs([10]);
    expect(watch.boundOf('j')).toEqual({ ms: 1_000, kind: 'learned' });
    // 500 ms runs raise it to 1.5 s, 700 ms to 2.1 s; they count among the last 20 runs only.
    runs([500, 700]);
    expect(watch.boundOf('j')).toEqual({ ms: 2_100, kind: 'learned' });
    runs(Array.from({ length: 18 }, () => 10));
    expect(watch.boundOf('j')).toEqual({ ms: 2_100, kind: 'learned' });
    runs([10]);
    expect(watch.boundOf('j')).toEqual({ ms: 2_100, kind: 'learned' });
    runs([10]);
    expect(watch.boundOf('j')).toEqual({ ms: 1_000, kind: 'learned' });
    expect(job.longRuns).toBeNull();
    expect(watch.boundOf('unknown')).toBeUndefined();
  });
});

describe('one overdue setting: services.scheduler.overdue', () => {
  it('maps the deprecated health.overdueAfter to overdue.after when that is unset: the watch, its event and job health all use it, with a warning', async () => {
    const lines: { obj: Record<string, unknown>; msg: string }[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    const config = schedulerConfigSchema.parse({ backend: 'memory', overdue: { checkInterval: '100ms' } });
    scheduler = await createScheduler({ config, logger, configFile: '' }, { legacyOverdueAfterMs: 1_000 });
    const warning = lines.find((l) => String(l.msg).startsWith('health.overdueAfter is deprecated')) as unknown as Record<string, unknown>;
    expect(warning).toMatchObject({ 'health.overdueAfter': 1_000, 'services.scheduler.overdue.after': 1_000 });
    const billing = schedulerService.forPlugin!(scheduler, 'billing') as SchedulerService;
    await billing.addJob(() => undefined, { id: 'sync', every: '200ms' });
    scheduler.startFiring();
    scheduler.onPluginStopped('billing');
    const event = await next('job.overdue');
    expect(event).toMatchObject({ jobId: 'billing:sync', graceMs: 1_000 });
    const health = await jobsHealthCheck(scheduler).check(new AbortController().signal);
    expect(health).toMatchObject({ healthy: false, data: { overdue: [{ id: 'billing:sync', graceMs: 1_000 }], overdueAfterMs: 1_000 } });
  });

  it('in a scheduler that does not fire (yet), job health runs the watch\'s check itself and judges each job by its own grace', async () => {
    boot({ afterMs: 1_000 });
    await scheduler.addJob(() => undefined, { id: 'waiting', every: '100ms', misfireGraceTime: null });
    await scheduler.addJob(() => undefined, { id: 'patient', every: '100ms', misfireGraceTime: '1h' });
    expect(scheduler.watch.running).toBe(false);
    await expect.poll(async () => (await jobsHealthCheck(scheduler).check(new AbortController().signal)).data, { timeout: 5_000, interval: 200 })
      .toMatchObject({ overdue: [{ id: 'waiting', graceMs: 1_000 }] });
    // Both are as late; only the one past its own grace is overdue, for health as for the watch.
    expect(scheduler.watch.status().overdue.map((o) => o.jobId)).toEqual(['waiting']);
  });

  it('resolves the grace: overdue.after wins over the deprecated health.overdueAfter (which is then ignored, with a warning); neither gives 1 min', () => {
    const warn = vi.fn();
    expect(resolveOverdueAfter(30_000, 5_000, { warn })).toBe(30_000);
    expect(warn).toHaveBeenCalledWith(expect.objectContaining({ 'health.overdueAfter': 5_000 }), expect.stringContaining('ignored'));
    warn.mockClear();
    expect(resolveOverdueAfter(undefined, undefined, { warn })).toBe(60_000);
    expect(resolveOverdueAfter(30_000, undefined, { warn })).toBe(30_000);
    expect(warn).not.toHaveBeenCalled();
    // The old setting took 1 ms; overdue.after starts at 1 s.
    expect(resolveOverdueAfter(undefined, 200, { warn })).toBe(1_000);
  });
});
