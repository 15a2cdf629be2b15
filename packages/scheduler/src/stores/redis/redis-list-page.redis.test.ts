/**
 * `RedisStore.listPage` beyond the contract: the id index rebuilt when it is missing or out of
 * step (data written before it existed), and the bound on ids one call examines.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisUnavailable, startRedisServer, type RedisServer } from '../../../../../test/helpers/redis-server.js';
import { scheduleHash } from '../schedule-hash.js';
import type { ScheduleDefinition } from '../store.js';
import { RedisStore } from './redis-store.js';

const definition = (id: string, owner = 'a'): ScheduleDefinition => ({
  id,
  owner,
  trigger: { type: 'interval', everyMs: 60_000 },
  policy: { misfireGraceTimeMs: null, coalesce: 'latest', maxCatchUp: 10, maxInstances: 1, overlap: 'skip', jitterMs: 0, timeoutMs: null, retries: 0, retryDelayMs: 1000, recover: false },
  args: [],
});

describe.skipIf(redisUnavailable())('RedisStore.listPage', () => {
  let server: RedisServer;
  let admin: Redis;
  let store: RedisStore;

  beforeAll(async () => {
    server = await startRedisServer();
    admin = new Redis(server.url);
    store = new RedisStore({ url: server.url, prefix: `lp-${randomUUID()}` });
    const now = await store.now();
    for (let i = 0; i < 1500; i++) {
      const d = definition(`job-${String(i).padStart(4, '0')}`, i === 1499 ? 'last' : 'a');
      await store.upsert({ definition: d, hash: scheduleHash(d), nextRunAt: now + 60_000, anchor: now, replaceExisting: false });
    }
  });
  afterAll(async () => {
    await store?.close();
    admin?.disconnect();
    await server?.stop();
  });

  it('rebuilds the id index from {p}:all when it is missing or its size differs', async () => {
    await admin.del(store.keys.ids);
    expect((await store.listPage(null, 3)).items.map((s) => s.definition.id)).toEqual(['job-0000', 'job-0001', 'job-0002']);
    expect(await admin.zcard(store.keys.ids)).toBe(1500);
    await admin.zrem(store.keys.ids, 'job-0001');
    expect((await store.listPage('job-0000', 1)).items.map((s) => s.definition.id)).toEqual(['job-0001']);
  });

  it('reports runs in progress in any process: the job\'s counted run slots whose lease has not expired', async () => {
    const now = await store.now();
    await store.acquireSlot({ jobId: 'job-0007', runId: 'r1', scheduledAt: now, owner: 'other-process', leaseUntil: now + 60_000 }, 5);
    await store.acquireSlot({ jobId: 'job-0007', runId: 'r2', scheduledAt: now, owner: 'other-process', leaseUntil: now + 60_000 }, 5);
    const [item] = (await store.listPage('job-0006', 1)).items;
    expect(item).toMatchObject({ definition: { id: 'job-0007' }, running: 2 });
    let running = 0;
    for (let after: string | null = null, first = true; first || after !== null; first = false) {
      const counts = await store.countSchedules(after);
      running += counts.running ?? 0;
      after = counts.next;
    }
    expect(running).toBe(2);
    await store.releaseSlot('job-0007', 'r1');
    await store.releaseSlot('job-0007', 'r2');
  });

  it('examines at most 1,000 ids per call: a filter that matches little returns what it found and where to go on', async () => {
    const first = await store.listPage(null, 10, { owner: 'last' });
    expect(first).toEqual({ items: [], next: 'job-0999' });
    const second = await store.listPage(first.next, 10, { owner: 'last' });
    expect(second.items.map((s) => s.definition.id)).toEqual(['job-1499']);
    expect(second.next).toBeNull();
  });
});
