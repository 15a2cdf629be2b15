/**
 * Timers for any delay: Node fires a `setTimeout` longer than 2^31-1 ms after 1 ms instead (with
 * a `TimeoutOverflowWarning`), so a longer delay is armed as a chain of timers no longer than that.
 */

/**
 * The longest delay Node's `setTimeout` and `setInterval` honour: 2^31-1 ms, about 24.8 days.
 *
 * @remarks
 * A longer delay fires after 1 ms instead. {@link setLongTimeout} waits any delay as a chain of
 * timers no longer than this; a periodic timer that may safely come sooner (a poll, a lease
 * renewal) is capped at it instead.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** A timer armed by {@link setLongTimeout}. */
export interface LongTimeout {
  /** Cancels the timer, whichever link of its chain is pending: the callback will not run. Idempotent. */
  clear(): void;
  /** Lets the process exit while only this timer is pending, like `Timeout.unref()`, for every link of the chain. */
  unref(): LongTimeout;
}

class ChainedTimeout implements LongTimeout {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private unrefed = false;

  constructor(
    private readonly callback: () => void,
    private remaining: number,
  ) {
    this.arm();
  }

  clear(): void {
    if (this.timer === undefined) return;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  unref(): LongTimeout {
    this.unrefed = true;
    this.timer?.unref?.();
    return this;
  }

  /** A link ended: arm the next one, or call back once nothing remains. */
  linkEnded(): void {
    if (this.remaining > 0) return this.arm();
    this.timer = undefined;
    this.callback();
  }

  private arm(): void {
    const link = Math.min(this.remaining, MAX_TIMER_MS);
    this.remaining -= link;
    // The timer passes itself as the argument: no closure per link.
    this.timer = setTimeout(endLink, link, this);
    if (this.unrefed) this.timer.unref?.();
  }
}

function endLink(timer: ChainedTimeout): void {
  timer.linkEnded();
}

/**
 * Calls `callback` once after `delayMs`, for any delay, also past {@link MAX_TIMER_MS}.
 *
 * @remarks
 * Use it wherever the delay comes from the user (a job's timeout or jitter, a retry delay, a
 * drain deadline): `setTimeout` would fire a delay of more than about 24.8 days at once. Up to
 * {@link MAX_TIMER_MS} this is one `setTimeout`; beyond, each link waits at most that long and
 * arms the next, so the callback runs after the whole delay on the timers' clock (as with
 * `setTimeout`, not on `Date.now()`). A delay of 0, a negative one or `NaN` fires on the next
 * timer turn, like `setTimeout(callback, 0)`; `Infinity` never fires.
 *
 * @example
 * ```ts
 * const timer = setLongTimeout(() => controller.abort(), 30 * 86_400_000); // 30 days
 * timer.clear(); // the work finished first
 * ```
 */
export function setLongTimeout(callback: () => void, delayMs: number): LongTimeout {
  return new ChainedTimeout(callback, delayMs > 0 ? delayMs : 0);
}
