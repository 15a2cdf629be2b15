/**
 * Retries of one message on one channel: exponential backoff with jitter, Retry-After, give-up.
 *
 * @remarks
 * A channel makes single attempts and says whether a failed one may succeed later (network
 * error, timeout, HTTP 5xx/429, SMTP 4xx) or never will (HTTP 4xx, SMTP 5xx); this loop decides
 * when to try again. The wait before retry `n` (from 1) is a random point in the upper half of
 * `min(maxBackoff, backoff * 2^(n-1))` ("equal jitter": receivers that come back are not hit by
 * every sender at once, yet the wait never collapses to zero). A Retry-After longer than that is
 * honoured; one longer than `maxBackoff` gives the message up rather than hold the queue.
 */
import { setLongTimeout } from '@xcore/core';

/** The result of one delivery attempt. */
export type AttemptOutcome = { readonly ok: true } | { readonly ok: false; readonly retry: boolean; readonly reason: string; readonly retryAfterMs?: number };

/** How a channel retries (from its config). */
export interface RetryPolicy {
  readonly retries: number;
  readonly backoff: number;
  readonly maxBackoff: number;
}

/** The result of every attempt of one message. */
export type DeliveryResult = { readonly ok: true; readonly attempts: number } | { readonly ok: false; readonly attempts: number; readonly reason: string };

/** Hooks of {@link deliverWithRetries}. */
export interface RetryHooks {
  /** Random source in [0, 1) for the jitter. @defaultValue `Math.random` */
  readonly random?: () => number;
  /** Called before each wait (for debug logs and the `retries` count). */
  readonly onRetry?: (attempt: number, delayMs: number, reason: string) => void;
}

/** The wait before retry `retry` (from 1); see the module comment. */
export function backoffDelay(retry: number, policy: RetryPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxBackoff, policy.backoff * 2 ** Math.min(retry - 1, 30));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/**
 * Runs `attempt` until it succeeds, fails for good, runs out of retries, or `signal` aborts.
 *
 * @returns Never rejects: an attempt that throws counts as a failure that may be retried.
 */
export async function deliverWithRetries(
  attempt: (n: number) => Promise<AttemptOutcome>,
  policy: RetryPolicy,
  signal: AbortSignal,
  hooks: RetryHooks = {},
): Promise<DeliveryResult> {
  const random = hooks.random ?? Math.random;
  for (let n = 1; ; n++) {
    let outcome: AttemptOutcome;
    try {
      outcome = await attempt(n);
    } catch (error) {
      outcome = { ok: false, retry: true, reason: error instanceof Error ? error.message : String(error) };
    }
    if (outcome.ok) return { ok: true, attempts: n };
    if (signal.aborted) return { ok: false, attempts: n, reason: `${outcome.reason} (stopped while sending)` };
    if (!outcome.retry) return { ok: false, attempts: n, reason: outcome.reason };
    if (n > policy.retries) return { ok: false, attempts: n, reason: outcome.reason };
    if (outcome.retryAfterMs !== undefined && outcome.retryAfterMs > policy.maxBackoff) {
      return { ok: false, attempts: n, reason: `${outcome.reason}; the receiver asked to retry after ${Math.ceil(outcome.retryAfterMs / 1000)} s, beyond maxBackoff (${policy.maxBackoff} ms)` };
    }
    const delay = Math.max(backoffDelay(n, policy, random), outcome.retryAfterMs ?? 0);
    hooks.onRetry?.(n, delay, outcome.reason);
    if (!(await sleep(delay, signal))) return { ok: false, attempts: n, reason: `${outcome.reason} (stopped before retrying)` };
  }
}

/**
 * Parses a Retry-After header (delta-seconds or an HTTP date) into ms from `now`; `undefined`
 * when absent or unreadable.
 */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Resolves `true` after `ms`, or `false` as soon as `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const timer = setLongTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = (): void => {
      timer.clear();
      resolve(false);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
