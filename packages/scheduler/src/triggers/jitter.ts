/**
 * Pure run-time jitter: spreads runs of one occurrence time without passing the next one.
 */

/**
 * The instant a run of the occurrence `scheduledAt` should start: `scheduledAt` plus a random
 * delay of up to `jitterMs`, kept strictly before the trigger's next fire time.
 *
 * @remarks
 * The delay is uniform over `[0, window]` whole ms, where `window = min(jitterMs, nextAfter -
 * scheduledAt - 1)`: when the jitter is longer than the period, it is narrowed to the period (not
 * clamped, which would pile runs up just before the next occurrence). With `nextAfter === null`
 * (no next occurrence) only `jitterMs` limits it. `jitterMs <= 0` returns `scheduledAt`.
 *
 * @param scheduledAt - the occurrence time, epoch ms.
 * @param jitterMs - the maximum delay.
 * @param nextAfter - the trigger's next fire time after `scheduledAt`, or `null`.
 * @param random - a `Math.random`-like source in `[0, 1)` (injected so tests are exact).
 * @example
 * ```ts
 * applyJitter(10_000, 3_000, 11_000, () => 0.99); // 10_990: the window is narrowed to 999 ms
 * ```
 */
export function applyJitter(scheduledAt: number, jitterMs: number, nextAfter: number | null, random: () => number): number {
  if (!(jitterMs > 0)) return scheduledAt;
  let window = Math.floor(jitterMs);
  if (nextAfter !== null) window = Math.min(window, nextAfter - scheduledAt - 1);
  if (window <= 0) return scheduledAt;
  const r = random();
  const unit = r >= 0 && r < 1 ? r : 0;
  return scheduledAt + Math.floor(unit * (window + 1));
}
