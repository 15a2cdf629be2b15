import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { redisUnavailable, startRedisServer, type RedisServer } from '../../../../test/helpers/redis-server.js';
import { useRedisCluster } from '../../../../test/helpers/redis-cluster.js';
import { schedulerConfigSchema } from '../config/scheduler-config.js';
import { createScheduler } from './scheduler-definition.js';
import { RedisStore } from '../stores/redis/redis-store.js';
import { Scheduler } from './scheduler.js';
import type { JobContext } from './scheduler-service.js';

const logger = pino({ level: 'silent' });
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(redisUnavailable())('Scheduler on a shared RedisStore (two processes in one)', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  function pair(prefix: string): Scheduler[] {
    return ['p1', 'p2'].map((owner) => new Scheduler({ store: new RedisStore({ url: redis.url, prefix }), logger, owner, leaseMs: 5_000, pollMs: 1_000 }));
  }

  it('fires each occurrence once across both, none missing', async () => {
    const schedulers = pair(`t-${randomUUID().slice(0, 8)}`);
    const ledger: string[] = [];
    for (const [i, s] of schedulers.entries()) {
      const fn = (ctx: JobContext): void => void ledger.push(`${ctx.jobId}@${ctx.scheduledAt.getTime()}#${i}`);
      for (let j = 0; j < 20; j++) await s.addJob(fn, { id: `job-${j}`, every: 200 });
    }
    for (const s of schedulers) s.startFiring();
    await sleep(2_100);
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
    await sleep(1_600);
    for (const s of schedulers) await s.stop({ deadlineMs: 1_000 });
    expect(peak).toBe(1);
    expect(runs).toBeGreaterThanOrEqual(2);
    const history = await schedulers[0]!.history('slow', { limit: 50 });
    expect(history.filter((r) => r.status === 'skipped').length).toBeGreaterThan(0);
    for (const s of schedulers) await s.dispose();
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
