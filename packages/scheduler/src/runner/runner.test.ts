import { describe, expect, it, vi } from 'vitest';
import pino from 'pino';
import { MemoryStore } from '../stores/memory-store.js';
import { Scheduler } from '../service/scheduler.js';
import type { ScheduleDefinition, Store } from '../stores/store.js';
import { CLAIM_WINDOW_TARGET_CLAIMS, FUSED_PASS_SIZE, Runner } from './runner.js';
import { AHEAD_FEWEST, AHEAD_OCCURRENCES } from './plan-ahead.js';
import { planOccurrences } from '../policy/plan.js';
import { scheduleHash } from '../stores/schedule-hash.js';
import { internPolicy, BUILTIN_DEFAULTS } from '../service/job-options.js';
import { useFakeSchedulerClock } from '../service/scheduler.fixtures.js';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const at = (offsetMs: number): string => new Date(T0 + offsetMs).toISOString();
const logger = pino({ level: 'silent' });

/**
 * `store` without `fireDueNow`: the runner takes the claim-and-commit path (a shared store's), as
 * it does for every store without the fused path.
 */
function claimPath<S extends Store>(store: S): S {
  return new Proxy(store, { get: (t, p, r) => (p === 'fireDueNow' ? undefined : (Reflect.get(t, p, r) as unknown)) });
}

/**
 * A MemoryStore whose methods fail while `down` is true (a store outage): the asynchronous ones
 * reject, `fireDueNow` (synchronous) throws. With `fused: false` it has no `fireDueNow`.
 */
