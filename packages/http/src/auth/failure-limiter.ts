/**
 * Counts failed authentications per client and blocks a client that fails too often. No timers:
 * time comes from the caller, so it is tested with plain numbers.
 */

/** Settings of a {@link FailureLimiter}. */
export interface FailureLimiterOptions {
  /** Failures allowed within `windowMs`; the request after the last allowed one is blocked. */
  readonly failures: number;
  /** Window failures are counted in, and how long a blocked client stays blocked, ms. */
  readonly windowMs: number;
  /** Clients tracked at once; the least recently failing is forgotten first. */
  readonly maxClients: number;
}

interface Entry {
  /** When the first failure of the current window happened. */
  windowStart: number;
  count: number;
  /** Set once `count` reached the limit: blocked until then. */
  blockedUntil: number | undefined;
}

/**
 * Fixed-window failure counting with a block: after `failures` failed attempts within `windowMs`
 * of the first, a client is blocked for `windowMs` from the last failure.
 *
 * @remarks
 * Only failures are counted (a success clears the client's count), so a busy client with a valid
 * credential is never limited. Memory is bounded by `maxClients` (a `Map` in failure order; the
 * oldest entry is dropped when full), so a flood from many addresses cannot grow it without end.
 */
export class FailureLimiter {
  readonly #options: FailureLimiterOptions;
  readonly #clients = new Map<string, Entry>();

  constructor(options: FailureLimiterOptions) {
    this.#options = options;
  }

  /** Seconds the client must wait (at least 1) when it is blocked at `now`, else `undefined`. */
  blockedFor(client: string, now: number): number | undefined {
    const entry = this.#clients.get(client);
    if (entry?.blockedUntil === undefined) return undefined;
    if (entry.blockedUntil <= now) {
      this.#clients.delete(client);
      return undefined;
    }
    return Math.max(1, Math.ceil((entry.blockedUntil - now) / 1000));
  }

  /** Records a failed authentication of `client` at `now`. */
  fail(client: string, now: number): void {
    const { failures, windowMs, maxClients } = this.#options;
    let entry = this.#clients.get(client);
    if (entry === undefined || now - entry.windowStart >= windowMs) entry = { windowStart: now, count: 0, blockedUntil: undefined };
    entry.count += 1;
    if (entry.count >= failures) entry.blockedUntil = now + windowMs;
    this.#clients.delete(client);
    this.#clients.set(client, entry);
    if (this.#clients.size > maxClients) this.#clients.delete(this.#clients.keys().next().value!);
  }

  /** Forgets the client's failures (it authenticated). */
  succeed(client: string): void {
    this.#clients.delete(client);
  }

  /** Number of clients tracked (for tests and metrics). */
  get size(): number {
    return this.#clients.size;
  }
}
