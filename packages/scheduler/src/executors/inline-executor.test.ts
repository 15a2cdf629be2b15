import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import pino from 'pino';
import { InlineExecutor, type ExecutionRequest } from './inline-executor.js';
import type { SchedulePolicy } from '../stores/store.js';
import type { JobContext } from '../service/scheduler-service.js';
import { JobAbortedError } from '../errors.js';

const logger = pino({ level: 'silent' });
const T0 = Date.parse('2026-03-01T00:00:00.000Z');
const DAY = 86_400_000;

function policy(over: Partial<SchedulePolicy> = {}): SchedulePolicy {
  return {
    misfireGraceTimeMs: null, coalesce: 'latest', maxCatchUp: 10, maxInstances: 1, overlap: 'skip',
    jitterMs: 0, timeoutMs: null, retries: 0, retryDelayMs: 1000, recover: false, ...over,
  };
}

function request(fn: (ctx: JobContext) => unknown, over: Partial<SchedulePolicy> = {}): ExecutionRequest {
  return { jobId: 'j', owner: 'app', fn, args: ['a', 1], policy: policy(over), scheduledAt: T0 };
}

describe('InlineExecutor', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(T0);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('passes the run context: job id, scheduledAt, attempt, args, a signal and a job logger', async () => {
    const executor = new InlineExecutor({ logger, backoff: () => 0 });
    let seen: { jobId: string; scheduledAt: string; attempt: number; args: readonly unknown[]; aborted: boolean; bindings: unknown } | undefined;
    const outcome = await executor.execute(request((ctx) => {
      seen = { jobId: ctx.jobId, scheduledAt: ctx.scheduledAt.toISOString(), attempt: ctx.attempt, args: ctx.args, aborted: ctx.signal.aborted, bindings: ctx.logger.bindings() };
    }));
    expect(outcome).toEqual({ status: 'succeeded', attempts: 1, startedAt: T0, finishedAt: T0 });
    expect(seen).toEqual({ jobId: 'j', scheduledAt: '2026-03-01T00:00:00.000Z', attempt: 1, args: ['a', 1], aborted: false, bindings: { job: 'j', attempt: 1 } });
  });

  it('records a sync throw and a rejection as failed, without unhandled rejections', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const executor = new InlineExecutor({ logger, backoff: () => 0 });
      const sync = await executor.execute(request(() => {
        throw new Error('sync boom');
      }));
      const rejected = await executor.execute(request(async () => {
        throw new Error('async boom');
      }));
      const thenable = await executor.execute(request(() => ({ then: (_ok: unknown, fail: (e: unknown) => void) => fail('thenable boom') })));
      await vi.advanceTimersByTimeAsync(0);
      expect([sync.status, (sync.error as Error).message]).toEqual(['failed', 'sync boom']);
      expect([rejected.status, (rejected.error as Error).message]).toEqual(['failed', 'async boom']);
      expect([thenable.status, thenable.error]).toEqual(['failed', 'thenable boom']);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('aborts the signal with XCORE_ERR_JOB_TIMEOUT at the timeout and records timed_out', async () => {
    const executor = new InlineExecutor({ logger, backoff: () => 0 });
    let signal: AbortSignal | undefined;
    const run = executor.execute(request((ctx) => {
      signal = ctx.signal;
      return new Promise(() => undefined); // ignores its signal and never settles
    }, { timeoutMs: 1500 }));
    await vi.advanceTimersByTimeAsync(1499);
    expect(signal?.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    const outcome = await run;
    expect(outcome.status).toBe('timed_out');
    expect(outcome.finishedAt - outcome.startedAt).toBe(1500);
    expect(signal?.aborted).toBe(true);
    expect((signal?.reason as { code: string }).code).toBe('XCORE_ERR_JOB_TIMEOUT');
  });

  it('honours a run timeout past 2^31-1 ms: a 30-day timeout fires at 30 days, not at once', async () => {
    const executor = new InlineExecutor({ logger, backoff: () => 0 });
    let signal: AbortSignal | undefined;
    const run = executor.execute(request((ctx) => {
      signal = ctx.signal;
      return new Promise(() => undefined);
    }, { timeoutMs: 30 * DAY }));
    const settled = vi.fn();
    void run.then(settled);
    await vi.advanceTimersByTimeAsync(30 * DAY - 1);
    expect([settled.mock.calls.length, signal?.aborted]).toEqual([0, false]);
    await vi.advanceTimersByTimeAsync(1);
    const outcome = await run;
    expect([outcome.status, outcome.finishedAt - outcome.startedAt, signal?.aborted]).toEqual(['timed_out', 30 * DAY, true]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('retries a failing job with the backoff delays and counts attempts', async () => {
    const starts: number[] = [];
    const backoff = vi.fn((attempt: number, base: number) => base * 2 ** (attempt - 1));
    const executor = new InlineExecutor({ logger, backoff });
    const run = executor.execute(request((ctx) => {
      starts.push(Date.now() - T0);
      if (ctx.attempt < 3) throw new Error(`fail ${ctx.attempt}`);
    }, { retries: 3, retryDelayMs: 1000 }));
    await vi.advanceTimersByTimeAsync(10_000);
    const outcome = await run;
    expect(outcome).toEqual({ status: 'succeeded', attempts: 3, startedAt: T0, finishedAt: T0 + 3000 });
    expect(starts).toEqual([0, 1000, 3000]);
    expect(backoff.mock.calls).toEqual([[1, 1000], [2, 1000]]);
  });

  it('gives up after the last retry with the last error', async () => {
    const executor = new InlineExecutor({ logger, backoff: () => 500 });
    const run = executor.execute(request((ctx) => {
      throw new Error(`fail ${ctx.attempt}`);
    }, { retries: 2 }));
    await vi.advanceTimersByTimeAsync(5_000);
    const outcome = await run;
    expect([outcome.status, outcome.attempts, (outcome.error as Error).message, outcome.finishedAt - T0]).toEqual(['failed', 3, 'fail 3', 1000]);
  });

  it('waits a retry backoff past 2^31-1 ms in full: a 30-day backoff retries at 30 days', async () => {
    const starts: number[] = [];
    const executor = new InlineExecutor({ logger, backoff: () => 30 * DAY });
    const run = executor.execute(request(() => {
      starts.push(Date.now() - T0);
      throw new Error('nope');
    }, { retries: 1 }));
    await vi.advanceTimersByTimeAsync(30 * DAY - 1);
    expect(starts).toEqual([0]);
    await vi.advanceTimersByTimeAsync(1);
    const outcome = await run;
    expect(starts).toEqual([0, 30 * DAY]);
    expect([outcome.status, outcome.attempts, outcome.finishedAt - T0]).toEqual(['failed', 2, 30 * DAY]);
  });

  it('abortAll aborts the running attempt and a pending retry wait, recording aborted', async () => {
    const executor = new InlineExecutor({ logger, backoff: () => 60_000 });
    let signal: AbortSignal | undefined;
    const running = executor.execute(request((ctx) => {
      signal = ctx.signal;
      return new Promise(() => undefined);
    }));
    const waiting = executor.execute({ ...request(() => {
      throw new Error('x');
    }, { retries: 5 }), jobId: 'w' });
    await vi.advanceTimersByTimeAsync(10);
    expect(executor.running.size).toBe(2);
    const n = executor.abortAll(new JobAbortedError('shutdown'));
    expect(n).toBe(2);
    const [a, b] = await Promise.all([running, waiting]);
    expect([a.status, a.attempts, b.status, b.attempts]).toEqual(['aborted', 1, 'aborted', 1]);
    expect((signal?.reason as Error).message).toBe('shutdown');
    expect(executor.running.size).toBe(0);
  });
  it('reads the clock once per run while chained: a run started right after a synchronous one starts at its end', async () => {
    let t = T0;
    const clock = vi.fn(() => (t += 5));
    const executor = new InlineExecutor({ logger, backoff: () => 0, clock });
    const definition = { id: 'j', owner: 'app', trigger: { type: 'interval' as const, everyMs: 1000 }, policy: policy(), args: [] };
    const times: [number, number][] = [];
    const start = (fn: () => unknown): void => {
      const outcome = executor.start(definition, { fn }, T0);
      if (!(outcome instanceof Promise)) times.push([outcome.startedAt, outcome.finishedAt]);
    };
    executor.chained(() => {
      start(() => {});
      start(() => {});
      executor.unchain();
      start(() => {});
      // A run that does not end synchronously breaks the chain for the next one.
      start(async () => {});
      start(() => {});
    });
    start(() => {});
    // The async run starts at T0 + 25 (chained) and reads nothing more until it ends.
    expect(times).toEqual([[T0 + 5, T0 + 10], [T0 + 10, T0 + 15], [T0 + 20, T0 + 25], [T0 + 30, T0 + 35], [T0 + 40, T0 + 45]]);
    await vi.advanceTimersByTimeAsync(0);
    // 2 + 1 + 2 + 0 + 2 + 2 reads, then the async run's end.
    expect(clock).toHaveBeenCalledTimes(10);
  });
});
