/**
 * Test support shared by the RedisStore suites: a plain interval definition, creating it in a
 * store, and a suite's own redis-server with an admin client and stores closed after each test.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { startRedisServer, type RedisServer } from '../../../../../test/helpers/redis-server.js';
import { scheduleHash } from '../schedule-hash.js';
import type { ScheduleDefinition } from '../store.js';
import { RedisStore } from './redis-store.js';
import type { RedisStoreOptions } from './redis-store-options.js';

/** An interval definition owned by `plugin-a`, every `everyMs`, one instance, no recovery. */
export function definition(id: string, everyMs = 1000): ScheduleDefinition {
  return {
    id,
    owner: 'plugin-a',
    trigger: { type: 'interval', everyMs },
    policy: {
      misfireGraceTimeMs: null, coalesce: 'latest', maxCatchUp: 10, maxInstances: 1, overlap: 'skip', jitterMs: 0,
      timeoutMs: null, retries: 0, retryDelayMs: 1000, recover: false,
    },
    args: [],
  };
}

/** Creates {@link definition}(`id`) in `store` with `nextRunAt`, expecting it to be new. */
export async function add(store: RedisStore, id: string, nextRunAt: number | null): Promise<void> {
  const d = definition(id);
  const result = await store.upsert({ definition: d, hash: scheduleHash(d), nextRunAt, anchor: await store.now(), replaceExisting: false });
  expect(result.status).toBe('created');
}

/** What {@link useRedisStores} gives a suite. */
export interface RedisStoreSuite {
  server(): RedisServer;
  /** A plain client on the suite's server, to look at and tamper with keys. */
  admin(): Redis;
  /** A store on the suite's server under a fresh prefix; closed after the test. */
  open(options?: Partial<RedisStoreOptions>): RedisStore;
}

/**
 * Registers hooks that start a redis-server for the suite (with an admin client), and close the
 * stores a test opened after it; `afterEachTest` runs first (e.g. thaw a frozen server).
 */
export function useRedisStores(afterEachTest?: (server: RedisServer) => void): RedisStoreSuite {
  let server: RedisServer | undefined;
  let admin: Redis | undefined;
  const stores: RedisStore[] = [];
  beforeAll(async () => {
    server = await startRedisServer();
    admin = new Redis(server.url);
  });
  afterEach(async () => {
    if (server !== undefined) afterEachTest?.(server);
    await Promise.all(stores.splice(0).map((s) => s.close()));
  });
  afterAll(async () => {
    admin?.disconnect();
    await server?.stop();
  });
  return {
    server: () => server!,
    admin: () => admin!,
    open(options = {}) {
      const store = new RedisStore({ url: server!.url, prefix: `t-${randomUUID()}`, ...options });
      stores.push(store);
      return store;
    },
  };
}
