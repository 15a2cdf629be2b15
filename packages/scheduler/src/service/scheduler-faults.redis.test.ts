/**
 * The scheduler on a Redis that forgets or stalls: restarted empty, frozen (SIGSTOP) and thawed,
 * and holding a key of the wrong type under the prefix. Each test has its own redis-server.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import pino, { type Logger } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { redisUnavailable, startRedisServer, type RedisServer } from '../../../../test/helpers/redis-server.js';
import { Interval } from '../decorators/decorators.js';
import { RedisStore } from '../stores/redis/redis-store.js';
import { PluginScheduler } from './plugin-scheduler.js';
import { Scheduler } from './scheduler.js';
import type { JobContext } from './scheduler-service.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A logger that keeps every line it writes (level warn and above, unless `level` says) as parsed JSON. */
function capturingLogger(lines: Record<string, unknown>[], level = 'warn'): Logger {
  return pino({ level }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
}

/** Wall-clock times at which each job ran, by job id. */
class RunLog {
  readonly times = new Map<string, number[]>();
  record(jobId: string): void {
    const list = this.times.get(jobId) ?? [];
    list.push(Date.now());
    this.times.set(jobId, list);
  }
  /** The first run of each of `ids` at or after `since`, or `undefined` for a job that has none. */
  firstSince(ids: readonly string[], since: number): Map<string, number | undefined> {
    return new Map(ids.map((id) => [id, this.times.get(id)?.find((t) => t >= since)]));
  }
  /** Resolves once each of `ids` ran at or after `since`. */
  async waitAll(ids: readonly string[], since: number, timeout: number): Promise<void> {
    await vi.waitFor(() => expect([...this.firstSince(ids, since).values()].every((t) => t !== undefined)).toBe(true), { timeout, interval: 50 });
  }
}

/** The health transitions `scheduler` emits from now on, in order: `degraded`, `recovered`. */
function healthEvents(scheduler: Scheduler): string[] {
  const events: string[] = [];
  scheduler.on('scheduler.degraded', () => void events.push('degraded'));
  scheduler.on('scheduler.recovered', () => void events.push('recovered'));
  return events;
}

describe.skipIf(redisUnavailable({ needBinary: true }))('the scheduler when Redis forgets or stalls', () => {
  let server: RedisServer | undefined;
  let admin: Redis | undefined;
  const schedulers: Scheduler[] = [];

  afterEach(async () => {
    server?.thaw();
    for (const s of schedulers) await s.stop({ deadlineMs: 500 });
    for (const s of schedulers.splice(0)) await s.dispose();
    admin?.disconnect();
    admin = undefined;
    await server?.stop();
    server = undefined;
  });

  /** Starts this test's redis-server and admin client; returns a fresh prefix and a logger that keeps its lines. */
  async function begin(name: string): Promise<{ prefix: string; lines: Record<string, unknown>[]; logger: Logger; redis: Redis }> {
    server = await startRedisServer();
    const redis = new Redis(server.url);
    redis.on('error', () => undefined); // a test that kills Redis: this client reconnects quietly
    admin = redis;
    const lines: Record<string, unknown>[] = [];
    return { prefix: `${name}-${randomUUID().slice(0, 8)}`, lines, logger: capturingLogger(lines), redis };
  }

  async function open(owner: string, prefix: string, logger: Logger, options: { leaseMs?: number; commandTimeoutMs?: number } = {}): Promise<Scheduler> {
    const store = new RedisStore({ url: server!.url, prefix, logger, ...(options.commandTimeoutMs === undefined ? {} : { commandTimeoutMs: options.commandTimeoutMs }) });
    const scheduler = new Scheduler({ store, logger, owner, ...(options.leaseMs === undefined ? {} : { leaseMs: options.leaseMs }) });
    schedulers.push(scheduler);
    return scheduler;
  }

  it('puts back the schedules a Redis restarted empty lost: every job of three processes fires again within 2 s of Redis answering', async () => {
    const { prefix, lines, logger } = await begin('lost');
    const runs = new RunLog();
    const record = (ctx: JobContext): void => runs.record(ctx.jobId);
    // Default lease and poll (30 s each): nothing here may wait for either.
    const [p1, p2, p3] = [await open('p1', prefix, logger), await open('p2', prefix, logger), await open('p3', prefix, logger)];
    // Jobs every process registers (the same code deployed everywhere) ...
    for (const s of [p1!, p2!, p3!]) {
      await s.addJob(record, { id: 'shared-fast', every: 300 });
      await s.addJob(record, { id: 'shared-cron', cron: '* * * * * *' });
    }
    // ... and jobs only one process has: a plugin's, decorated methods, one with a start date.
    await new PluginScheduler(p1!, 'billing').addJob(record, { id: 'sync', every: 400 });
    class Reports {
      @Interval(500)
      refresh(ctx: JobContext): void {
        record(ctx);
      }
    }
    await p2!.register(new Reports());
    const startDate = Date.now() - 250;
    await p3!.addJob(record, { id: 'phased', every: 600, startDate });
    const ids = ['shared-fast', 'shared-cron', 'billing:sync', 'refresh', 'phased'];
    for (const s of [p1!, p2!, p3!]) s.startFiring();
    await runs.waitAll(ids, 0, 5_000);

    await server!.restart(); // SIGKILL, then a fresh redis-server on the same port: no data
    const answeredAt = Date.now();
    await runs.waitAll(ids, answeredAt, 10_000);
    const lateness = [...runs.firstSince(ids, answeredAt)].map(([id, t]) => [id, t! - answeredAt] as const);
    for (const [id, ms] of lateness) expect(ms, `${id} fired again ${ms} ms after Redis answered`).toBeLessThanOrEqual(2_000);

    // Each schedule was put back once, by one of the processes that registered it, and each
    // process that restored some said how many, once.
    const restored = lines.filter((l) => typeof l['restored'] === 'number');
    expect(restored.reduce((sum, l) => sum + (l['restored'] as number), 0)).toBe(ids.length);
    expect(new Set(restored.map((l) => l['owner'])).size).toBe(restored.length);
    expect(restored.every((l) => l['level'] === 40)).toBe(true);
    // The phase of a job with a start date comes from the start date.
    const phased = (await p1!.getJob('phased'))!;
    expect((phased.nextRunAt!.getTime() - startDate) % 600).toBe(0);
  }, 30_000);

  it('a Redis outage logs one warning and one degraded line without a stack, health says degraded, then one recovered line each', async () => {
    const { prefix } = await begin('outage');
    const lines: Record<string, unknown>[] = [];
    const logger = capturingLogger(lines, 'info');
    const runs = new RunLog();
    const scheduler = await open('p1', prefix, logger);
    await scheduler.addJob((ctx) => runs.record(ctx.jobId), { id: 'tick', every: 200 });
    const events = healthEvents(scheduler);
    scheduler.startFiring();
    await runs.waitAll(['tick'], 0, 5_000);

    await server!.kill();
    await vi.waitFor(() => expect(scheduler.health()).toMatchObject({ status: 'degraded', reason: expect.stringContaining('Redis is not reachable') }), { timeout: 10_000 });
    // Both connections (commands, change hints) fail at each reconnection attempt meanwhile.
    await sleep(3_000);
    await server!.restart();
    const back = Date.now();
    await vi.waitFor(() => expect(lines.some((l) => l['msg'] === 'Redis connection recovered')).toBe(true), { timeout: 10_000 });
    await runs.waitAll(['tick'], back, 10_000);
    expect(scheduler.health().status).toBe('ok');
    expect(events).toEqual(['degraded', 'recovered']);

    const said = (msg: string): Record<string, unknown>[] => lines.filter((l) => typeof l['msg'] === 'string' && (l['msg'] as string).startsWith(msg));
    expect(said('Redis connection lost')).toHaveLength(1);
    expect(said('Redis connection lost')[0]).toMatchObject({ level: 40, code: 'ECONNREFUSED', error: expect.stringContaining('ECONNREFUSED') });
    expect(said('scheduler degraded')).toHaveLength(1);
    expect(said('scheduler degraded')[0]).toMatchObject({ level: 50, code: 'XCORE_ERR_REDIS_UNAVAILABLE' });
    expect(said('scheduler store recovered')).toHaveLength(1);
    const recovered = said('Redis connection recovered');
    expect(recovered).toHaveLength(1);
    // It tried many times while it was down, and said so once.
    expect(recovered[0]!['failedAttempts']).toBeGreaterThanOrEqual(4);
    // No line carries a stack (stacks are written at debug only).
    expect(lines.filter((l) => JSON.stringify(l).includes('"stack"'))).toEqual([]);
  }, 60_000);

  it('resumes firing within about a second of a stalled Redis answering, and is degraded until then', async () => {
    const { prefix, lines, logger } = await begin('stall');
    const runs = new RunLog();
    // A 30 s lease (the default): waiting one out would be obvious. Calls time out after 500 ms.
    const scheduler = await open('p1', prefix, logger, { commandTimeoutMs: 500 });
    const ids = ['a', 'b', 'c'];
    for (const id of ids) await scheduler.addJob((ctx) => runs.record(ctx.jobId), { id, every: 200 });
    const recovered: number[] = [];
    scheduler.on('scheduler.recovered', () => void recovered.push(Date.now()));
    scheduler.startFiring();
    await runs.waitAll(ids, 0, 5_000);

    server!.freeze();
    await vi.waitFor(() => expect(scheduler.health().status).toBe('degraded'), { timeout: 5_000 });
    await sleep(2_500); // claims sent meanwhile time out here but reach Redis when it wakes
    server!.thaw();
    const answeredAt = Date.now();
    await runs.waitAll(ids, answeredAt, 40_000);
    for (const [id, t] of runs.firstSince(ids, answeredAt)) expect(t! - answeredAt, `${id} resumed ${t! - answeredAt} ms after Redis answered`).toBeLessThanOrEqual(1_500);
    // "recovered" was reported once firing could resume, not long before the first runs.
    expect(recovered).toHaveLength(1);
    const firstRun = Math.min(...[...runs.firstSince(ids, answeredAt).values()].map((t) => t!));
    expect(firstRun - recovered[0]!).toBeLessThanOrEqual(1_000);
    expect(scheduler.health().status).toBe('ok');
  }, 60_000);

  it('a string at {prefix}:slots changes nothing: no run is counted, health is degraded once with the key named, until the key is deleted', async () => {
    const { prefix, lines, logger, redis } = await begin('wrong');
    const scheduler = await open('p1', prefix, logger);
    const store = scheduler.store as RedisStore;
    let ran = 0;
    await scheduler.addJob(() => void ran++, { id: 'tick', every: 100 });
    await redis.set(store.keys.slots, 'not a sorted set');
    const events = healthEvents(scheduler);
    scheduler.startFiring();
    await sleep(2_000);
    expect(ran).toBe(0);
    expect((await store.get('tick'))!.state.runs).toBe(0);
    expect(events).toEqual(['degraded']);
    const health = scheduler.health();
    expect(health.status).toBe('degraded');
    expect(health.status === 'degraded' ? health.reason : '').toContain(store.keys.slots);
    const named = lines.filter((l) => JSON.stringify(l).includes(store.keys.slots));
    expect(named).toHaveLength(1);
    expect(JSON.stringify(named[0])).toContain('XCORE_ERR_REDIS_KEY_TYPE');

    await redis.del(store.keys.slots);
    await vi.waitFor(() => expect(ran).toBeGreaterThan(0), { timeout: 5_000 });
    expect(events).toEqual(['degraded', 'recovered']);
    expect(scheduler.health().status).toBe('ok');
  }, 30_000);

  it('a string at {prefix}:proc-info stops only the presence: jobs keep firing, health is degraded with the key named until it is deleted', async () => {
    const { prefix, lines, logger, redis } = await begin('presence');
    // Presence is renewed every third of the lease: every 333 ms here.
    const scheduler = await open('p1', prefix, logger, { leaseMs: 1_000 });
    const store = scheduler.store as RedisStore;
    let ran = 0;
    await scheduler.addJob(() => void ran++, { id: 'tick', every: 100 });
    await redis.set(store.keys.processInfo, 'not a hash');
    const events = healthEvents(scheduler);
    scheduler.startFiring();
    await sleep(1_500);
    expect(ran).toBeGreaterThan(0);
    expect(events).toEqual(['degraded']);
    const health = scheduler.health();
    expect(health.status === 'degraded' ? health.reason : '').toContain(store.keys.processInfo);
    expect(lines.filter((l) => JSON.stringify(l).includes(store.keys.processInfo))).toHaveLength(1);
    expect(await scheduler.operator.state()).toMatchObject({ processes: null });

    await redis.del(store.keys.processInfo);
    await vi.waitFor(() => expect(events).toEqual(['degraded', 'recovered']), { timeout: 5_000 });
    expect(scheduler.health().status).toBe('ok');
    expect(await scheduler.operator.state()).toMatchObject({ processes: 1, processList: [{ owner: 'p1', self: true }] });
  }, 30_000);

  it('a string at {prefix}:rq stops only the run-request taker: jobs keep firing, health is degraded until the key is deleted, then run-now works', async () => {
    const { prefix, logger, redis } = await begin('requests');
    const scheduler = await open('p1', prefix, logger);
    const store = scheduler.store as RedisStore;
    const ran: string[] = [];
    await scheduler.addJob(() => void ran.push('tick'), { id: 'tick', every: 100 });
    await scheduler.addJob(() => void ran.push('asked'), { id: 'asked', every: '1h' });
    await redis.set(store.keys.runRequests, 'not a sorted set');
    const events = healthEvents(scheduler);
    scheduler.startFiring();
    await vi.waitFor(() => expect(ran).toContain('tick'), { timeout: 5_000 });
    expect(events).toEqual(['degraded']);
    const health = scheduler.health();
    expect(health.status === 'degraded' ? health.reason : '').toContain(store.keys.runRequests);
    await expect(scheduler.operator.runNow('asked', { requestedBy: 'op' })).rejects.toMatchObject({ code: 'XCORE_ERR_REDIS_KEY_TYPE' });

    await redis.del(store.keys.runRequests);
    await vi.waitFor(() => expect(events).toEqual(['degraded', 'recovered']), { timeout: 5_000 });
    const request = await scheduler.operator.runNow('asked', { requestedBy: 'op', waitMs: 5_000 });
    expect(request.record).toMatchObject({ status: 'succeeded', manual: true, requestedBy: 'op' });
    expect(ran).toContain('asked');
  }, 30_000);

  it('a string at a job\'s history key drops that job\'s records only: every occurrence runs once, the job and the others keep firing', async () => {
    const { prefix, lines, logger, redis } = await begin('hist');
    // The shortest lease allowed (1 s): a slot left unreleased would be reaped (two passes) and
    // recovered within the test's 4 s.
    const scheduler = await open('p1', prefix, logger, { leaseMs: 1_000 });
    const store = scheduler.store as RedisStore;
    const occurrences: Record<string, number[]> = { broken: [], fine: [] };
    for (const id of ['broken', 'fine']) {
      await scheduler.addJob((ctx) => void occurrences[id]!.push(ctx.scheduledAt.getTime()), { id, every: 150, recover: true });
    }
    await redis.set(store.keys.history('broken'), 'not a list');
    const events = healthEvents(scheduler);
    scheduler.startFiring();
    await sleep(4_000);
    const since = Date.now();
    await sleep(600);
    for (const id of ['broken', 'fine']) {
      const times = occurrences[id]!;
      expect(new Set(times).size, `${id} ran an occurrence twice`).toBe(times.length);
      expect(times.filter((t) => t >= since - 150).length, `${id} stopped firing`).toBeGreaterThanOrEqual(2);
    }
    expect((await scheduler.history('fine', { limit: 5 })).length).toBeGreaterThan(0);
    expect(await redis.get(store.keys.history('broken'))).toBe('not a list');
    const named = lines.filter((l) => JSON.stringify(l).includes(store.keys.history('broken')));
    expect(named).toHaveLength(1);
    expect(JSON.stringify(named[0])).toContain('XCORE_ERR_REDIS_KEY_TYPE');
    expect(events).toEqual([]);
  }, 30_000);
});
