/**
 * A CPU-bound job on the `thread` executor leaves the event loop to everything else: inline jobs
 * keep their lateness and (on Redis) run leases keep being renewed. Bounds are generous: the
 * machine runs other suites at the same time; the exact figures are in bench/executors.mjs.
 */
import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { randomUUID } from 'node:crypto';
import { redisUnavailable, useRedisServer } from '../../../../test/helpers/redis-server.js';
import { MemoryStore } from '../stores/memory-store.js';
import { RedisStore } from '../stores/redis/redis-store.js';
import { Scheduler } from '../service/scheduler.js';
import type { Store } from '../stores/store.js';

const JOBS = new URL('./fixtures/executor-jobs.mjs', import.meta.url);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function p99(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))] ?? 0;
}

/**
 * p99 lateness (startedAt - scheduledAt) of 1,000 inline 1 s interval jobs over `ms`, with `during`
 * started first (coalesce: all, so an occurrence a blocked loop delayed is counted, not merged).
 */
async function inlineLateness(store: Store, during: (s: Scheduler) => Promise<void>, ms = 3_000, lines?: string[]): Promise<number> {
  const logger = pino({ level: 'warn' }, { write: (line: string) => void lines?.push(line) });
  const s = new Scheduler({ store, logger, leaseMs: 1_000 });
  try {
    const late: number[] = [];
    let measuring = false;
    s.onRunFinished(({ record }) => {
      if (measuring && record.jobId.startsWith('tick-') && record.startedAt !== null) late.push(record.startedAt - record.scheduledAt);
    });
    for (let i = 0; i < 1_000; i++) await s.addJob(() => undefined, { id: `tick-${i}`, every: 1_000, historyLimit: 0, coalesce: 'all' });
    s.startFiring();
    await sleep(1_500);
    measuring = true;
    await during(s);
    await sleep(ms);
    measuring = false;
    expect(late.length).toBeGreaterThan(1_000);
    return p99(late);
  } finally {
    await s.stop({ deadlineMs: 0 });
    await s.dispose();
  }
}

/** Adds a 3 s CPU-bound job on `executor` and waits until it runs. */
const cpuJob = (executor: 'thread' | 'inline') => async (s: Scheduler): Promise<void> => {
  await s.addJob({ id: 'cpu', runDate: Date.now() + 10, executor, module: JOBS, export: 'busy', args: [3_000] });
  const deadline = Date.now() + 10_000;
  while (!s.runningJobs().includes('cpu') && Date.now() < deadline) await sleep(5);
};

describe('a 3 s CPU-bound job on the thread executor', () => {
  it('keeps the p99 lateness of 1,000 inline interval jobs within 2x of their lateness with no CPU job', async () => {
    const base = await inlineLateness(new MemoryStore(), async () => undefined);
    const withCpu = await inlineLateness(new MemoryStore(), cpuJob('thread'));
    // The same 3 s job on the event loop delays the runs it blocks by up to 3 s (p99 past 2 s). 2x,
    // or 500 ms over the baseline, tells the two apart on a shared 2-core machine running other
    // suites (100 ms over failed once there: 206 ms against a 100 ms baseline).
    expect(withCpu).toBeLessThanOrEqual(Math.max(2 * base, base + 500));
  }, 60_000);

  describe.skipIf(redisUnavailable())('on Redis', () => {
    const redis = useRedisServer();

    it('renews run leases (leaseMs 1 s) in time while the job runs, loses none, and the job succeeds', async () => {
      const lines: string[] = [];
      const store = new RedisStore({ url: redis().url, prefix: `cpu-${randomUUID().slice(0, 8)}` });
      const renewals: number[] = [];
      const renew = store.renewSlots.bind(store);
      store.renewSlots = (...args: Parameters<Store['renewSlots']>) => {
        renewals.push(Date.now());
        return renew(...args);
      };
      let status: string | undefined;
      await inlineLateness(store, async (s) => {
        s.onRunFinished(({ record }) => {
          if (record.jobId === 'cpu') status = record.status;
        });
        await cpuJob('thread')(s);
        while (status === undefined) await sleep(50);
      }, 500, lines);
      expect(status).toBe('succeeded');
      expect(lines.filter((line) => line.includes('lease lost'))).toEqual([]);
      // The job's own lease was renewed at least every lease (a blocked loop would leave a 3 s gap).
      const gaps = renewals.slice(1).map((t, i) => t - renewals[i]!);
      expect(renewals.length).toBeGreaterThan(3);
      expect(Math.max(...gaps)).toBeLessThan(1_000);
    }, 60_000);
  });
});