function flakyStore(fused: boolean): { store: Store; setDown(down: boolean): void } {
  const inner = new MemoryStore();
  let down = false;
  const store = new Proxy(inner, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (prop === 'fireDueNow' && !fused) return undefined;
      if (typeof value !== 'function' || prop === 'onChange') return value;
      return (...args: unknown[]) => {
        if (down && prop === 'fireDueNow') throw new Error('connection refused');
        if (down) return Promise.reject(new Error('connection refused'));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store, setDown: (d) => void (down = d) };
}

/** Adds `count` interval schedules `<prefix><i>` every `everyMs`, all due at T0 + 1 s, each its own handler. */
async function addAlike(store: Store, handlers: Map<string, string>, prefix: string, count: number, everyMs: number): Promise<void> {
  const trigger: ScheduleDefinition['trigger'] = { type: 'interval', everyMs };
  const policy = internPolicy(BUILTIN_DEFAULTS);
  for (let i = 0; i < count; i++) {
    const definition: ScheduleDefinition = { id: `${prefix}${i}`, owner: 'app', trigger, policy, args: [] };
    handlers.set(definition.id, definition.id);
    await store.upsert({ definition, hash: scheduleHash(definition), nextRunAt: T0 + 1000, anchor: 0, replaceExisting: false });
  }
}

/** The two ways a runner takes due schedules from a store that has both. */
const PATHS = [
  { name: 'claim path', fused: false, claimMethod: 'claimBatch' },
  { name: 'fused path', fused: true, claimMethod: 'fireDueNow' },
] as const;

describe('Runner (through the Scheduler)', () => {
  let scheduler: Scheduler | undefined;

  useFakeSchedulerClock(T0, () => scheduler);

  it(`fused path: runs what each pass of FUSED_PASS_SIZE committed before the next pass, up to batchSize between yields`, async () => {
    const store = new MemoryStore();
    scheduler = new Scheduler({ store, logger, owner: 'o', batchSize: 150 });
    const n = 200;
    const log: string[] = [];
    let ran = 0;
    for (let i = 0; i < n; i++) await scheduler.addJob(() => void (ran += 1), { id: `j${i}`, every: 1000 });
    const fireDueNow = store.fireDueNow.bind(store);
    vi.spyOn(store, 'fireDueNow').mockImplementation((owner, leaseMs, limit, exclude, visitor) => {
      log.push(`pass ${limit} after ${ran} runs`);
      return fireDueNow(owner, leaseMs, limit, exclude, visitor);
    });
    scheduler.startFiring();
    await vi.advanceTimersByTimeAsync(1001);
    // The first tick finds nothing due; at T0 + 1000 all are: two full passes, then what is left of
    // the batch (150), a yield, and the rest.
    const P = FUSED_PASS_SIZE;
    expect(log).toEqual(['pass 64 after 0 runs', 'pass 64 after 0 runs', `pass ${P} after ${P} runs`, `pass ${150 - 2 * P} after ${2 * P} runs`, `pass ${P} after 150 runs`]);
    expect(ran).toBe(n);
  });

  it('a run that follows an event listener starts when the listener returned, not when the previous run ended', async () => {
    scheduler = new Scheduler({ store: new MemoryStore(), logger, owner: 'o' });
    for (const id of ['a', 'b']) await scheduler.addJob(() => {}, { id, every: 1000 });
    // A slow listener: 40 ms pass while it runs.
    scheduler.on('job.succeeded', () => void vi.setSystemTime(Date.now() + 40));
    scheduler.startFiring();
    await vi.advanceTimersByTimeAsync(1000);
    const [a] = await scheduler.history('a', { limit: 1 });
    const [b] = await scheduler.history('b', { limit: 1 });
    const [first, second] = a!.startedAt! < b!.startedAt! ? [a!, b!] : [b!, a!];
    expect(second.startedAt! - first.finishedAt!).toBe(40);
  });

  it('the fused path records the same history and emits the same events as the claim path, for every kind of run', async () => {
    const outcomes: Record<string, { history: unknown; events: string[] }> = {};
    for (const path of PATHS) {
      vi.setSystemTime(T0);
      scheduler = new Scheduler({ store: path.fused ? new MemoryStore() : claimPath(new MemoryStore()), logger, owner: 'o', random: () => 0.5 });
      const events: string[] = [];
      for (const event of ['job.started', 'job.succeeded', 'job.failed', 'job.timed_out', 'job.skipped'] as const) {
        scheduler.on(event, (e) => void events.push(`${event} ${e.jobId} ${new Date(e.scheduledAt).getTime() - T0}`));
      }
      const ids = ['sync', 'throws', 'async', 'slow', 'retried', 'overlapping'];
      // Every job is due at the same instant each second (the default interval phase).
      await scheduler.addJob(() => 'done', { id: 'sync', every: 1000 });
      await scheduler.addJob(() => {
        throw new Error('boom');
      }, { id: 'throws', every: 1000 });
      await scheduler.addJob(async () => Promise.resolve(1), { id: 'async', every: 1000 });
      await scheduler.addJob(() => new Promise(() => {}), { id: 'slow', every: 1000, timeout: 300 });
      let attempt = 0;
      await scheduler.addJob(() => {
        if (++attempt % 2 === 1) throw new Error('first attempt');
      }, { id: 'retried', every: 1000, retries: 1, retryDelay: 100 });
      await scheduler.addJob(() => new Promise((resolve) => setTimeout(resolve, 1500)), { id: 'overlapping', every: 1000 });
      scheduler.startFiring();
      await vi.advanceTimersByTimeAsync(3500);
      const history: Record<string, unknown> = {};
      for (const id of ids) history[id] = await scheduler.history(id, { limit: 10 });
      outcomes[path.name] = { history, events };
      await scheduler.stop({ deadlineMs: 0 });
      scheduler = undefined;
    }
    const [claim, fused] = [outcomes['claim path']!, outcomes['fused path']!];
    // Something of every kind happened (the comparison is not between two empty lists).
    expect(claim.events.some((e) => e.startsWith('job.timed_out'))).toBe(true);
    expect(claim.events.some((e) => e.startsWith('job.skipped'))).toBe(true);
    expect(fused.history).toEqual(claim.history);
    expect([...fused.events].sort()).toEqual([...claim.events].sort());
  });

  it('uses one timer for all jobs, never one per job', async () => {
    scheduler = new Scheduler({ store: new MemoryStore(), logger, owner: 'o' });
    let fired = 0;
    const fn = (): void => void (fired += 1);
    const period = (i: number): number => 1000 + (i % 7) * 100;
    for (let i = 0; i < 500; i++) await scheduler.addJob(fn, { id: `j${i}`, every: period(i) });
    scheduler.startFiring();
    await vi.advanceTimersByTimeAsync(0);
    // The runner's timer, the slot keeper's renewal interval and the overdue watch's check interval.
    expect(vi.getTimerCount()).toBe(3);
    await vi.advanceTimersByTimeAsync(1000);
    // Interval phases are whole multiples of the period since the epoch: a job fires in this second
    // when a multiple of its period lies in (T0, T0 + 1000].
    const due = Array.from({ length: 500 }, (_, i) => i).filter((i) => Math.floor((T0 + 1000) / period(i)) > Math.floor(T0 / period(i)));
    expect(due.length).toBeGreaterThan(72); // the 1 s jobs (i % 7 === 0) and some others
    expect(fired).toBe(due.length);
    expect(vi.getTimerCount()).toBe(3);
  });

  it('runs the current handler after remove, re-add and slot reuse (handlers cached by store slot)', async () => {
    scheduler = new Scheduler({ store: new MemoryStore(), logger, owner: 'o' });
    const runs: string[] = [];
    const job = (name: string) => (): void => void runs.push(name);
    await scheduler.addJob(job('a1'), { id: 'a', every: 1000 });
    scheduler.startFiring();
    await vi.advanceTimersByTimeAsync(2000);
    expect(runs).toEqual(['a1', 'a1']);
    // Replaced in place, then removed and added again (a new handler object for the same id).
    await scheduler.addJob(job('a2'), { id: 'a', every: 1000, replaceExisting: true });
    await vi.advanceTimersByTimeAsync(1000);
    await scheduler.removeJob('a');
    await scheduler.addJob(job('a3'), { id: 'a', every: 1000 });
    await vi.advanceTimersByTimeAsync(1000);
    // Removed for good: its store slot goes to another job, which must run its own handler.
    await scheduler.removeJob('a');
    await scheduler.addJob(job('b'), { id: 'b', every: 1000 });
    await vi.advanceTimersByTimeAsync(2000);
    expect(runs).toEqual(['a1', 'a1', 'a2', 'a3', 'b', 'b']);
  });

  for (const path of PATHS) it(`hands dispatch the handler from its slot cache only while \`current\` says it is still registered (${path.name})`, async () => {
    const store = path.fused ? new MemoryStore() : claimPath(new MemoryStore());
    type Handler = { name: string; live: boolean };
    const handlers = new Map<string, Handler>();
    const seen: string[] = [];
    const runner = new Runner<Handler>({
      store, owner: 'o', logger, leaseMs: 30_000, pollMs: 30_000, plan: planOccurrences, exclude: new Set(), handlers,
      current: (h) => h.live,
      onUnhandled: () => {},
      dispatch: (_schedule, _at, _next, handler) => void seen.push(handler.name),
      onMissed: () => {},
      onHealth: () => {},
    });
    const definition: ScheduleDefinition = { id: 'a', owner: 'app', trigger: { type: 'interval', everyMs: 1000 }, policy: internPolicy(BUILTIN_DEFAULTS), args: [] };
    await store.upsert({ definition, hash: scheduleHash(definition), nextRunAt: T0 + 1000, anchor: T0, replaceExisting: false });
    const first: Handler = { name: 'first', live: true };
    handlers.set('a', first);
    runner.start();
    await vi.advanceTimersByTimeAsync(2000);
    // Swapped in the map behind the cache's back: the cached one is used while it says it is current.
    handlers.set('a', { name: 'second', live: true });
    await vi.advanceTimersByTimeAsync(1000);
    first.live = false;
    await vi.advanceTimersByTimeAsync(1000);
    await runner.stop();
    expect(seen).toEqual(['first', 'first', 'first', 'second']);
  });

  it('fused path: one plan serves schedules due together across all the passes of a tick', async () => {
    const store = new MemoryStore();
    const handlers = new Map<string, string>();
    let plans = 0;
    let fired = 0;
    const runner = new Runner<string>({
      store, owner: 'o', logger, leaseMs: 30_000, pollMs: 30_000, exclude: new Set(), handlers,
      plan: (input) => {
        plans++;
        return planOccurrences(input);
      },
      onUnhandled: () => {},
      dispatch: () => void fired++,
      onMissed: () => {},
      onHealth: () => {},
    });
    const definition = (id: string): ScheduleDefinition => ({ id, owner: 'app', trigger: { type: 'interval', everyMs: 1000 }, policy: internPolicy(BUILTIN_DEFAULTS), args: [] });
    const trigger = definition('x').trigger;
    for (let i = 0; i < 3 * FUSED_PASS_SIZE; i++) {
      const d = { ...definition(`j${i}`), trigger };
      handlers.set(d.id, d.id);
      await store.upsert({ definition: d, hash: scheduleHash(d), nextRunAt: T0 + 1000, anchor: 0, replaceExisting: false });
    }
    runner.start();
    await vi.advanceTimersByTimeAsync(1000);
    await runner.stop();
    expect([fired, plans]).toEqual([3 * FUSED_PASS_SIZE, 1]);
  });

  for (const path of PATHS) it(`plans schedules due together with one trigger once, but not when a run limit makes their plans differ (${path.name})`, async () => {
    const store = path.fused ? new MemoryStore() : claimPath(new MemoryStore());
    const handlers = new Map<string, string>();
    const fired: string[] = [];
    const runner = new Runner<string>({
      store, owner: 'o', logger, leaseMs: 30_000, pollMs: 30_000, plan: planOccurrences, exclude: new Set(), handlers,
      onUnhandled: () => {},
      dispatch: (definition, scheduledAt) => void fired.push(`${definition.id}@${scheduledAt - T0}`),
      onMissed: () => {},
      onHealth: () => {},
    });
    const policy = internPolicy(BUILTIN_DEFAULTS);
    const add = async (id: string, trigger: ScheduleDefinition['trigger'], nextRunAt: number): Promise<void> => {
      const definition: ScheduleDefinition = { id, owner: 'app', trigger, policy, args: [] };
      handlers.set(id, id);
      await store.upsert({ definition, hash: scheduleHash(definition), nextRunAt, anchor: 0, replaceExisting: false });
    };
    // One trigger object with a run limit, shared (as interning would share it): "a" has run once
    // when "b" is added, so at T0 + 1000 both are due at the same time with the same trigger and
    // policy, yet "a" is then exhausted and "b" is not.
    const limited: ScheduleDefinition['trigger'] = { type: 'interval', everyMs: 1000, maxRuns: 2 };
    await add('a', limited, T0);
    runner.start();
    await vi.advanceTimersByTimeAsync(0);
    await add('b', limited, T0 + 1000);
    await vi.advanceTimersByTimeAsync(2000);
    await runner.stop();
    expect(fired.sort()).toEqual(['a@0', 'a@1000', 'b@1000', 'b@2000']);
  });

  it('sends a commit whose answer was lost again at its next tick, and runs what the first call recorded, once', async () => {
    const inner = new MemoryStore();
    let loseAnswer = true;
    // The first commit is applied, then its answer is lost (Redis died after running it).
    const store = new Proxy(inner, {
      get(target, prop, receiver) {
        if (prop !== 'commit') return Reflect.get(target, prop, receiver) as unknown;
        return async (...args: Parameters<MemoryStore['commit']>) => {
          const results = await target.commit(...args);
          if (!loseAnswer) return results;
          loseAnswer = false;
          throw new Error('connection lost');
        };
      },
    });
    const dispatched: string[] = [];
    const health: string[] = [];
    const runner = new Runner<string>({
      store, owner: 'o', logger, leaseMs: 30_000, pollMs: 30_000, plan: planOccurrences, exclude: new Set(), handlers: new Map([['a', 'handler']]),
      commitSlots: true,
      onUnhandled: () => {},
      dispatch: (_schedule, scheduledAt, _next, _handler, run) => void dispatched.push(`${scheduledAt - T0} ${run?.runId === `${scheduledAt}@o`}`),
      onMissed: () => {},
      onHealth: (source, error) => void health.push(`${source} ${error === null ? 'ok' : 'failed'}`),
    });
    const definition: ScheduleDefinition = { id: 'a', owner: 'app', trigger: { type: 'interval', everyMs: 1000 }, policy: internPolicy(BUILTIN_DEFAULTS), args: [] };
    await store.upsert({ definition, hash: scheduleHash(definition), nextRunAt: T0 + 1000, anchor: T0, replaceExisting: false });
    runner.start();
    await vi.advanceTimersByTimeAsync(1000);
    expect(dispatched).toEqual([]);
    await vi.advanceTimersByTimeAsync(100); // the retry after the failed tick
    expect(dispatched).toEqual(['1000 true']);
    await vi.advanceTimersByTimeAsync(2000);
    await runner.stop();
    expect(dispatched).toEqual(['1000 true', '2000 true', '3000 true']);
    expect(health.filter((h) => h.startsWith('commit')).slice(0, 2)).toEqual(['commit failed', 'commit ok']);
  });

  it('gives schedules committed together plans made ahead of different lengths, so they come back to the claim path in different seconds', async () => {
    const inner = new MemoryStore();
    const lengths: number[] = [];
    // The commits' items, seen on their way to the store.
    const store = new Proxy(inner, {
      get(target, prop, receiver) {
        if (prop !== 'commit') return Reflect.get(target, prop, receiver) as unknown;
        return (owner: string, items: Parameters<MemoryStore['commit']>[1]) => {
          for (const item of items) lengths.push(item.ahead?.occurrences.length ?? 0);
          return target.commit(owner, items);
        };
      },
    });
    const handlers = new Map<string, string>();
    const runner = new Runner<string>({
      store, owner: 'o', logger, leaseMs: 30_000, pollMs: 30_000, plan: planOccurrences, exclude: new Set(), handlers,
      commitSlots: true, onUnhandled: () => {}, dispatch: () => {}, onMissed: () => {}, onHealth: () => {},
    });
    await addAlike(store, handlers, 'j', AHEAD_OCCURRENCES - AHEAD_FEWEST + 1, 1000);
    runner.start();
    await vi.advanceTimersByTimeAsync(1000);
    await runner.stop();
    // One commit of all of them at T0 + 1000: every length from AHEAD_FEWEST to AHEAD_OCCURRENCES once.
    expect(lengths.sort((a, b) => a - b)).toEqual(Array.from({ length: AHEAD_OCCURRENCES - AHEAD_FEWEST + 1 }, (_, i) => AHEAD_FEWEST + i));
  });

  it('tells onBurst when a claim comes back full (more due now) and when the tick\'s claims are done', async () => {
    const store = claimPath(new MemoryStore());
    const handlers = new Map<string, string>();
    const events: string[] = [];
    const runner = new Runner<string>({
      store, owner: 'o', logger, leaseMs: 30_000, pollMs: 30_000, plan: planOccurrences, exclude: new Set(), handlers, batchSize: 2,
      commitSlots: true, onUnhandled: () => {}, onMissed: () => {}, onHealth: () => {},
      dispatch: (definition) => void events.push(definition.id),
      onBurst: (active) => void events.push(`burst ${active}`),
    });
    await addAlike(store, handlers, 'b', 5, 60_000);
    runner.start();
    await vi.advanceTimersByTimeAsync(1100);
    await runner.stop();
    // Two full claims of 2, then a short one of 1: a burst from the first full claim, before its
    // runs start (their finishes must not reach the store ahead of its commit), to the short one.
    expect(events).toEqual(['burst true', 'b0', 'b1', 'b2', 'b3', 'b4', 'burst false']);
  });

  it('caps its sleep at pollMs for far wakeups (no setTimeout past 2^31-1 ms)', async () => {
    scheduler = new Scheduler({ store: new MemoryStore(), logger, owner: 'o', pollMs: 30_000 });
    const runs: string[] = [];
    const runDate = T0 + 60 * 86_400_000; // 60 days: more than 2^31 ms (24.8 days)
    await scheduler.addJob((ctx) => void runs.push(ctx.scheduledAt.toISOString()), { id: 'far', runDate });
    const spy = vi.spyOn(globalThis, 'setTimeout');
    scheduler.startFiring();
    await vi.advanceTimersByTimeAsync(0);
    const delays = spy.mock.calls.map((c) => c[1] ?? 0);
    expect(Math.max(...delays)).toBe(30_000);
    spy.mockRestore();
    vi.setSystemTime(runDate + 10); // jump the wall clock; the capped sleep notices within pollMs
    await vi.advanceTimersByTimeAsync(30_000);
    expect(runs).toEqual([new Date(runDate).toISOString()]);
  });

  it('wakes early on a change hint (a job added while sleeping)', async () => {
    scheduler = new Scheduler({ store: new MemoryStore(), logger, owner: 'o', pollMs: 30_000 });
    scheduler.startFiring();
    await vi.advanceTimersByTimeAsync(1000);
    const runs: string[] = [];
    await scheduler.addJob((ctx) => void runs.push(ctx.scheduledAt.toISOString()), { id: 'soon', every: '2s' });
    await vi.advanceTimersByTimeAsync(2000);
    // Added at T0 + 1 s: its first occurrence is the next whole 2 s since the epoch, T0 + 2 s.
    expect(runs).toEqual([at(2000)]);
  });

  for (const path of PATHS) it(`reports degraded on store errors, backs off without crashing, and recovers applying the misfire policy (${path.name})`, async () => {
    const { store, setDown } = flakyStore(path.fused);
    scheduler = new Scheduler({ store, logger, owner: 'o' });
    const health: string[] = [];
    scheduler.on('scheduler.degraded', (p) => void health.push(`degraded ${p.reason}`));
    scheduler.on('scheduler.recovered', (p) => void health.push(`recovered after ${p.degradedForMs}`));
    const runs: string[] = [];
    await scheduler.addJob((ctx) => void runs.push(ctx.scheduledAt.toISOString()), { id: 'beat', every: '1s', coalesce: 'latest' });
    scheduler.startFiring();
    await vi.advanceTimersByTimeAsync(1000);
    expect(runs).toEqual([at(1000)]);
    setDown(true);
    await vi.advanceTimersByTimeAsync(5000);
    expect(scheduler.health()).toEqual({ status: 'degraded', reason: 'store error: connection refused', since: new Date(T0 + 2000) });
    expect(runs).toEqual([at(1000)]);
    setDown(false);
    // Ticks fail at 2.0, 2.1, 2.3, 2.7, 3.5 s (backoff 100 ms doubling), then every second (the
    // cap, STORE_RETRY_MAX_MS): 4.5, 5.5 s; the retry at 6.5 s succeeds.
    await vi.advanceTimersByTimeAsync(499);
    expect(scheduler.health().status).toBe('degraded');
    await vi.advanceTimersByTimeAsync(1);
    expect(scheduler.health()).toEqual({ status: 'ok' });
    expect(health).toEqual(['degraded store error: connection refused', 'recovered after 4500']);
    await vi.advanceTimersByTimeAsync(1500);
    // The outage (2 s .. 6.5 s) collapses into one run of the latest occurrence, then back on the beat.
    expect(runs).toEqual([at(1000), at(6000), at(7000), at(8000)]);
  });

  for (const path of PATHS) it(`gives back a claimed schedule it has no handler for, with a warning, and stops claiming it (${path.name})`, async () => {
    const inner = new MemoryStore();
    const store = path.fused ? inner : claimPath(inner);
    const definition = { id: 'elsewhere', owner: 'other-process-plugin', trigger: { type: 'interval' as const, everyMs: 1000 }, policy: internPolicy(BUILTIN_DEFAULTS), args: [] };
    await store.upsert({ definition, hash: scheduleHash(definition), nextRunAt: T0 + 1000, anchor: T0, replaceExisting: false });
    const warnings: string[] = [];
    const capture = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(JSON.parse(line).msg as string) });
    scheduler = new Scheduler({ store, logger: capture, owner: 'o' });
    const claimSpy = vi.spyOn(inner, path.fused ? 'fireDueNow' : 'claimDue');
    scheduler.startFiring();
    await vi.advanceTimersByTimeAsync(3000);
    expect(warnings).toEqual(['claimed a schedule with no handler in this process; gave the claim back for a process that has one']);
    const lastExclude = claimSpy.mock.calls.at(-1)?.[3];
    expect([...(lastExclude ?? [])]).toEqual(['elsewhere']);
    const stored = await store.get('elsewhere');
    expect([stored?.state.nextRunAt, stored?.state.runs]).toEqual([T0 + 1000, 0]);
  });

  for (const path of PATHS) it(`with claimWindowMs, wakes only on its grid: one claim takes what came due in the window (${path.name})`, async () => {
    const inner = new MemoryStore();
    const store = path.fused ? inner : claimPath(inner);
    // random 0.5: this process's grid is 5, 15, 25, ... ms past each 10 ms.
    scheduler = new Scheduler({ store, logger, owner: 'o', claimWindowMs: 10, random: () => 0.5 });
    const fired: string[] = [];
    const job = (ctx: { jobId: string; scheduledAt: Date }): void => void fired.push(`${ctx.jobId} due ${ctx.scheduledAt.getTime() - T0} ran ${Date.now() - T0}`);
    // Phases from start dates: a at 1, b at 3, c at 12 ms past each second.
    for (const [id, offset] of [['a', 1], ['b', 3], ['c', 12]] as const) {
      await scheduler.addJob(job, { id, every: '1s', startDate: new Date(T0 + 1000 + offset) });
    }
    const claims = vi.spyOn(inner, path.claimMethod);
    scheduler.startFiring();
    await vi.advanceTimersByTimeAsync(988); // to T0 + 1000
    claims.mockClear();
    await vi.advanceTimersByTimeAsync(30);
    expect(fired).toEqual(['a due 1001 ran 1005', 'b due 1003 ran 1005', 'c due 1012 ran 1015']);
    expect(claims).toHaveBeenCalledTimes(2);
  });

  it('with claimWindowMs, processes sharing a store take turns: the grid offset is drawn per tick, not fixed per process', async () => {
    const store = claimPath(new MemoryStore());
    // Seeded, so the split is the same every run; the first draws give offsets 7 and 0 ms.
    const seeded = (seed: number): (() => number) => {
      let x = seed;
      return () => {
        x = (Math.imul(x, 1103515245) + 12345) >>> 0;
        return x / 2 ** 32;
      };
    };
    const processes = [seeded(7), seeded(12)].map((random, i) => new Scheduler({ store, logger, owner: `p${i}`, claimWindowMs: 10, random }));
    const fired: string[] = [];
    for (const [i, s] of processes.entries()) {
      // Due on the grid's step (every 200 ms, phases 10 ms apart), as whole seconds and cron are.
      for (let j = 0; j < 20; j++) await s.addJob((ctx) => void fired.push(`${ctx.jobId}@${ctx.scheduledAt.getTime()}#${i}`), { id: `j${j}`, every: 200, startDate: new Date(T0 + 1000 + j * 10) });
    }
    for (const s of processes) s.startFiring();
    await vi.advanceTimersByTimeAsync(3000);
    for (const s of processes) await s.stop({ deadlineMs: 0 });
    const occurrences = fired.map((f) => f.split('#')[0]);
    expect(new Set(occurrences).size).toBe(occurrences.length);
    expect(occurrences.length).toBeGreaterThanOrEqual(180);
    // With an offset fixed per process, the one with the smaller offset took every one of them.
    const byP1 = fired.filter((f) => f.endsWith('#1')).length;
    expect(byP1 / fired.length).toBeGreaterThan(0.3);
    expect(byP1 / fired.length).toBeLessThan(0.7);
  });

  for (const path of PATHS) it(`under load shortens the claim window so a tick claims about CLAIM_WINDOW_TARGET_CLAIMS (${path.name})`, async () => {
    const inner = new MemoryStore();
    const store = path.fused ? inner : claimPath(inner);
    scheduler = new Scheduler({ store, logger, owner: 'o', claimWindowMs: 10, random: () => 0 });
    const lateness: number[] = [];
    // Only the first window of each burst (rate not known yet) waits the whole 10 ms: skip it.
    const job = (ctx: { scheduledAt: Date }): void => {
      if ((ctx.scheduledAt.getTime() - T0) % 1000 >= 20) lateness.push(Date.now() - ctx.scheduledAt.getTime());
    };
    // 1000 schedules due in the first 100 ms of each second, 10 per ms: 100 per 10 ms window, so
    // the step shrinks to about 1.6 ms there.
    for (let i = 0; i < 1000; i++) {
      await scheduler.addJob(job, { id: `j${i}`, every: '1s', startDate: new Date(T0 + 1000 + Math.floor(i / 10)) });
    }
    const claims = vi.spyOn(inner, path.claimMethod);
    scheduler.startFiring();
    await vi.advanceTimersByTimeAsync(2000 - 100);
    claims.mockClear();
    lateness.length = 0;
    await vi.advanceTimersByTimeAsync(1000);
    expect(lateness).toHaveLength(800);
    // The fixed 10 ms grid: about 10 claims for those 100 ms, up to 10 ms late; here about 60.
    expect(claims.mock.calls.length).toBeGreaterThanOrEqual(25);
    expect(claims.mock.calls.length).toBeLessThanOrEqual(1000 / CLAIM_WINDOW_TARGET_CLAIMS * 2);
    expect(Math.max(...lateness)).toBeLessThanOrEqual(4);
  });

  it('without claimBatch in the store, asks now() and nextWakeup() itself and fires on time', async () => {
    const inner = new MemoryStore();
    const store = new Proxy(inner, { get: (t, p, r) => (p === 'claimBatch' || p === 'fireDueNow' ? undefined : (Reflect.get(t, p, r) as unknown)) }) as Store;
    const wakeups = vi.spyOn(inner, 'nextWakeup');
    scheduler = new Scheduler({ store, logger, owner: 'o' });
    const runs: string[] = [];
    await scheduler.addJob((ctx) => void runs.push(ctx.scheduledAt.toISOString()), { id: 'plain', every: '1s' });
    scheduler.startFiring();
    await vi.advanceTimersByTimeAsync(3000);
    expect(runs).toEqual([at(1000), at(2000), at(3000)]);
    expect(wakeups.mock.calls.length).toBeGreaterThanOrEqual(3);
  });
});
