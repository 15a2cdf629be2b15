import { randomUUID } from 'node:crypto';
import { Cluster, Redis } from 'ioredis';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { useRedisCluster } from '../../../../../test/helpers/redis-cluster.js';
import { freePort, hasRedisServerBinary, redisUnavailable, startRedisServer, type RedisServer } from '../../../../../test/helpers/redis-server.js';
import { describeStoreContract } from '../store-contract.js';
import type { StoreChange } from '../store.js';
import { RedisStore } from './redis-store.js';
import { loadScripts } from './scripts.js';
import { scheduleHash } from '../schedule-hash.js';
import { add, definition, useRedisStores } from './redis-store.fixtures.js';

const skipServer = redisUnavailable();

/** The names of the commands `client` sends from now on, in order (an array to reset and read). */
function recordCommands(client: Redis): string[] {
  const sent: string[] = [];
  const send = client.sendCommand.bind(client);
  client.sendCommand = ((command, stream) => {
    sent.push(command.name);
    return send(command, stream);
  }) as typeof client.sendCommand;
  return sent;
}
const skipCluster = skipServer || redisUnavailable({ needBinary: true });

describe.skipIf(skipServer)('RedisStore on one redis-server', () => {
  const suite = useRedisStores();
  const open = suite.open;
  let admin: Redis;
  let server: RedisServer;
  beforeAll(() => {
    admin = suite.admin();
    server = suite.server();
  });

  describeStoreContract('RedisStore', async () => {
    const store = new RedisStore({ url: suite.server().url, prefix: `c-${randomUUID()}` });
    return { store, teardown: () => store.close() };
  });

  it('reloads its scripts after SCRIPT FLUSH (NOSCRIPT) and keeps working', async () => {
    const store = open();
    const now = await store.now();
    await add(store, 'flush', now - 1);
    const sha = loadScripts()['claim-due-3'].sha;
    await store.claimDue('p', 1000, 10);
    expect(await admin.script('EXISTS', sha)).toEqual([1]);
    await admin.script('FLUSH');
    expect(await admin.script('EXISTS', sha)).toEqual([0]);
    await store.setNextRunAt('flush', now - 1);
    const claims = await store.claimDue('p', 1000, 10);
    expect(claims.map((c) => c.schedule.definition.id)).toEqual(['flush']);
    expect(await admin.script('EXISTS', sha)).toEqual([1]);
  });

  it('uses Redis TIME as its clock, not the process clock', async () => {
    const store = open();
    await store.now();
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2001-02-03T04:05:06Z') });
    try {
      const [sec, usec] = await admin.time();
      const before = Number(sec) * 1000 + Math.floor(Number(usec) / 1000);
      const now = await store.now();
      await add(store, 'clock', now - 1);
      const [claim] = await store.claimDue('p', 30_000, 1);
      const [sec2, usec2] = await admin.time();
      const after = Number(sec2) * 1000 + Math.floor(Number(usec2) / 1000);
      expect(Date.now()).toBe(Date.parse('2001-02-03T04:05:06Z'));
      expect(now).toBeGreaterThanOrEqual(before);
      expect(now).toBeLessThanOrEqual(after);
      expect(claim!.leaseUntil - 30_000).toBeGreaterThanOrEqual(now);
      expect(claim!.leaseUntil - 30_000).toBeLessThanOrEqual(after);
      expect((await store.get('clock'))!.state.createdAt).toBeGreaterThanOrEqual(before);
    } finally {
      vi.useRealTimers();
    }
  });

  it('claims and commits a batch of 200 schedules with one EVALSHA each', async () => {
    const store = open();
    const now = await store.now();
    for (let i = 0; i < 200; i++) await add(store, `batch-${i}`, now - 1000 + i);
    const evalshaCalls = async (): Promise<number> => {
      const info = await admin.info('commandstats');
      return Number(/cmdstat_evalsha:calls=(\d+)/.exec(info)?.[1] ?? 0);
    };
    await store.now();
    const before = await evalshaCalls();
    const claims = await store.claimDue('p', 30_000, 500);
    const results = await store.commit('p', claims.map((c) => ({
      id: c.schedule.definition.id, token: c.token, fire: [c.schedule.state.nextRunAt!], missedCount: 0, nextRunAt: now + 60_000,
    })));
    expect(await evalshaCalls()).toBe(before + 2);
    expect(claims).toHaveLength(200);
    expect(results.filter((r) => r.ok && r.accepted.length === 1)).toHaveLength(200);
  });

  it('claims and commits, with run slots, ids holding the characters the packed commit and claim replies use', async () => {
    const store = open();
    const now = await store.now();
    const ids = ['3:ab', 'a,b;c', '12:', ' ', 'x"y\\z', '\u{1F600};1,2', '\uFF61:,;'];
    for (const id of ids) await add(store, id, now - 1000);
    const claims = await store.claimDue('w;1,2', 30_000, 100);
    expect(claims.map((c) => c.schedule.definition.id).sort()).toEqual([...ids].sort());
    const results = await store.commit('w;1,2', claims.map((c) => ({
      id: c.schedule.definition.id, token: c.token, fire: [now - 1000, now - 500], missedCount: 0, nextRunAt: now + 60_000, slots: { max: 1, leaseMs: 30_000 },
    })));
    for (const [i, claim] of claims.entries()) {
      expect(results[i]).toEqual({
        id: claim.schedule.definition.id, ok: true, accepted: [now - 1000, now - 500],
        runs: [{ runId: `${now - 1000}@w;1,2`, slotted: true }, { runId: `${now - 500}@w;1,2`, slotted: false }],
      });
      expect((await store.get(claim.schedule.definition.id))!.state).toMatchObject({ runs: 2, nextRunAt: now + 60_000 });
    }
    const record = (jobId: string, scheduledAt: number) => ({
      jobId, scheduledAt, startedAt: now, finishedAt: now, status: 'failed' as const, attempts: 1, error: '12:x;3:\u{1F600}', owner: 'w;1,2',
    });
    await store.finishRuns(ids.flatMap((id) => [
      { slot: { jobId: id, runId: `${now - 1000}@w;1,2` }, record: record(id, now - 1000), historyLimit: 5 },
      { slot: { jobId: id, runId: `${now - 500}@w;1,2` }, record: record(id, now - 500), historyLimit: 5 },
    ]));
    for (const id of ids) expect(await store.history(id, 10)).toEqual([record(id, now - 500), record(id, now - 1000)]);
    expect(await admin.zcard(store.keys.slots)).toBe(0);
  });

  it('claimBatch is one command: the claim script also brings Redis TIME and the next wakeup', async () => {
    const client = new Redis(server.url);
    const sent = recordCommands(client);
    const store = open({ client, url: undefined });
    expect((await store.claimBatch('p', 30_000, 10)).claims).toEqual([]); // loads the script
    const now = await store.now();
    await add(store, 'due', now - 10);
    await add(store, 'later', now + 60_000);
    sent.length = 0;
    const batch = await store.claimBatch('p', 120_000, 10);
    expect(sent).toEqual(['evalsha']);
    expect(batch.claims.map((c) => c.schedule.definition.id)).toEqual(['due']);
    const [seconds, micros] = await admin.time();
    expect(batch.now).toBeGreaterThanOrEqual(now);
    expect(batch.now).toBeLessThanOrEqual(Number(seconds) * 1000 + Math.floor(Number(micros) / 1000));
    expect(batch.nextWakeup).toBe(now + 60_000);
    client.disconnect();
  });

  it('claims without the definitions it knows: another process reads the others after the claim, in claim order, and drops a schedule removed meanwhile', async () => {
    const registrar = open();
    const now = await registrar.now();
    for (const [i, id] of ['k1', 'k2', 'k3'].entries()) await add(registrar, id, now - 30 + i);
    // A second process on the same prefix knows k2 only (an upsert reply fills its decoder).
    const client = new Redis(server.url);
    const sent = recordCommands(client);
    const other = open({ client, url: undefined, prefix: registrar.keys.prefix });
    const k2 = definition('k2');
    expect((await other.upsert({ definition: k2, hash: scheduleHash(k2), nextRunAt: now - 29, anchor: now, replaceExisting: false })).status).toBe('unchanged');
    // k3 is removed between the claim and the read of the definitions.
    const pipeline = client.pipeline.bind(client);
    client.pipeline = ((...args: Parameters<typeof client.pipeline>) => {
      const p = pipeline(...args);
      const exec = p.exec.bind(p);
      p.exec = (async () => {
        await admin.del(registrar.keys.schedule('k3'));
        return exec();
      }) as typeof p.exec;
      return p;
    }) as typeof client.pipeline;
    expect((await other.claimBatch('p2', 30_000, 10, new Set(['k1', 'k2', 'k3']))).claims).toEqual([]); // loads the script
    sent.length = 0;
    const batch = await other.claimBatch('p2', 30_000, 10);
    expect(batch.claims.map((c) => c.schedule.definition)).toEqual([definition('k1'), k2]);
    expect(batch.claims.map((c) => c.schedule.state.nextRunAt)).toEqual([now - 30, now - 29]);
    expect(sent).toEqual(['evalsha', 'hmget', 'hmget', 'zrem']);
    expect(await admin.zrange(registrar.keys.ownerClaims('p2'), '0', '-1')).toEqual(['k1', 'k2']);
    const results = await other.commit('p2', batch.claims.map((c) => ({ id: c.schedule.definition.id, token: c.token, fire: [c.schedule.state.nextRunAt!], missedCount: 0, nextRunAt: now + 60_000 })));
    expect(results.map((r) => r.ok)).toEqual([true, true]);
    // Known now: the next claim reads no definition.
    await registrar.setNextRunAt('k1', now - 1);
    sent.length = 0;
    expect((await other.claimBatch('p2', 30_000, 10)).claims.map((c) => c.schedule.definition)).toEqual([definition('k1')]);
    expect(sent).toEqual(['evalsha']);
    client.disconnect();
  });

  it('claims and commits batches of more than 4000 schedules (Lua cannot unpack ~8000 values at once)', async () => {
    const store = open();
    const now = await store.now();
    const ids = Array.from({ length: 4100 }, (_, i) => `big-${i}`);
    await store.restore(ids.map((id) => {
      const d = definition(id);
      return { definition: d, hash: scheduleHash(d), nextRunAt: now - 10, anchor: now };
    }));
    const batch = await store.claimBatch('p', 30_000, 5000);
    expect(batch.claims).toHaveLength(4100);
    const results = await store.commit('p', batch.claims.map((c) => ({
      id: c.schedule.definition.id, token: c.token, fire: [now - 10], missedCount: 0, nextRunAt: now + 60_000, slots: { max: 1, leaseMs: 30_000 },
    })));
    expect(results.filter((r) => r.ok && r.accepted.length === 1)).toHaveLength(4100);
    expect(await admin.zcard(store.keys.ownerClaims('p'))).toBe(0);
  });

  it('records occurrences as a watermark in the schedule hash: no per-occurrence keys, earlier ones refused', async () => {
    const store = open();
    const now = await store.now();
    await add(store, 'wm', now - 10_000);
    const [claim] = await store.claimDue('p', 30_000, 1);
    const fire = [now - 10_000, now - 9000, now - 8000];
    const [result] = await store.commit('p', [{ id: 'wm', token: claim!.token, fire, missedCount: 0, nextRunAt: now - 9000 }]);
    expect(result).toEqual({ id: 'wm', ok: true, accepted: fire });
    expect(await admin.hget(store.keys.schedule('wm'), 'fired')).toBe(String(now - 8000));
    // The next run moved back past fired times: only the occurrence after the watermark is accepted.
    const [again] = await store.claimDue('p', 30_000, 1);
    const [second] = await store.commit('p', [{ id: 'wm', token: again!.token, fire: [now - 9000, now - 8000, now - 7000], missedCount: 0, nextRunAt: now + 1000 }]);
    expect(second).toEqual({ id: 'wm', ok: true, accepted: [now - 7000] });
    expect((await store.get('wm'))!.state.runs).toBe(4);
    const keys = await admin.keys(`${store.keys.tag}:*`);
    expect(keys.sort()).toEqual([store.keys.all, store.keys.due, store.keys.ids, store.keys.schedule('wm'), store.keys.seq, store.keys.gen].sort());
  });

  it('delivers change hints over pub/sub to other stores, and not twice to the publisher', async () => {
    const prefix = `hints-${randomUUID()}`;
    const a = open({ prefix });
    const b = open({ prefix });
    const seenA: StoreChange[] = [];
    const seenB: StoreChange[] = [];
    a.onChange((c) => seenA.push(c));
    b.onChange((c) => seenB.push(c));
    // Wait until both subscriptions are live (a hint published before SUBSCRIBE is lost, by design).
    await vi.waitFor(async () => expect(await admin.pubsub('NUMSUB', a.keys.channel)).toEqual([a.keys.channel, 2]));
    const now = await a.now();
    await add(a, 'h', now + 60_000);
    await vi.waitFor(() => expect(seenB).toEqual([{ kind: 'upsert', id: 'h' }]));
    await b.pause('h');
    await vi.waitFor(() => expect(seenA).toEqual([{ kind: 'upsert', id: 'h' }, { kind: 'pause', id: 'h' }]));
    expect(seenB).toEqual([{ kind: 'upsert', id: 'h' }, { kind: 'pause', id: 'h' }]);
  });

  it.skipIf(!hasRedisServerBinary())('rejects with XCORE_ERR_REDIS_UNAVAILABLE while Redis is down, then works again after a restart', async () => {
    const own = await startRedisServer({ appendOnly: true });
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => { unhandled.push(reason); };
    process.on('unhandledRejection', onUnhandled);
    const store = new RedisStore({ url: own.url, prefix: 'restart', commandTimeoutMs: 1000 });
    try {
      const hints: StoreChange[] = [];
      store.onChange((c) => hints.push(c));
      const now = await store.now();
      await add(store, 'survivor', now + 3_600_000);
      await add(store, 'in-flight', now - 1);
      const [claim] = await store.claimDue('p', 60_000, 10);
      await own.kill();
      // A commit while Redis is down keeps retrying (commitRetryMs) and lands after the restart.
      const pending = store.commit('p', [{ id: 'in-flight', token: claim!.token, fire: [now - 1], missedCount: 0, nextRunAt: now + 1000 }]);

      const failures = await Promise.allSettled([
        store.now(), store.get('survivor'), store.claimDue('p', 1000, 10), store.nextWakeup(), store.history('survivor', 5),
      ]);
      for (const failure of failures) {
        expect(failure.status).toBe('rejected');
        expect((failure as PromiseRejectedResult).reason).toMatchObject({ code: 'XCORE_ERR_REDIS_UNAVAILABLE' });
      }

      await own.restart();
      expect(await pending).toEqual([{ id: 'in-flight', ok: true, accepted: [now - 1] }]);
      await vi.waitFor(async () => expect(await store.get('survivor')).not.toBeNull(), { timeout: 10_000, interval: 100 });
      expect((await store.get('survivor'))!.state.nextRunAt).toBe(now + 3_600_000);

      // The subscriber reconnects and resubscribes: hints from another store arrive again.
      const other = new RedisStore({ url: own.url, prefix: 'restart' });
      try {
        await vi.waitFor(async () => expect(await other.pause('survivor')).toBe(true), { timeout: 10_000 });
        await vi.waitFor(async () => {
          if (!hints.some((h) => h.kind === 'pause')) await other.pause('survivor');
          expect(hints).toContainEqual({ kind: 'pause', id: 'survivor' });
        }, { timeout: 10_000, interval: 200 });
      } finally {
        await other.close();
      }
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      await store.close();
      await own.stop();
    }
  });

  it('rejects a call that would wait forever (client queueing without limit) after commandTimeoutMs + 2 s', async () => {
    const port = await freePort();
    const client = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: null, retryStrategy: () => 100 });
    client.on('error', () => {});
    const store = new RedisStore({ client, prefix: 'deadline', commandTimeoutMs: 100 });
    try {
      const started = Date.now();
      await expect(store.now()).rejects.toMatchObject({
        code: 'XCORE_ERR_REDIS_UNAVAILABLE',
        message: expect.stringContaining('RedisStore.now: no answer from Redis within 2100 ms'),
      });
      expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
    } finally {
      await store.close();
      client.disconnect();
    }
  });

  it('leaves a client it was given open on close', async () => {
    const client = new Redis(server.url);
    const store = new RedisStore({ client, prefix: `given-${randomUUID()}` });
    await store.now();
    await store.close();
    expect(await client.ping()).toBe('PONG');
    await expect(store.now()).rejects.toMatchObject({ code: 'XCORE_ERR_STORE_CLOSED' });
    client.disconnect();
  });

  it('a retried commit renews the run slots it hands back, also one a reaper marked suspect; without slots it is stale', async () => {
    const store = open();
    const now = await store.now();
    await add(store, 'retry', now - 2000);
    const [claim] = await store.claimDue('p', 30_000, 1);
    const item = { id: 'retry', token: claim!.token, fire: [now - 2000], missedCount: 0, nextRunAt: now + 60_000, slots: { max: 1, leaseMs: 200 } };
    const [first] = await store.commit('p', [item]);
    const member = store.keys.slotMember('retry', `${now - 2000}@p`);
    await vi.waitFor(async () => expect(Number(await admin.zscore(store.keys.slots, member))).toBeLessThan(await store.now()));
    expect(await store.reapExpiredSlots(10)).toEqual([]); // marked suspect
    expect(await admin.hget(store.keys.slotData, member)).toContain('"suspect":true');
    expect(await store.commit('p', [{ ...item, slots: { max: 1, leaseMs: 60_000 } }])).toEqual([first]);
    expect(await admin.hget(store.keys.slotData, member)).not.toContain('suspect');
    expect(Number(await admin.zscore(store.keys.slots, member))).toBeGreaterThan((await store.now()) + 50_000);
    expect(Number(await admin.zscore(store.keys.jobSlots('retry'), `${now - 2000}@p`))).toBeGreaterThan((await store.now()) + 50_000);
    // Without slots nothing tells this owner's recorded occurrences apart: refused.
    const { slots: _, ...bare } = item;
    expect(await store.commit('p', [bare])).toEqual([{ id: 'retry', ok: false, reason: 'stale' }]);
    expect((await store.get('retry'))!.state.runs).toBe(1);
  });

  it('answers a retried commit with slots with the same runs, less any whose slot was freed or reaped meanwhile', async () => {
    const store = open();
    const now = await store.now();
    await add(store, 'retry-slots', now - 2000);
    const [claim] = await store.claimDue('p', 30_000, 1);
    const fire = [now - 2000, now - 1000];
    const item = { id: 'retry-slots', token: claim!.token, fire, missedCount: 0, nextRunAt: now + 1000, slots: { max: 1, leaseMs: 30_000 } };
    const first = await store.commit('p', [item]);
    expect(first).toEqual([{ id: 'retry-slots', ok: true, accepted: fire, runs: [
      { runId: `${fire[0]}@p`, slotted: true }, { runId: `${fire[1]}@p`, slotted: false },
    ] }]);
    expect(await store.commit('p', [item])).toEqual(first);
    await store.finishRuns([{ slot: { jobId: 'retry-slots', runId: `${fire[0]}@p` }, historyLimit: 10 }]);
    expect(await store.commit('p', [item])).toEqual([{ id: 'retry-slots', ok: true, accepted: [fire[1]], runs: [{ runId: `${fire[1]}@p`, slotted: false }] }]);
  });

  it('a retried finishRuns appends no record twice (the first call may have been applied unanswered)', async () => {
    const store = open();
    const now = await store.now();
    await add(store, 'fin-retry', now + 60_000);
    const rec = (i: number) => ({ jobId: 'fin-retry', scheduledAt: now + i, startedAt: now + i, finishedAt: now + i + 1, status: 'succeeded' as const, attempts: 1, owner: 'p' });
    await store.finishRuns([{ record: rec(1), historyLimit: 5 }, { record: rec(2), historyLimit: 5 }]);
    // The retry carries the same two runs and one finished since: only the new one is appended.
    await store.finishRuns([{ record: rec(1), historyLimit: 5 }, { record: rec(2), historyLimit: 5 }, { record: rec(3), historyLimit: 5 }], { retry: true });
    expect((await store.history('fin-retry', 10)).map((r) => r.scheduledAt)).toEqual([now + 3, now + 2, now + 1]);
    // Without the retry flag a record is appended as given (a store cannot tell a repeat).
    await store.finishRuns([{ record: rec(3), historyLimit: 5 }]);
    expect((await store.history('fin-retry', 10)).map((r) => r.scheduledAt)).toEqual([now + 3, now + 3, now + 2, now + 1]);
    expect((await store.get('fin-retry'))?.state.lastRun).toEqual(rec(3));
  });

  it('drops a finished run of a removed schedule without bringing back its hash or history, and frees its slot', async () => {
    const store = open();
    const now = await store.now();
    await add(store, 'gone', now - 10);
    const [claim] = await store.claimDue('p', 30_000, 1);
    const [result] = await store.commit('p', [{ id: 'gone', token: claim!.token, fire: [now - 10], missedCount: 0, nextRunAt: now + 1000, slots: { max: 1, leaseMs: 30_000 } }]);
    const runId = result!.ok ? result!.runs![0]!.runId : '';
    expect(await store.remove('gone')).toBe(true);
    const record = { jobId: 'gone', scheduledAt: now - 10, startedAt: now, finishedAt: now + 1, status: 'succeeded' as const, attempts: 1 };
    await store.finishRuns([{ slot: { jobId: 'gone', runId }, record, historyLimit: 10 }]);
    const k = store.keys;
    expect(await admin.exists(k.schedule('gone'), k.history('gone'), k.jobSlots('gone'))).toBe(0);
    expect(await admin.zcard(k.slots)).toBe(0);
    expect(await admin.hlen(k.slotData)).toBe(0);
    expect(await store.get('gone')).toBeNull();
  });

  it('refuses contradictory options and a prefix that would break the hash tag', () => {
    expect(() => new RedisStore({})).toThrow(expect.objectContaining({ code: 'XCORE_ERR_REDIS_OPTIONS_INVALID' }));
    expect(() => new RedisStore({ url: server.url, nodes: [{ host: '127.0.0.1', port: 1 }] })).toThrow(
      expect.objectContaining({ code: 'XCORE_ERR_REDIS_OPTIONS_INVALID' }),
    );
    expect(() => new RedisStore({ url: server.url, prefix: 'a}b' })).toThrow(expect.objectContaining({ code: 'XCORE_ERR_REDIS_OPTIONS_INVALID' }));
  });
});

