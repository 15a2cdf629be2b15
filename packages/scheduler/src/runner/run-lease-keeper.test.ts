import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import pino from 'pino';
import { MAX_TIMER_MS } from '@xcore/core';
import { MemoryStore } from '../stores/memory-store.js';
import type { Store } from '../stores/store.js';
import { Scheduler } from '../service/scheduler.js';
import { useFakeSchedulerClock } from '../service/scheduler.fixtures.js';
import { RunLeaseKeeper } from './run-lease-keeper.js';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const DAY = 86_400_000;
const logger = pino({ level: 'silent' });

/** A MemoryStore that presents itself as shared, so the scheduler uses the store's run slots. */
function sharedStore(): MemoryStore & Store {
  const inner = new MemoryStore();
  return new Proxy(inner, { get: (t, p, r) => (p === 'kind' ? 'shared-test' : (Reflect.get(t, p, r) as unknown)) }) as MemoryStore & Store;
}

describe('run slots in a shared store', () => {
  let scheduler: Scheduler | undefined;
  useFakeSchedulerClock(T0, () => scheduler);

  it('renews the leases of slots held by long runs, so they never expire while running', async () => {
    const store = sharedStore();
    scheduler = new Scheduler({ store, logger, owner: 'me', leaseMs: 3000 });
    let running = 0;
    await scheduler.addJob(() => {
      running += 1;
      return new Promise((resolve) => setTimeout(resolve, 20_000));
    }, { id: 'long', every: '2s', maxInstances: 1 });
    scheduler.startFiring();
    await vi.advanceTimersByTimeAsync(15_000);
    // Held for 13 s with a 3 s lease: renewal kept the slot, so no second run started.
    expect(running).toBe(1);
    expect(await store.reapExpiredSlots(10)).toEqual([]);
  });

  it('keeps renewing a long run\'s lease when another job with the same phase (the same run id) finishes first', async () => {
    const store = sharedStore();
    scheduler = new Scheduler({ store, logger, owner: 'me', leaseMs: 3000 });
    const longRuns: string[] = [];
    // Same period and start date: both commits name their run `<scheduledAt>@me`.
    const phase = { every: '1h', startDate: new Date(T0 + 1000), recover: true } as const;
    // The long run starts first, so the quick one's lease is taken while the long one holds its own.
    await scheduler.addJob((ctx) => {
      longRuns.push(ctx.scheduledAt.toISOString());
      return new Promise((resolve) => setTimeout(resolve, 20_000));
    }, { id: 'a-long', ...phase });
    await scheduler.addJob(() => undefined, { id: 'b-quick', ...phase });
    scheduler.startFiring();
    await vi.advanceTimersByTimeAsync(15_000);
    // The quick run finished at once; the long one holds its lease for 14 s with a 3 s lease: it
    // was renewed, so nothing was reaped and the occurrence was not run a second time.
    expect(longRuns).toEqual([new Date(T0 + 1000).toISOString()]);
    expect(await store.reapExpiredSlots(10)).toEqual([]);
  });

  it('re-runs the occurrence of a dead process with recover: true and records a lost run otherwise', async () => {
    const store = sharedStore();
    scheduler = new Scheduler({ store, logger, owner: 'me', leaseMs: 3000 });
    const reran: string[] = [];
    await scheduler.addJob((ctx) => void reran.push(`${ctx.jobId} ${ctx.scheduledAt.toISOString()}`), { id: 'safe', every: '1h', recover: true });
    await scheduler.addJob(() => undefined, { id: 'plain', every: '1h' });
    const scheduledAt = T0 - 60_000;
    // Another process took slots for both jobs, then died (its leases run out after 1 s).
    for (const jobId of ['safe', 'plain']) {
      expect(await store.acquireSlot({ jobId, runId: `dead#${jobId}`, scheduledAt, owner: 'dead', leaseUntil: T0 + 1000 }, 1)).toBe(true);
    }
    scheduler.startFiring();
    await vi.advanceTimersByTimeAsync(1000); // first keeper pass at leaseMs / 3 = 1 s: expired, marked suspect (+1 s)
    expect(reran).toEqual([]);
    await vi.advanceTimersByTimeAsync(1000); // second pass: still expired, reaped
    await vi.advanceTimersByTimeAsync(50); // the batched finish writes
    expect(reran).toEqual([`safe ${new Date(scheduledAt).toISOString()}`]);
    const plain = await scheduler.history('plain');
    expect(plain.map((r) => [r.status, r.owner, r.error])).toEqual([['aborted', 'dead', 'process died mid-run']]);
  });

  it('a process that dies right after its commit leaves a slot: the occurrence is recovered, run once', async () => {
    const store = sharedStore();
    const ran: string[] = [];
    const job = (ctx: { jobId: string; scheduledAt: Date }): void => void ran.push(`${ctx.jobId} ${ctx.scheduledAt.getTime()}`);
    // "dead": its commit lands in the store, then the process is gone (the reply never arrives).
    const dying = new Proxy(store, {
      get: (t, p, r) => (p === 'commit'
        ? async (...args: Parameters<Store['commit']>) => { await t.commit(...args); return new Promise(() => {}); }
        : (Reflect.get(t, p, r) as unknown)),
    });
    const dead = new Scheduler({ store: dying, logger, owner: 'dead', leaseMs: 3000 });
    await dead.addJob(job, { id: 'safe', every: '1h', recover: true });
    scheduler = new Scheduler({ store, logger, owner: 'me', leaseMs: 3000 });
    await scheduler.addJob(job, { id: 'safe', every: '1h', recover: true });
    vi.setSystemTime(T0 + 3_600_000);
    dead.startFiring();
    await vi.advanceTimersByTimeAsync(10);
    expect(ran).toEqual([]);
    scheduler.startFiring();
    await vi.advanceTimersByTimeAsync(7000); // lease 3 s, then the two reap passes
    expect(ran).toEqual([`safe ${T0 + 3_600_000}`]);
  });

  it('costs no store call per firing besides the batched claim, commit and finishRuns', async () => {
    const calls = new Map<string, number>();
    const inner = sharedStore();
    const store = new Proxy(inner, {
      get: (t, p, r) => {
        const value = Reflect.get(t, p, r) as unknown;
        if (typeof value !== 'function' || typeof p !== 'string') return value;
        return (...args: unknown[]) => {
          calls.set(p, (calls.get(p) ?? 0) + 1);
          return (value as (...a: unknown[]) => unknown).apply(t, args);
        };
      },
    });
    scheduler = new Scheduler({ store, logger, owner: 'me', leaseMs: 30_000 });
    let fired = 0;
    for (let i = 0; i < 100; i++) await scheduler.addJob(() => void (fired += 1), { id: `j${i}`, every: '1s' });
    calls.clear();
    scheduler.startFiring();
    await vi.advanceTimersByTimeAsync(5010);
    expect(fired).toBe(500);
    for (const method of ['acquireSlot', 'releaseSlot', 'recordRun']) expect(calls.get(method) ?? 0).toBe(0);
    // One claim, commit and finishRuns per tick (5 ticks, plus a first claim at start); the
    // claim brings the next wakeup, so the runner makes no nextWakeup call: the one call is the
    // overdue watch's check (every 5 s, whatever the number of firings).
    expect(calls.get('commit')).toBe(5);
    expect(calls.get('finishRuns')).toBe(5);
    expect(calls.get('claimBatch')).toBeLessThanOrEqual(7);
    expect(calls.get('claimDue') ?? 0).toBe(0);
    expect(calls.get('nextWakeup') ?? 0).toBe(1);
  });

  it('catch-up occurrences queued behind maxInstances run one after another at once, not one per keeper pass', async () => {
    const store = sharedStore();
    scheduler = new Scheduler({ store, logger, owner: 'me', leaseMs: 3000 });
    const ran: number[] = [];
    await scheduler.addJob((ctx) => void ran.push(ctx.scheduledAt.getTime() - T0), {
      id: 'catch', every: '1s', coalesce: 'all', misfireGraceTime: null, maxInstances: 1, overlap: 'queue',
    });
    vi.setSystemTime(T0 + 3500); // three occurrences due at once
    scheduler.startFiring();
    await vi.advanceTimersByTimeAsync(100);
    expect(ran).toEqual([1000, 2000, 3000]);
  });
});


describe('RunLeaseKeeper', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(T0);
  });
  afterEach(() => vi.useRealTimers());

  it('passes every third of the lease, but at most every 2^31-1 ms: a 90-day lease does not pass every millisecond', async () => {
    const passes: number[] = [];
    const store = { renewSlots: async () => [], reapExpiredSlots: async () => [] } as unknown as Store;
    const keeper = new RunLeaseKeeper({ store, owner: 'me', leaseMs: 90 * DAY, logger, onReaped: () => undefined, onPass: () => void passes.push(Date.now() - T0), onHealth: () => undefined });
    keeper.start();
    try {
      await vi.advanceTimersByTimeAsync(1000);
      expect(passes).toEqual([]);
      await vi.advanceTimersByTimeAsync(MAX_TIMER_MS - 1000);
      expect(passes).toEqual([MAX_TIMER_MS]);
    } finally {
      keeper.stop();
    }
  });
});
