/**
 * Pure retry backoff: exponential delays with jitter, capped.
 */

/** How {@link retryDelay} randomises. */
export type RetryJitter = 'full' | 'equal' | 'none';

/** Options of {@link retryDelay}. */
export interface RetryDelayOptions {
  /**
   * `equal` waits between half and all of the exponential delay (never retries at once),
   * `full` anywhere from 0 to all of it (spreads a thundering herd most), `none` exactly it.
   * @defaultValue `'equal'`
   */
  readonly jitter?: RetryJitter;
  /**
   * Upper bound of the exponential delay before jitter.
   * @defaultValue `600_000` (10 minutes: long enough to ride out an outage, short enough to notice)
   */
  readonly maxMs?: number;
}

const DEFAULT_MAX_MS = 600_000;

/**
 * The delay before retry number `attempt` (1 = the first retry after the first failure).
 *
 * @remarks
 * The exponential delay is `min(maxMs, baseMs * 2^(attempt - 1))`, then randomised by `jitter`
 * (`equal` by default: `exp/2 + random * exp/2`). Result in whole ms; `attempt < 1` or
 * `baseMs <= 0` gives 0.
 *
 * @param random - a `Math.random`-like source in `[0, 1)` (injected so tests are exact).
 * @example
 * ```ts
 * retryDelay(3, 1_000, () => 0.5); // exp 4_000 -> 2_000 + 0.5 * 2_000 = 3_000
 * ```
 */
export function retryDelay(attempt: number, baseMs: number, random: () => number, options: RetryDelayOptions = {}): number {
  if (!(attempt >= 1) || !(baseMs > 0)) return 0;
  const maxMs = options.maxMs ?? DEFAULT_MAX_MS;
  // 2^(attempt-1) overflows to Infinity for huge attempts; min() then keeps the cap.
  const exp = Math.min(maxMs, baseMs * 2 ** (Math.floor(attempt) - 1));
  const r = random();
  const unit = r >= 0 && r < 1 ? r : 0;
  switch (options.jitter ?? 'equal') {
    case 'none':
      return Math.round(exp);
    case 'full':
      return Math.floor(unit * exp);
    default:
      return Math.floor(exp / 2 + unit * (exp / 2));
  }
}
