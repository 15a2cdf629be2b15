/**
 * The options of the {@link RedisStore} and their checks at construction.
 *
 * @remarks
 * Pure: no I/O. The ioredis defaults of the clients the store creates from these options are in
 * `redis-connection.ts`.
 */
import type { ClusterNode, ClusterOptions, RedisOptions } from 'ioredis';
import { RedisOptionsInvalidError } from '../../errors.js';
import type { RedisClient } from './scripts.js';

/** The logger calls the store makes (a pino `Logger` fits). */
export interface RedisStoreLogger {
  /** Keys of the wrong type the store worked around (`XCORE_ERR_REDIS_KEY_TYPE`); `warn` when absent. */
  error?(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  /** A Redis connection is back after an outage; `warn` when absent. */
  info?(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

/** Options of {@link RedisStore}; give exactly one of `url`, `client` or `nodes`. */
export interface RedisStoreOptions {
  /** `redis://[user:pass@]host:port[/db]` of a single Redis (or `rediss://` for TLS). */
  readonly url?: string;
  /** An ioredis client or Cluster you own; the store neither configures nor closes it. */
  readonly client?: RedisClient;
  /** Seed nodes of a Redis Cluster; the store creates and closes an ioredis `Cluster`. */
  readonly nodes?: readonly ClusterNode[];
  /**
   * Key namespace; every key is `{prefix}:...`, one Cluster slot. Processes sharing schedules use
   * the same prefix.
   * @defaultValue `'xcore'`
   */
  readonly prefix?: string;
  /** Extra ioredis options for the clients the store creates (they override the defaults in `redis-connection.ts`). */
  readonly redisOptions?: RedisOptions;
  /** Extra ioredis Cluster options when `nodes` is given. */
  readonly clusterOptions?: ClusterOptions;
  /**
   * A command with no reply after this long rejects with `XCORE_ERR_REDIS_UNAVAILABLE`; any store
   * call, queued or sent, rejects after this plus 2 s (the time for one reconnect).
   * @defaultValue `5000`
   */
  readonly commandTimeoutMs?: number;
  /**
   * How long `commit` keeps retrying while Redis is unreachable before it rejects. A retried
   * commit gets back the occurrences the first one recorded (their run slots still in flight),
   * even when another process committed the schedule in between, so a commit whose reply was
   * lost still dispatches what it recorded; meanwhile the caller's tick waits. A retry goes out
   * at once when the connection comes back. (After this, the runner sends the commit again at
   * its next tick.)
   * @defaultValue `10000`
   */
  readonly commitRetryMs?: number;
  /** Logger for connection problems and keys of the wrong type. @defaultValue no logging */
  readonly logger?: RedisStoreLogger;
}

/** The logger used when the options give none. */
export const NO_LOG: RedisStoreLogger = { warn: () => {}, debug: () => {} };

/**
 * Checks that `options` name exactly one Redis to use.
 *
 * @throws {@link RedisOptionsInvalidError} when none or several of `url`, `client` and `nodes` are given.
 */
export function checkOneRedis(options: RedisStoreOptions): void {
  const urlProblem = typeof options.url === 'string' ? redisUrlProblem(options.url) : undefined;
  if (urlProblem !== undefined) throw new RedisOptionsInvalidError(`RedisStore option "url" is ${JSON.stringify(options.url)}: ${urlProblem}.`);
  const given = (['url', 'client', 'nodes'] as const).filter((k) => options[k] !== undefined);
  if (given.length !== 1) {
    throw new RedisOptionsInvalidError(
      `RedisStore needs exactly one of "url", "client" or "nodes"; got ${given.length === 0 ? 'none' : given.join(', ')}. ` +
        'Pass e.g. { url: "redis://127.0.0.1:6379" }.',
    );
  }
}

/**
 * Why ioredis cannot use `url`, or `undefined` when it can: a `redis://` or `rediss://` URL, a
 * `host:port` it reads as one, or a Unix socket path (`/run/redis.sock`).
 *
 * @remarks
 * Mirrors how ioredis 6 reads a connection string (`new URL` after adding `redis://` when no
 * scheme is given), so the config schema refuses what the store's client would throw on at boot.
 */
export function redisUrlProblem(url: string): string | undefined {
  if (url.startsWith('/') && !url.startsWith('//')) return undefined;
  const full = /^rediss?:\/\//i.test(url) ? url : url.startsWith('//') ? `redis:${url}` : `redis://${url}`;
  if (!URL.canParse(full)) return 'expected a Redis URL like redis://127.0.0.1:6379 (or rediss:// for TLS, or a Unix socket path)';
  if (new URL(full).hostname === '' && !url.startsWith('/')) return 'expected a Redis URL with a host, like redis://127.0.0.1:6379';
  return undefined;
}

/**
 * Returns option `name` rounded down.
 *
 * @throws {@link RedisOptionsInvalidError} when `value` is not a finite number >= 1.
 */
export function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 1) {
    throw new RedisOptionsInvalidError(`RedisStore option "${name}" is ${value}; it must be a finite number >= 1.`);
  }
  return Math.floor(value);
}
