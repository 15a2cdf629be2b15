/**
 * RedisStore when Redis forgets, stalls or holds foreign data: a claim whose answer was lost,
 * the namespace's generation after its data is lost, evicted schedules, keys of the wrong type,
 * and the `connected` hint after a reconnection.
 */
import { describe, expect, it, vi } from 'vitest';
import { redisUnavailable, startRedisServer } from '../../../../../test/helpers/redis-server.js';
import { scheduleHash } from '../schedule-hash.js';
import type { StoreChange } from '../store.js';
import { RedisStore } from './redis-store.js';
import type { RedisStoreOptions } from './redis-store-options.js';
import { add, definition, useRedisStores } from './redis-store.fixtures.js';

/** A store logger that keeps what it logs at error level. */
function errorLog(lines: { obj: Record<string, unknown>; msg: string }[]): NonNullable<RedisStoreOptions['logger']> {
  return { error: (obj, msg) => void lines.push({ obj: obj as Record<string, unknown>, msg }), warn: () => {}, debug: () => {} };
}

describe.skipIf(redisUnavailable({ needBinary: true }))('RedisStore when Redis forgets, stalls or holds foreign data', () => {
  const { open, admin, server } = useRedisStores((s) => s.thaw());

  it('takes back a claim whose answer was lost at the same owner\'s next claim, instead of leaving it leased', async () => {
    const store = open({ commandTimeoutMs: 300 });
    const now = await store.now();
    expect((await store.claimBatch('p', 60_000, 10)).claims).toEqual([]); // loads the script
    await add(store, 'held', now - 10);
    server().freeze();
    // Sent while Redis is stopped: it times out here, and Redis runs it when it wakes.
    await expect(store.claimBatch('p', 60_000, 10)).rejects.toMatchObject({ code: 'XCORE_ERR_REDIS_UNAVAILABLE' });
    server().thaw();
    await vi.waitFor(async () => expect(await admin().hget(store.keys.schedule('held'), 'cowner')).toBe('p'));
    // Another owner cannot have it (leased for a minute); its owner gets it back at once.
    expect((await store.claimBatch('q', 60_000, 10)).claims).toEqual([]);
    const again = await store.claimBatch('p', 60_000, 10);
    expect(again.claims.map((c) => c.schedule.definition.id)).toEqual(['held']);
    expect(again.claims[0]!.token).toBe(2);
    const [result] = await store.commit('p', [{ id: 'held', token: 2, fire: [now - 10], missedCount: 0, nextRunAt: now + 60_000 }]);
    expect(result).toEqual({ id: 'held', ok: true, accepted: [now - 10] });
    // Committed claims leave the owner's claim set: nothing is taken back twice.
    expect(await admin().exists(store.keys.ownerClaims('p'))).toBe(0);
  });

  it('reports its generation with each claim: written with the first schedule, empty once the data is lost, new after a restore', async () => {
    const store = open();
    expect((await store.claimBatch('p', 1000, 10)).generation).toBe('');
    const now = await store.now();
    await add(store, 'kept', now + 60_000);
    const first = (await store.claimBatch('p', 1000, 10)).generation;
    expect(first).toMatch(/^\d+\.\d+$/);
    const keys = await admin().keys(`${store.keys.tag}:*`);
    await admin().del(...keys);
    expect((await store.claimBatch('p', 1000, 10)).generation).toBe('');
    const d = definition('kept');
    const restored = await store.restore([{ definition: d, hash: scheduleHash(d), nextRunAt: now + 60_000, anchor: now }]);
    expect(restored.created).toEqual(['kept']);
    expect(restored.generation).toMatch(/^\d+\.\d+$/);
    expect(restored.generation).not.toBe(first);
    expect((await store.claimBatch('p', 1000, 10)).generation).toBe(restored.generation);
  });

  it('names the due schedules whose hash was evicted, once, as lost', async () => {
    const store = open();
    const now = await store.now();
    await add(store, 'evicted', now - 10);
    await add(store, 'fine', now - 5);
    await admin().del(store.keys.schedule('evicted'));
    const batch = await store.claimBatch('p', 60_000, 10);
    expect(batch.claims.map((c) => c.schedule.definition.id)).toEqual(['fine']);
    expect(batch.lost).toEqual(['evicted']);
    expect((await store.claimBatch('p', 60_000, 10)).lost).toBeUndefined();
  });

  it('refuses, before writing anything, a call whose shared key holds the wrong type, naming the key', async () => {
    const store = open();
    const now = await store.now();
    await add(store, 'job', now - 10);
    await admin().set(store.keys.slots, 'x');
    const [claim] = await store.claimDue('p', 60_000, 10);
    const before = await admin().hgetall(store.keys.schedule('job'));
    const item = { id: 'job', token: claim!.token, fire: [now - 10], missedCount: 0, nextRunAt: now + 1000, slots: { max: 1, leaseMs: 60_000 } };
    await expect(store.commit('p', [item])).rejects.toMatchObject({
      code: 'XCORE_ERR_REDIS_KEY_TYPE', key: store.keys.slots, message: expect.stringContaining(`key "${store.keys.slots}" holds a string where the store keeps a sorted set`),
    });
    expect(await admin().hgetall(store.keys.schedule('job'))).toEqual(before);
    for (const call of [
      () => store.finishRuns([{ slot: { jobId: 'job', runId: 'r' }, historyLimit: 5 }]),
      () => store.acquireSlot({ jobId: 'job', runId: 'r', scheduledAt: now, owner: 'p', leaseUntil: now + 1000 }, 1),
      () => store.renewSlots('p', [{ jobId: 'job', runId: 'r' }], 1000),
      () => store.reapExpiredSlots(10),
    ]) {
      await expect(call()).rejects.toMatchObject({ code: 'XCORE_ERR_REDIS_KEY_TYPE', key: store.keys.slots });
    }
    await admin().del(store.keys.slots);
    await admin().set(store.keys.due, 'x');
    await expect(store.upsert({ definition: definition('new'), hash: 'h', nextRunAt: now, anchor: now, replaceExisting: false }))
      .rejects.toMatchObject({ code: 'XCORE_ERR_REDIS_KEY_TYPE', key: store.keys.due });
    expect(await admin().exists(store.keys.schedule('new'))).toBe(0);
    await expect(store.pause('job')).rejects.toMatchObject({ code: 'XCORE_ERR_REDIS_KEY_TYPE', key: store.keys.due });
    expect(await admin().hget(store.keys.schedule('job'), 'paused')).toBe('0');
    // Plain reads name the key too.
    await expect(store.nextWakeup()).rejects.toMatchObject({ code: 'XCORE_ERR_REDIS_KEY_TYPE', key: store.keys.due });
    await admin().set(store.keys.history('job'), 'x');
    await expect(store.history('job', 5)).rejects.toMatchObject({ code: 'XCORE_ERR_REDIS_KEY_TYPE', key: store.keys.history('job') });
  });

  it('a job\'s own key of the wrong type costs that job only, and is logged once', async () => {
    const lines: { obj: Record<string, unknown>; msg: string }[] = [];
    const store = open({ logger: errorLog(lines) });
    const now = await store.now();
    for (const id of ['a', 'b', 'c']) await add(store, id, now - 10);
    await admin().set(store.keys.schedule('a'), 'x'); // unreadable schedule
    await admin().set(store.keys.jobSlots('b'), 'x'); // slot set of another type
    const claims = await store.claimDue('p', 60_000, 10);
    expect(claims.map((c) => c.schedule.definition.id).sort()).toEqual(['b', 'c']);
    const results = await store.commit('p', claims.map((c) => ({
      id: c.schedule.definition.id, token: c.token, fire: [now - 10], missedCount: 0, nextRunAt: now + 60_000, slots: { max: 1, leaseMs: 60_000 },
    })));
    const byId = Object.fromEntries(results.map((r) => [r.id, r]));
    expect(byId['b']).toEqual({ id: 'b', ok: false, reason: 'corrupt' });
    expect(byId['c']).toEqual({ id: 'c', ok: true, accepted: [now - 10], runs: [{ runId: `${now - 10}@p`, slotted: true }] });
    expect(await admin().hget(store.keys.schedule('b'), 'runs')).toBe('0');

    // A history list of another type: the record is dropped, the slot freed, the rest written.
    await admin().set(store.keys.history('c'), 'x');
    const record = { jobId: 'c', scheduledAt: now - 10, startedAt: now, finishedAt: now + 1, status: 'succeeded' as const, attempts: 1 };
    await store.finishRuns([{ slot: { jobId: 'c', runId: `${now - 10}@p` }, record, historyLimit: 5 }]);
    await store.finishRuns([{ record: { ...record, scheduledAt: now }, historyLimit: 5 }], { retry: true });
    expect(await admin().zcard(store.keys.slots)).toBe(0);
    expect(await admin().get(store.keys.history('c'))).toBe('x');
    expect((await store.get('c'))?.state.lastRun).toBeNull();

    const named = lines.map((l) => l.obj['key']);
    expect(named.sort()).toEqual([store.keys.schedule('a'), store.keys.jobSlots('b'), store.keys.history('c')].sort());
    for (const line of lines) expect(line.obj['err']).toMatchObject({ code: 'XCORE_ERR_REDIS_KEY_TYPE' });
  });

  it('tells its listeners when its connection comes back after Redis restarted', async () => {
    const own = await startRedisServer();
    const store = new RedisStore({ url: own.url, prefix: 'connected' });
    try {
      const changes: StoreChange[] = [];
      store.onChange((c) => changes.push(c));
      await store.now();
      expect(changes).toEqual([]);
      await own.restart();
      await vi.waitFor(() => expect(changes).toContainEqual({ kind: 'connected' }), { timeout: 5_000 });
    } finally {
      await store.close();
      await own.stop();
    }
  });
});
