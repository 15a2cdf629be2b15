/**
 * Store calls while Redis does not answer: a deadline after which a call rejects as not
 * confirmed, and the retry loop `commit` runs while Redis is unavailable.
 *
 * @remarks
 * A call that Redis did not answer rejects with `XCORE_ERR_REDIS_UNAVAILABLE`, which callers
 * treat as "not confirmed": the command may still have run.
 */
import { setLongTimeout, type LongTimeout } from '@xcore/core';
import { RedisUnavailableError } from '../../errors.js';
import type { RedisStoreLogger } from './redis-store-options.js';

/**
 * Rejects with `XCORE_ERR_REDIS_UNAVAILABLE` when `call` has not settled within `deadlineMs`.
 *
 * @remarks
 * ioredis's `commandTimeout` covers commands sent to a node, and `maxRetriesPerRequest` the
 * offline queue of a single client; a Cluster's own offline queue (cluster down or still
 * connecting) has no bound, so without this a runner tick could wait forever. The command may
 * still run later; callers treat the rejection as "not confirmed" (a claim then lapses with its
 * lease, a commit's occurrences are not dispatched: at most once).
 */
export function withDeadline<T>(operation: string, call: Promise<T>, deadlineMs: number): Promise<T> {
  let timer: LongTimeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setLongTimeout(() => {
      reject(new RedisUnavailableError(
        `RedisStore.${operation}: no answer from Redis within ${deadlineMs} ms (connection down or cluster not ready). ` +
          'The call was not confirmed; retry once Redis is back (the scheduler does this with backoff).',
      ));
    }, deadlineMs).unref();
  });
  return Promise.race([call, expired]).finally(() => timer?.clear());
}

/** How {@link retryWhileUnavailable} retries. */
export interface UnavailableRetry {
  /** How long to keep retrying (the store's `commitRetryMs`). */
  readonly retryMs: number;
  /** True once the store is closed: the last rejection is then passed on at once. */
  readonly stopped: () => boolean;
  readonly logger: RedisStoreLogger;
  /** Resolves when the connection comes back: a retry waiting out its backoff goes at once. */
  readonly reconnected?: () => Promise<void>;
}

/**
 * Repeats `call` while it rejects with `XCORE_ERR_REDIS_UNAVAILABLE`, for up to `retry.retryMs`,
 * with backoff from 50 ms doubling to 1 s, cut short when the connection comes back.
 */
export async function retryWhileUnavailable<T>(operation: string, call: () => Promise<T>, retry: UnavailableRetry): Promise<T> {
  const giveUpAt = Date.now() + retry.retryMs;
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof RedisUnavailableError) || retry.stopped() || Date.now() >= giveUpAt) throw error;
      const delay = Math.min(50 * 2 ** attempt, 1_000, Math.max(1, giveUpAt - Date.now()));
      retry.logger.debug({ err: error, operation, retryInMs: delay }, 'Redis unavailable; retrying the unconfirmed call');
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([new Promise<void>((resolve) => { timer = setTimeout(resolve, delay); }), retry.reconnected?.()]);
      clearTimeout(timer);
    }
  }
}
