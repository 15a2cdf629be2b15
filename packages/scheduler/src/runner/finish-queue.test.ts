import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import pino from 'pino';
import { FINISH_MAX_BACKLOG_BATCH, FINISH_MAX_BATCH, FinishQueue } from './finish-queue.js';
import type { FinishedRun, FinishRunsOptions, Store } from '../stores/store.js';

const logger = pino({ level: 'silent' });

/** A store whose finishRuns fails while `down` is true and records the batches it accepted. */
function fakeStore(): { store: Store; batches: FinishedRun[][]; options: (FinishRunsOptions | undefined)[]; calls: () => number; setDown(down: boolean): void } {
  let down = false;
  let calls = 0;
  const batches: FinishedRun[][] = [];
  const options: (FinishRunsOptions | undefined)[] = [];
  const store = {
    finishRuns: async (runs: readonly FinishedRun[], opts?: FinishRunsOptions) => {
      calls += 1;
      options.push(opts);
      if (down) throw new Error('connection refused');
      batches.push([...runs]);
    },
  } as unknown as Store;
  return { store, batches, options, calls: () => calls, setDown: (d) => { down = d; } };
}

const run = (i: number): FinishedRun => ({ slot: { jobId: `j${i}`, runId: `r${i}` }, historyLimit: 10 });

