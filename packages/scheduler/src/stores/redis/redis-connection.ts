/**
 * The connections of the {@link RedisStore}: creating its ioredis client with defaults that turn
 * Redis trouble into rejected calls, and closing (connection errors are logged by
 * `connection-outages.ts`).
 *
 * @remarks
 * A client the caller passed as `client` is used as given: the store neither configures nor closes it.
 */
import type { RedisOptions } from 'ioredis';
import { ioredis } from './ioredis.js';
import type { RedisStoreOptions } from './redis-store-options.js';
import type { RedisClient } from './scripts.js';

/**
 * Longest wait between two reconnection attempts.
 *
 * @remarks
 * Once Redis answers again, a process reconnects within this (plus jitter) and resumes at once
 * (the store tells its listeners, `connected`). At 2 s the scheduler resumed up to 2.1 s after
 * a Redis restart; a refused attempt every 500 ms per process is no load.
 */
export const RECONNECT_MAX_MS = 500;

/**
 * Defaults for clients the store creates, chosen so that Redis trouble surfaces as rejected
 * promises the runner can catch, quickly, instead of hanging calls or crashes:
 * - `maxRetriesPerRequest: 1`: a command caught by a disconnect is retried after one reconnect,
 *   then rejects (ioredis's 20 would keep a runner tick waiting for about a minute);
 * - `enableOfflineQueue: true`: calls made while (re)connecting wait for the connection instead of
 *   failing at once, bounded by the line above and by `commandTimeout`;
 * - `retryStrategy`: reconnect forever with exponential backoff from 50 ms, capped at 500 ms,
 *   plus up to 100 ms of jitter so many processes do not reconnect in lockstep after a Redis
 *   restart; the cap bounds how long after Redis answers again a process notices (a refused
 *   connection attempt costs nothing worth saving);
 * - `commandTimeout`: a reply lost on a half-open connection rejects instead of hanging;
 * - `enableAutoPipelining`: the per-run calls of many runs started in one tick (slot acquire,
 *   history record, slot release) share one write and one round trip instead of one each.
 */
function clientDefaults(commandTimeoutMs: number): RedisOptions {
  return {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: true,
    connectTimeout: 5_000,
    commandTimeout: commandTimeoutMs,
    enableAutoPipelining: true,
    retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 6), RECONNECT_MAX_MS) + Math.floor(Math.random() * 100),
  };
}

/**
 * The command client named by `options` (checked by `checkOneRedis`), and whether the store owns it.
 *
 * @remarks An owned client is created here with {@link clientDefaults} under the caller's
 * `redisOptions` and `clusterOptions`; the store closes it.
 */
export function createClient(options: RedisStoreOptions, commandTimeoutMs: number): { client: RedisClient; owned: boolean } {
  const defaults = clientDefaults(commandTimeoutMs);
  if (options.client) return { client: options.client, owned: false };
  const { Cluster, Redis } = ioredis();
  if (options.nodes) {
    const client = new Cluster([...options.nodes], {
      ...options.clusterOptions,
      redisOptions: { ...defaults, ...options.redisOptions, ...options.clusterOptions?.redisOptions },
      clusterRetryStrategy: defaults.retryStrategy ?? undefined,
      enableOfflineQueue: true,
      enableAutoPipelining: true,
    });
    return { client, owned: true };
  }
  return { client: new Redis(options.url as string, { ...defaults, ...options.redisOptions }), owned: true };
}

/** Closes `client`: `QUIT` when it is connected (falling back to a disconnect), else a disconnect. */
export async function closeClient(client: RedisClient): Promise<void> {
  if (client.status === 'ready') {
    await client.quit().catch(() => client.disconnect());
  } else {
    client.disconnect();
  }
}
