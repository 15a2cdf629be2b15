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

  it('indexes a schedule restore puts back at once, as upsert does (no rebuild needed)', async () => {
    const now = await store.now();
    await store.listPage(null, 1); // the index is in step with {p}:all
    await store.remove('job-0042');
    expect(await admin.zscore(store.keys.ids, 'job-0042')).toBeNull();
    const d = definition('job-0042');
    expect((await store.restore([{ definition: d, hash: scheduleHash(d), nextRunAt: now + 60_000, anchor: now }])).created).toEqual(['job-0042']);
    expect(await admin.zscore(store.keys.ids, 'job-0042')).toBe('0');
    expect(await admin.zcard(store.keys.ids)).toBe(await admin.zcard(store.keys.all));
  });

  it('refuses, before writing anything, to create, restore or remove a schedule while {p}:ids holds another type, naming it', async () => {
    const other = new RedisStore({ url: server.url, prefix: `lp-${randomUUID()}` });
    try {
      const now = await other.now();
      const kept = definition('kept');
      await other.upsert({ definition: kept, hash: scheduleHash(kept), nextRunAt: now + 60_000, anchor: now, replaceExisting: false });
      await admin.del(other.keys.ids);
      await admin.set(other.keys.ids, 'x');
      const d = definition('new');
      const keyType = { code: 'XCORE_ERR_REDIS_KEY_TYPE', key: other.keys.ids };
      await expect(other.upsert({ definition: d, hash: scheduleHash(d), nextRunAt: now + 60_000, anchor: now, replaceExisting: false })).rejects.toMatchObject(keyType);
      await expect(other.restore([{ definition: d, hash: scheduleHash(d), nextRunAt: now + 60_000, anchor: now }])).rejects.toMatchObject(keyType);
      await expect(other.remove('kept')).rejects.toMatchObject(keyType);
      await expect(other.listPage(null, 10)).rejects.toMatchObject(keyType);
      await expect(other.countSchedules(null)).rejects.toMatchObject(keyType);
      expect(await admin.exists(other.keys.schedule('new'))).toBe(0);
      expect(await admin.zrange(other.keys.all, '0', '-1')).toEqual(['kept']);
      expect(await admin.exists(other.keys.schedule('kept'))).toBe(1);
      await admin.del(other.keys.ids);
      expect((await other.listPage(null, 10)).items.map((s) => s.definition.id)).toEqual(['kept']);
    } finally {
      await other.close();
    }
  });

  it('names a schedule hash of another type when a listing or a count meets it; a slot set of another type counts no runs', async () => {
    const other = new RedisStore({ url: server.url, prefix: `lp-${randomUUID()}` });
    try {
      const now = await other.now();
      for (const id of ['a', 'b']) {
        const d = definition(id);
        await other.upsert({ definition: d, hash: scheduleHash(d), nextRunAt: now + 60_000, anchor: now, replaceExisting: false });
      }
      await admin.set(other.keys.jobSlots('a'), 'x');
      expect((await other.listPage(null, 10)).items.map((s) => [s.definition.id, s.running])).toEqual([['a', 0], ['b', 0]]);
      expect(await other.countSchedules(null)).toMatchObject({ schedules: 2, running: 0 });
      await admin.del(other.keys.schedule('b'));
      await admin.set(other.keys.schedule('b'), 'x');
      const keyType = { code: 'XCORE_ERR_REDIS_KEY_TYPE', key: other.keys.schedule('b') };
      await expect(other.listPage(null, 10)).rejects.toMatchObject(keyType);
      await expect(other.countSchedules(null)).rejects.toMatchObject(keyType);
    } finally {
      await other.close();
    }
  });

  it('refuses run requests and presence calls whose keys hold another type, naming the key, before writing anything', async () => {
    const other = new RedisStore({ url: server.url, prefix: `lp-${randomUUID()}` });
    const k = other.keys;
    const info = { host: 'h', pid: 1, since: 0, plugins: [], jobs: [], jobsTruncated: false };
    try {
      await admin.set(k.runRequests, 'x');
      await expect(other.requestRun({ requestId: 'r1', jobId: 'job', requestedBy: 'op', ttlMs: 60_000 })).rejects.toMatchObject({ code: 'XCORE_ERR_REDIS_KEY_TYPE', key: k.runRequests });
      expect(await admin.exists(`${k.runRequestPrefix}r1`)).toBe(0);
      await expect(other.pendingRunRequests(10)).rejects.toMatchObject({ code: 'XCORE_ERR_REDIS_KEY_TYPE', key: k.runRequests });
      await admin.del(k.runRequests);
      await admin.hset(`${k.runRequests}-seq`, 'f', 'v');
      await expect(other.requestRun({ requestId: 'r1', jobId: 'job', requestedBy: 'op', ttlMs: 60_000 })).rejects.toMatchObject({ code: 'XCORE_ERR_REDIS_KEY_TYPE', key: `${k.runRequests}-seq` });
      expect(await admin.exists(`${k.runRequestPrefix}r1`)).toBe(0);
      await admin.del(`${k.runRequests}-seq`);
      // A request whose hash was overwritten with another type: taken by nobody, dropped from the pending set.
      await other.requestRun({ requestId: 'r2', jobId: 'job', requestedBy: 'op', ttlMs: 60_000 });
      await admin.del(`${k.runRequestPrefix}r2`);
      await admin.set(`${k.runRequestPrefix}r2`, 'x');
      await expect(other.takeRunRequest('p', 'r2')).rejects.toMatchObject({ code: 'XCORE_ERR_REDIS_KEY_TYPE', key: `${k.runRequestPrefix}r2` });
      expect(await admin.zscore(k.runRequests, 'r2')).not.toBeNull();
      expect(await other.pendingRunRequests(10)).toEqual([]);
      expect(await admin.zscore(k.runRequests, 'r2')).toBeNull();
      await expect(other.runRequest('r2')).rejects.toMatchObject({ code: 'XCORE_ERR_REDIS_KEY_TYPE', key: `${k.runRequestPrefix}r2` });
      await admin.set(k.processInfo, 'x');
      await expect(other.announce('p', info, 60_000)).rejects.toMatchObject({ code: 'XCORE_ERR_REDIS_KEY_TYPE', key: k.processInfo });
      expect(await admin.exists(k.processes)).toBe(0);
      await expect(other.processes()).rejects.toMatchObject({ code: 'XCORE_ERR_REDIS_KEY_TYPE', key: k.processInfo });
      await expect(other.leave('p')).rejects.toMatchObject({ code: 'XCORE_ERR_REDIS_KEY_TYPE', key: k.processInfo });
      await admin.del(k.processInfo);
      await other.announce('p', info, 60_000);
      expect((await other.processes()).map((p) => p.owner)).toEqual(['p']);
    } finally {
      await other.close();
    }
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
