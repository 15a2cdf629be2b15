/**
 * Logging a Redis outage once: one `warn` line when the store's first connection fails, one
 * `info` line when every failed connection is back, and the failed reconnection attempts in
 * between only at `debug`.
 *
 * @remarks
 * ioredis emits an `error` at every failed reconnection attempt (every 0.5 s at most, see
 * `RECONNECT_MAX_MS`), on each connection (commands and change-hint subscriber): logged one by one
 * with their stacks, a 30 s outage wrote about 120 warnings. The lines here carry the error's
 * text and code, not its stack; the `debug` lines keep the stack for whoever needs it.
 */
import type { RedisStoreLogger } from './redis-store-options.js';
import type { RedisClient } from './scripts.js';

/** One connection that is down: since when and how many attempts failed. */
interface Down {
  readonly since: number;
  attempts: number;
}

/** Tracks the connections of one store and logs the start and end of each outage once. */
export class ConnectionOutages {
  readonly #down = new Map<string, Down>();
  #outage: { since: number; attempts: number } | undefined;

  constructor(private readonly prefix: string, private readonly logger: RedisStoreLogger, private readonly now: () => number = Date.now) {}

  /** Watches `client`'s errors and reconnections under `role` (`commands`, `subscriber`). */
  watch(client: RedisClient, role: string): void {
    client.on('error', (error: unknown) => this.failed(role, error));
    client.on('ready', () => this.ready(role));
  }

  /** A connection attempt of `role` failed. */
  failed(role: string, error: unknown): void {
    this.logger.debug({ err: error, role, prefix: this.prefix }, 'Redis connection attempt failed');
    const down = this.#down.get(role);
    if (down !== undefined) {
      down.attempts += 1;
      if (this.#outage !== undefined) this.#outage.attempts += 1;
      return;
    }
    this.#down.set(role, { since: this.now(), attempts: 1 });
    if (this.#outage !== undefined) {
      this.#outage.attempts += 1;
      return;
    }
    this.#outage = { since: this.now(), attempts: 1 };
    this.logger.warn(
      { role, prefix: this.prefix, error: textOf(error), ...codeOf(error) },
      'Redis connection lost; reconnecting in the background (logged once until it is back; each attempt at debug)',
    );
  }

  /** A connection of `role` is ready (connected, or reconnected after an outage). */
  ready(role: string): void {
    if (!this.#down.delete(role) || this.#down.size > 0 || this.#outage === undefined) return;
    const { since, attempts } = this.#outage;
    this.#outage = undefined;
    const log = this.logger.info ?? this.logger.warn;
    log.call(this.logger, { prefix: this.prefix, downForMs: this.now() - since, failedAttempts: attempts }, 'Redis connection recovered');
  }
}

/** The message of an error (or the value as text), never its stack. */
function textOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/** `{ code }` of a Node or ioredis error that has one. */
function codeOf(error: unknown): { code?: string } {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? { code } : {};
}
