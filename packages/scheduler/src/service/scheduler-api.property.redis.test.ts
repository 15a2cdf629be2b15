/**
 * The properties of `scheduler-api.property.test.ts` on a real Redis store (fewer runs: each
 * call is a round trip): arbitrary calls with arbitrary values answer with a result or a coded
 * error, refused calls store nothing, every job reads back, hostile job errors are recorded.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { redisUnavailable, startRedisServer, type RedisServer } from '../../../../test/helpers/redis-server.js';
import { RedisStore } from '../stores/redis/redis-store.js';
import type { Store } from '../stores/store.js';
import { failOnUnhandledRejections } from './scheduler.fixtures.js';
import { callsArb, checkCalls, tally, checkHostileBody, checkSchedulerOptions, hostileBodyArb, schedulerOptionsArb } from './api-properties.fixtures.js';

describe.skipIf(redisUnavailable())('the scheduler API under arbitrary input (Redis store)', () => {
  let redis: RedisServer;
  failOnUnhandledRejections();
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  /** Runs `check` on a fresh store under its own prefix, closing it afterwards. */
  async function onFreshStore(check: (store: Store) => Promise<void>): Promise<void> {
    const store = new RedisStore({ url: redis.url, prefix: `prop-${randomUUID().slice(0, 8)}` });
    try {
      await check(store);
    } finally {
      await store.close();
    }
  }

  it('answers every call with a result or a coded error, stores nothing it refused, and every job reads back', async () => {
    await fc.assert(fc.asyncProperty(callsArb, (calls) => onFreshStore((store) => checkCalls(store, calls))), { numRuns: 100 });
    // Both paths ran: calls were accepted (and then read back and fired) and refused.
    for (const op of ['addJob', 'modifyJob', 'rescheduleJob', 'pauseJob', 'runJob']) expect([op, tally[op]!.accepted > 0, tally[op]!.refused > 0]).toEqual([op, true, true]);
  }, 240_000);

  it('records a run as failed whatever its job throws or rejects with, and stop() resolves', async () => {
    await fc.assert(fc.asyncProperty(hostileBodyArb, (body) => onFreshStore((store) => checkHostileBody(store, body))), { numRuns: 25 });
  }, 240_000);

  it('builds a working scheduler or refuses its options with a coded error', async () => {
    await fc.assert(fc.asyncProperty(schedulerOptionsArb, (options) => onFreshStore((store) => checkSchedulerOptions(store, options))), { numRuns: 25 });
  }, 240_000);
});