describe('FinishQueue', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('sends the runs finished within flushMs in one finishRuns call, and splits at maxBatch', async () => {
    const fake = fakeStore();
    const settled: number[] = [];
    const queue = new FinishQueue({ store: fake.store, logger, flushMs: 5, minIntervalMs: 0, maxBatch: 3, onHealth: () => {}, onSettled: (n) => settled.push(n) });
    queue.push(run(1));
    queue.push(run(2));
    await vi.advanceTimersByTimeAsync(5);
    expect(fake.batches).toEqual([[run(1), run(2)]]);
    for (let i = 3; i <= 7; i++) queue.push(run(i));
    await vi.advanceTimersByTimeAsync(20);
    expect(fake.batches).toEqual([[run(1), run(2)], [run(3), run(4), run(5)], [run(6), run(7)]]);
    expect(settled).toEqual([2, 3, 2]);
  });

  it('drains a backlog (more than twice maxBatch queued) in calls of up to maxBacklogBatch', async () => {
    const fake = fakeStore();
    const queue = new FinishQueue({ store: fake.store, logger, minIntervalMs: 0, maxBatch: 2, maxBacklogBatch: 4, onHealth: () => {}, onSettled: () => {} });
    for (let i = 1; i <= 9; i++) queue.push(run(i));
    await vi.advanceTimersByTimeAsync(10);
    expect(fake.batches.map((b) => b.length)).toEqual([4, 4, 1]);
  });

  it('sends no sooner than minIntervalMs after the previous call, except after a quiet spell or for whenWritten', async () => {
    const fake = fakeStore();
    const queue = new FinishQueue({ store: fake.store, logger, minIntervalMs: 25, onHealth: () => {}, onSettled: () => {} });
    queue.push(run(1));
    await vi.advanceTimersByTimeAsync(5);
    expect(fake.batches).toEqual([[run(1)]]); // nothing sent before: at once
    queue.push(run(2));
    await vi.advanceTimersByTimeAsync(5);
    queue.push(run(3));
    await vi.advanceTimersByTimeAsync(14); // t = 24 ms
    expect(fake.batches).toEqual([[run(1)]]);
    await vi.advanceTimersByTimeAsync(1); // t = 25 ms: one call for both
    expect(fake.batches).toEqual([[run(1)], [run(2), run(3)]]);
    await vi.advanceTimersByTimeAsync(100);
    queue.push(run(4)); // after a quiet spell: at once
    await vi.advanceTimersByTimeAsync(0);
    expect(fake.batches).toHaveLength(3);
    queue.push(run(5));
    await vi.advanceTimersByTimeAsync(1);
    expect(fake.batches).toHaveLength(3);
    const written = queue.whenWritten(); // a queued occurrence waiting for this slot: at once
    await vi.advanceTimersByTimeAsync(0);
    await written;
    expect(fake.batches).toEqual([[run(1)], [run(2), run(3)], [run(4)], [run(5)]]);
  });

  it('holds finished runs while a burst is claimed: sent when the hold ends, after maxHoldMs at the latest, or for whenWritten', async () => {
    const fake = fakeStore();
    const queue = new FinishQueue({ store: fake.store, logger, minIntervalMs: 0, maxBatch: 2, maxHoldMs: 100, onHealth: () => {}, onSettled: () => {} });
    queue.hold(true);
    for (let i = 1; i <= 3; i++) queue.push(run(i));
    await vi.advanceTimersByTimeAsync(50);
    expect(fake.batches).toEqual([]); // a full batch waits too
    queue.hold(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(fake.batches).toEqual([[run(1), run(2)], [run(3)]]);

    queue.hold(true);
    queue.push(run(4));
    await vi.advanceTimersByTimeAsync(60);
    queue.hold(true); // still the same burst: the bound counts from its start
    await vi.advanceTimersByTimeAsync(39);
    expect(fake.batches).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(fake.batches.at(-1)).toEqual([run(4)]);
    queue.push(run(5)); // past the bound, the burst's runs go as usual
    await vi.advanceTimersByTimeAsync(0);
    expect(fake.batches.at(-1)).toEqual([run(5)]);
    queue.hold(false);

    queue.hold(true);
    queue.push(run(6));
    const written = queue.whenWritten(); // a queued occurrence waits for this slot: not held
    await vi.advanceTimersByTimeAsync(0);
    await written;
    expect(fake.batches.at(-1)).toEqual([run(6)]);
  });

  it('retries a failed batch with backoff until the store is back, losing and repeating nothing', async () => {
    const fake = fakeStore();
    const errors: unknown[] = [];
    let settled = 0;
    const queue = new FinishQueue({ store: fake.store, logger, flushMs: 5, maxRetryMs: 1000, onHealth: (e) => errors.push(e), onSettled: (n) => { settled += n; } });
    fake.setDown(true);
    queue.push(run(1));
    await vi.advanceTimersByTimeAsync(5);
    expect(fake.calls()).toBe(1);
    queue.push(run(2));
    // Backoff 50, 100, 200, 400, 800, 1000, 1000 ... ms: 5 more attempts in the next 1.6 s.
    await vi.advanceTimersByTimeAsync(1600);
    expect(fake.calls()).toBe(6);
    expect(settled).toBe(0);
    expect(queue.size).toBe(2);
    fake.setDown(false);
    await vi.advanceTimersByTimeAsync(1000);
    expect(fake.batches).toEqual([[run(1), run(2)]]);
    expect(settled).toBe(2);
    expect(queue.size).toBe(0);
    // Six failures, then the success that ends them (health recovers on it).
    expect(errors).toHaveLength(7);
    expect(errors.at(-1)).toBeNull();
    // Every call after a failure is a retry (the failed one may have been applied); then not.
    expect(fake.options).toEqual([undefined, ...Array.from({ length: 6 }, () => ({ retry: true }))]);
    queue.push(run(3));
    await vi.advanceTimersByTimeAsync(1000);
    expect(fake.options.at(-1)).toBeUndefined();
  });

  it('when the bound drops part of a batch in flight, the rest of that batch is not sent again', async () => {
    const sent: FinishedRun[][] = [];
    let answer: () => void = () => undefined;
    const store = {
      finishRuns: (runs: readonly FinishedRun[]) => {
        sent.push([...runs]);
        return new Promise<void>((resolve) => { answer = resolve; });
      },
    } as unknown as Store;
    let settled = 0;
    const queue = new FinishQueue({ store, logger, minIntervalMs: 0, maxQueued: 4, onHealth: () => {}, onSettled: (n) => { settled += n; } });
    for (let i = 1; i <= 3; i++) queue.push(run(i));
    await vi.advanceTimersByTimeAsync(0);
    expect(sent).toEqual([[run(1), run(2), run(3)]]);
    // While that call is in flight, three more runs push 1 and 2 out of the bound.
    for (let i = 4; i <= 6; i++) queue.push(run(i));
    expect(settled).toBe(2);
    answer();
    await vi.advanceTimersByTimeAsync(0);
    expect(settled).toBe(3);
    answer();
    await vi.advanceTimersByTimeAsync(0);
    expect(sent).toEqual([[run(1), run(2), run(3)], [run(4), run(5), run(6)]]);
    expect(settled).toBe(6);
    expect(queue.size).toBe(0);
  });

  it('is bounded: past maxQueued the oldest entries are dropped and settled; abandon drops the rest', async () => {
    const fake = fakeStore();
    let settled = 0;
    const queue = new FinishQueue({ store: fake.store, logger, flushMs: 5, maxQueued: 3, onHealth: () => {}, onSettled: (n) => { settled += n; } });
    fake.setDown(true);
    for (let i = 1; i <= 5; i++) queue.push(run(i));
    expect(queue.size).toBe(3);
    expect(settled).toBe(2);
    queue.abandon();
    expect(queue.size).toBe(0);
    expect(settled).toBe(5);
    await vi.advanceTimersByTimeAsync(5000);
    expect(fake.batches).toEqual([]);
  });

  it('whenWritten resolves once everything pushed before it is written, flushing at once', async () => {
    const fake = fakeStore();
    const queue = new FinishQueue({ store: fake.store, logger, flushMs: 50, onHealth: () => {}, onSettled: () => {} });
    await queue.whenWritten();
    queue.push(run(1));
    let written = false;
    void queue.whenWritten().then(() => { written = true; });
    await vi.advanceTimersByTimeAsync(0);
    expect(fake.batches).toEqual([[run(1)]]);
    expect(written).toBe(true);
  });

  it('by default sends at most FINISH_MAX_BATCH runs per call, a full batch at once, one after the other', async () => {
    const fake = fakeStore();
    const queue = new FinishQueue({ store: fake.store, logger, onHealth: () => {}, onSettled: () => {} });
    queue.push(run(0));
    await vi.advanceTimersByTimeAsync(0);
    // Within the min interval: a full batch goes at once, the remainder waits for the interval.
    for (let i = 1; i <= 2 * FINISH_MAX_BATCH; i++) queue.push(run(i));
    await vi.advanceTimersByTimeAsync(1);
    expect(fake.batches.map((b) => b.length)).toEqual([1, FINISH_MAX_BATCH, FINISH_MAX_BATCH]);
    for (let i = 1; i <= 10; i++) queue.push(run(i));
    await vi.advanceTimersByTimeAsync(30);
    expect(fake.batches.map((b) => b.length)).toEqual([1, FINISH_MAX_BATCH, FINISH_MAX_BATCH, 10]);
  });

  it('by default drains a backlog in calls of FINISH_MAX_BACKLOG_BATCH', async () => {
    const fake = fakeStore();
    const queue = new FinishQueue({ store: fake.store, logger, onHealth: () => {}, onSettled: () => {} });
    for (let i = 1; i <= FINISH_MAX_BACKLOG_BATCH + 2 * FINISH_MAX_BATCH; i++) queue.push(run(i));
    await vi.advanceTimersByTimeAsync(10);
    expect(fake.batches.map((b) => b.length)).toEqual([FINISH_MAX_BACKLOG_BATCH, FINISH_MAX_BATCH, FINISH_MAX_BATCH]);
  });
});
