import { randomUUID } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import pino from 'pino';
import { redisUnavailable, useRedisServer } from '../../../../test/helpers/redis-server.js';
import { useRedisCluster } from '../../../../test/helpers/redis-cluster.js';
import { schedulerConfigSchema } from '../config/scheduler-config.js';
import { createScheduler } from './scheduler-definition.js';
import { RedisStore } from '../stores/redis/redis-store.js';
import { Scheduler } from './scheduler.js';
import type { JobContext } from './scheduler-service.js';

const logger = pino({ level: 'silent' });
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
/** Waits (up to 20 s, a busy machine's margin) until `check` holds: counts are driven by runs, not by wall-clock sleeps. */
const until = (check: () => boolean | Promise<boolean>): Promise<void> =>
  vi.waitFor(async () => expect(await check()).toBe(true), { timeout: 20_000, interval: 20 });

describe.skipIf(redisUnavailable())('Scheduler on a shared RedisStore (several processes in one)', () => {
  const redis = useRedisServer();

  const open = (prefix: string, owner: string, log = logger): Scheduler =>
    new Scheduler({ store: new RedisStore({ url: redis().url, prefix }), logger: log, owner, leaseMs: 5_000, pollMs: 1_000 });
  const pair = (prefix: string): Scheduler[] => ['p1', 'p2'].map((owner) => open(prefix, owner));

  it('fires each occurrence once across both, none missing', async () => {
    const T_START = Math.ceil(Date.now() / 1000) * 1000 + 1000;
    const schedulers = pair(`t-${randomUUID().slice(0, 8)}`);
    const ledger: string[] = [];
    for (const [i, s] of schedulers.entries()) {
      const fn = (ctx: JobContext): void => void ledger.push(`${ctx.jobId}@${ctx.scheduledAt.getTime()}#${i}`);
      // Phases spread over the period (start dates 10 ms apart): jobs due at one instant are
      // claimed by one process per tick, so spread phases are what lets both processes take some.
      for (let j = 0; j < 20; j++) await s.addJob(fn, { id: `job-${j}`, every: 200, startDate: new Date(T_START + j * 10) });
    }
    for (const s of schedulers) s.startFiring();
    const runsOf = (j: number): number => ledger.filter((e) => e.startsWith(`job-${j}@`)).length;
    // Both processes must take some work: wait for both, up to until's 20 s, instead of judging
    // at the first moment every job has 8 runs (the full suite on Node 24 once saw 8 runs of
    // every job taken by one, when each process's claim-window offset was fixed for its life;
    // now drawn per tick, see the Redis store README, Fairness).
    const processes = (): number => new Set(ledger.map((e) => e.split('#')[1])).size;
    await until(() => Array.from({ length: 20 }, (_, j) => runsOf(j)).every((n) => n >= 8) && processes() === 2);
    for (const s of schedulers) await s.stop({ deadlineMs: 1_000 });
    const occurrences = ledger.map((e) => e.split('#')[0]!);
    expect(new Set(occurrences).size).toBe(occurrences.length);
    const byJob = new Map<string, number[]>();
    for (const o of occurrences) {
      const [id, at] = o.split('@') as [string, string];
      byJob.set(id, [...(byJob.get(id) ?? []), Number(at)]);
    }
    expect(byJob.size).toBe(20);
    for (const times of byJob.values()) {
      times.sort((a, b) => a - b);
      expect(times.length).toBeGreaterThanOrEqual(8);
      for (let k = 1; k < times.length; k++) expect(times[k]! - times[k - 1]!).toBe(200);
    }
    expect(new Set(ledger.map((e) => e.split('#')[1])).size).toBe(2); // both processes did work
    for (const s of schedulers) await s.dispose();
  });

  it('holds maxInstances across processes with shared run slots', async () => {
    const schedulers = pair(`t-${randomUUID().slice(0, 8)}`);
    let running = 0;
    let peak = 0;
    let runs = 0;
    const slow = async (): Promise<void> => {
      running += 1;
      runs += 1;
      peak = Math.max(peak, running);
      await sleep(450);
      running -= 1;
    };
    for (const s of schedulers) await s.addJob(slow, { id: 'slow', every: 100, maxInstances: 1 });
    for (const s of schedulers) s.startFiring();
    // Runs of 450 ms every 100 ms: until two ran and an occurrence was skipped for the slot.
    await until(async () => runs >= 2 && (await schedulers[0]!.history('slow', { limit: 50 })).some((r) => r.status === 'skipped'));
    for (const s of schedulers) await s.stop({ deadlineMs: 1_000 });
    expect(peak).toBe(1);
    for (const s of schedulers) await s.dispose();
  });

  it('an occurrence queued behind another process run starts when that run releases its slot, not at the next slot-keeper pass', async () => {
    const prefix = `q-${randomUUID().slice(0, 8)}`;
    // leaseMs 30 s: the slot keepers pass every 10 s, so only the release hint can start it sooner.
    const [a, b] = ['a', 'b'].map((owner) => new Scheduler({ store: new RedisStore({ url: redis().url, prefix }), logger, owner, leaseMs: 30_000, pollMs: 1_000 }));
    let aFinishedAt = 0;
    const options = { id: 'slow', runDate: Date.now() + 3_600_000, maxInstances: 1, overlap: 'queue' as const };
    await a!.addJob(async () => {
      await sleep(400);
      aFinishedAt = Date.now();
    }, options);
    let bStartedAt = 0;
    await b!.addJob(() => {
      bStartedAt = Date.now();
    }, options);
    for (const s of [a!, b!]) s.startFiring();
    const first = a!.runJob('slow');
    await sleep(100);
    const second = await b!.runJob('slow'); // a holds the only slot: queued
    expect((await first).status).toBe('succeeded');
    expect(second.status).toBe('succeeded');
    expect(bStartedAt - aFinishedAt).toBeGreaterThanOrEqual(0);
    expect(bStartedAt - aFinishedAt).toBeLessThan(2_000);
    for (const s of [a!, b!]) await s.stop({ deadlineMs: 1_000 });
    for (const s of [a!, b!]) await s.dispose();
  });

  it('pause, resume, reschedule, run-now and remove from one process act on the schedule another fires; history is shared', async () => {
    const prefix = `ctl-${randomUUID().slice(0, 8)}`;
    const [a, b] = [open(prefix, 'a'), open(prefix, 'b')];
    const runs: string[] = [];
    // Both processes register the same job (same code deployed everywhere); only `a` fires.
    // maxInstances 5: a run slot is released up to 25 ms after its run (batched), and the manual
    // run below must not find the last scheduled run's slot still counted.
    const args: unknown[] = [];
    await a.addJob((ctx) => {
      runs.push(`a ${ctx.scheduledAt.getTime()}`);
      args.push(ctx.args[0]);
    }, { id: 'tick', every: 200, maxInstances: 5 });
    await b.addJob((ctx) => void runs.push(`b ${ctx.scheduledAt.getTime()}`), { id: 'tick', every: 200, maxInstances: 5 });
    a.startFiring();
    await until(() => runs.length >= 2);

    expect((await b.pauseJob('tick')).paused).toBe(true);
    await sleep(300); // a tick in progress at the pause may still land
    const atPause = runs.length;
    await sleep(600);
    expect(runs.length).toBe(atPause);
    expect((await a.getJob('tick'))?.paused).toBe(true);

    expect((await a.getJob('tick'))?.trigger).toBe('every 200ms');
    await b.rescheduleJob('tick', { type: 'interval', milliseconds: 100 });
    // The process that fires it reads the new trigger itself.
    expect((await a.getJob('tick'))?.trigger).toBe('every 100ms');
    // modifyJob from the other process: the firing process's next runs get the new args.
    await b.modifyJob('tick', { args: ['set by b'] });
    await b.resumeJob('tick');
    await until(() => runs.length >= atPause + 4 && args.includes('set by b'));
    expect(runs.every((r) => r.startsWith('a '))).toBe(true);
    // Every run after the first with the new args has them (the old args never come back).
    expect(args.slice(args.indexOf('set by b')).every((x) => x === 'set by b')).toBe(true);

    const manual = await b.runJob('tick');
    expect(manual.status).toBe('succeeded');
    expect(runs.some((r) => r.startsWith('b '))).toBe(true);
    // Shared history: `b` sees the runs `a` made, and `a` sees the manual run `b` made.
    const seenByB = await b.history('tick', { limit: 100 });
    expect(seenByB.filter((r) => r.manual !== true).length).toBeGreaterThanOrEqual(4);
    expect((await a.history('tick', { limit: 100 })).some((r) => r.manual === true)).toBe(true);

    await b.removeJob('tick');
    expect(await a.getJob('tick')).toBeUndefined();
    const atRemove = runs.length;
    await sleep(500);
    expect(runs.length).toBeLessThanOrEqual(atRemove + 1);
    for (const s of [a, b]) await s.stop({ deadlineMs: 1_000 });
    for (const s of [a, b]) await s.dispose();
  });

  it('a process without the handler of a job gives its claims back with a warning, and the process that has it fires every occurrence', async () => {
    const prefix = `nh-${randomUUID().slice(0, 8)}`;
    const warnings: Record<string, unknown>[] = [];
    const capture = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(JSON.parse(line) as Record<string, unknown>) });
    const withHandler = open(prefix, 'with');
    const without = open(prefix, 'without', capture);
    const fired: number[] = [];
    // coalesce all (and room for the catch-up runs): a late tick runs every occurrence it missed,
    // so any gap means one was dropped.
    await withHandler.addJob((ctx) => void fired.push(ctx.scheduledAt.getTime()), { id: 'only-here', every: 100, coalesce: 'all', maxInstances: 50 });
    // `without` starts first, so it is the only one claiming for a while.
    without.startFiring();
    await until(() => warnings.some((w) => w['job'] === 'only-here' && String(w['msg']).includes('no handler')));
    withHandler.startFiring();
    await until(() => fired.length >= 12);
    for (const s of [without, withHandler]) await s.stop({ deadlineMs: 1_000 });
    // Every 100 ms occurrence since registration, including those due while only `without` was
    // claiming: given back, not dropped. None twice.
    expect(new Set(fired).size).toBe(fired.length);
    expect(fired.length).toBeGreaterThanOrEqual(12);
    for (let i = 1; i < fired.length; i++) expect(fired[i]! - fired[i - 1]!).toBe(100);
    for (const s of [without, withHandler]) await s.dispose();
  });
});