describe.skipIf(skipCluster)('RedisStore on a 3-master Redis Cluster', () => {
  const cluster = useRedisCluster();

  describeStoreContract('RedisStore on a 3-master cluster', async () => {
    const store = new RedisStore({ nodes: cluster().nodes, prefix: `c-${randomUUID()}` });
    return { store, teardown: () => store.close() };
  });

  it('puts every key of a namespace in one Cluster slot', async () => {
    const store = new RedisStore({ nodes: cluster().nodes, prefix: 'slots' });
    const admin = new Cluster([...cluster().nodes]);
    try {
      const now = await store.now();
      await add(store, 'job-1', now - 10);
      await add(store, 'other:job', now - 10);
      // Claimed by a process that registered nothing: it reads the definitions after the claim.
      const reader = new RedisStore({ nodes: cluster().nodes, prefix: 'slots' });
      const claims = await reader.claimDue('p', 30_000, 10).finally(() => reader.close());
      expect(claims.map((c) => c.schedule.definition.id).sort()).toEqual(['job-1', 'other:job']);
      await store.commit('p', claims.map((c) => ({ id: c.schedule.definition.id, token: c.token, fire: [now - 10], missedCount: 0, nextRunAt: now + 1000 })));
      await store.acquireSlot({ jobId: 'job-1', runId: 'r1', scheduledAt: now - 10, owner: 'p', leaseUntil: now + 30_000 }, 1);
      await store.recordRun({ jobId: 'job-1', scheduledAt: now - 10, startedAt: now, finishedAt: now + 1, status: 'succeeded', attempts: 1 }, 5);

      const keys: string[] = [];
      for (const node of admin.nodes('master')) keys.push(...(await node.keys('{slots}:*')));
      const k = store.keys;
      expect(keys.sort()).toEqual([
        k.all, k.due, k.ids, k.seq, k.gen, k.slots, k.slotData, k.schedule('job-1'), k.schedule('other:job'), k.history('job-1'), k.jobSlots('job-1'),
      ].sort());
      const slotsOf = await Promise.all([...keys, k.channel].map((key) => admin.cluster('KEYSLOT', key)));
      expect(new Set(slotsOf)).toEqual(new Set([await admin.cluster('KEYSLOT', '{slots}')]));
    } finally {
      admin.disconnect();
      await store.close();
    }
  });
});
