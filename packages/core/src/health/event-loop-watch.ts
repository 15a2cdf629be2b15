/**
 * The liveness check `event-loop`: a timer that notices when the event loop stalled.
 */
import type { HealthCheck, HealthCheckOutcome } from './health-types.js';

/** How often the watch ticks, ms: a tick later than this by more than {@link NOTICED_STALL_MS} is a stall. */
export const TICK_MS = 500;
/** Stalls shorter than this are scheduling noise, not recorded. */
const NOTICED_STALL_MS = 100;
/** Stalls are remembered this long: liveness fails while one this recent reached the limit. */
export const STALL_MEMORY_MS = 60_000;

/** A stall of the event loop: when it ended and how long the loop did not turn. */
interface Stall {
  readonly endedAt: number;
  readonly ms: number;
}

/**
 * Watches the event loop from a timer on it.
 *
 * @remarks
 * A loop that is stuck for good cannot answer a probe at all (the probe's own timeout catches
 * that); this catches a loop that turns between long stalls (a CPU-bound job), which answers a
 * probe now and then but does no timely work: the check fails while a stall of at least
 * `blockedAfterMs` happened in the last {@link STALL_MEMORY_MS}, or one is in progress. The timer
 * is unref'd, so it never holds the process open. Pure apart from the timer: {@link sample} and
 * {@link outcome} take `now`.
 */
export class EventLoopWatch {
  #last: number;
  #stalls: Stall[] = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly blockedAfterMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.#last = now();
  }

  /** Starts the timer (idempotent). */
  start(): void {
    if (this.#timer !== undefined) return;
    this.#last = this.now();
    this.#timer = setInterval(() => this.sample(this.now()), TICK_MS);
    this.#timer.unref();
  }

  /** Stops the timer. */
  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Records a tick at `now`: a gap longer than the tick period is a stall. */
  sample(now: number): void {
    const stalled = now - this.#last - TICK_MS;
    this.#last = now;
    if (stalled >= NOTICED_STALL_MS) this.#stalls.push({ endedAt: now, ms: Math.round(stalled) });
    this.#stalls = this.#stalls.filter((s) => now - s.endedAt <= STALL_MEMORY_MS);
  }

  /** The check's answer at `now`. */
  outcome(now: number): HealthCheckOutcome {
    const current = Math.max(0, Math.round(now - this.#last - TICK_MS));
    const recent = this.#stalls.filter((s) => now - s.endedAt <= STALL_MEMORY_MS);
    const worst = Math.max(current, ...recent.map((s) => s.ms), 0);
    const data = { worstStallMs: worst, stallsLastMinute: recent.length, limitMs: this.blockedAfterMs };
    if (worst < this.blockedAfterMs) return { healthy: true, data };
    const detail =
      current >= this.blockedAfterMs
        ? `the event loop has not turned for ${current} ms (limit ${this.blockedAfterMs} ms)`
        : `the event loop stalled for ${worst} ms within the last minute (limit ${this.blockedAfterMs} ms): a job or plugin blocks it with synchronous work`;
    return { healthy: false, detail, data };
  }

  /** The `event-loop` liveness check. */
  check(): HealthCheck {
    return { name: 'event-loop', level: 'liveness', check: () => this.outcome(this.now()) };
  }
}