describe.skipIf(redisUnavailable({ needBinary: true }))('the scheduler from config on a 3-master Redis Cluster (`nodes`)', () => {
  const cluster = useRedisCluster();

  it('two schedulers built from `backend: redis, nodes: [...]` share the schedules and fire each occurrence once', async () => {
    const config = schedulerConfigSchema.parse({
      backend: 'redis', nodes: cluster().nodes.map((n) => `${n.host}:${n.port}`), prefix: `cfg-${randomUUID().slice(0, 8)}`, leaseMs: 5_000, pollMs: 1_000,
    });
    const schedulers = await Promise.all([0, 1].map(() => createScheduler({ config, logger, configFile: '' })));
    const ledger: string[] = [];
    for (const s of schedulers) {
      await s.addJob((ctx) => void ledger.push(`${ctx.jobId}@${ctx.scheduledAt.getTime()}`), { id: 'tick', every: 200 });
      s.startFiring();
    }
    await sleep(1_500);
    for (const s of schedulers) await s.stop({ deadlineMs: 1_000 });
    expect(ledger.length).toBeGreaterThanOrEqual(5);
    expect(new Set(ledger).size).toBe(ledger.length);
    expect((await schedulers[0]!.jobs()).map((j) => j.id)).toEqual(['tick']);
    for (const s of schedulers) await s.dispose();
  });
});
