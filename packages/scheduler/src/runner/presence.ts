/**
 * Keeps this process's presence in the store: who it is and which jobs it holds handlers for,
 * renewed on a timer, withdrawn when it stops.
 *
 * @remarks
 * Operators read the presences of every process sharing the store (`Store.processes`): how many
 * processes run, and whether some live process holds a job (which decides whether it may be
 * removed or run now). The presence lapses after `ttlMs` unless renewed, so a process that died
 * without leaving is forgotten within one lease.
 */
import { MAX_TIMER_MS } from '@xcore/core';
import type { Store } from '../stores/store.js';
import type { ProcessInfo } from '../stores/store-operator.js';

/** Dependencies of {@link PresenceKeeper}. */
export interface PresenceKeeperOptions {
  readonly store: Store;
  /** This process's owner id. */
  readonly owner: string;
  /** How long an announcement lasts; renewed every third of it. */
  readonly ttlMs: number;
  /** What this process holds right now. */
  info(): ProcessInfo;
  /** The outcome of its store calls, for health: an error, or `null` after an announcement that worked. */
  onHealth(error: unknown): void;
}

/** Announces this process on a timer. */
export class PresenceKeeper {
  private timer: ReturnType<typeof setInterval> | undefined;
  private announcing: Promise<void> | undefined;

  constructor(private readonly options: PresenceKeeperOptions) {}

  /** Announces now and every third of the ttl. Idempotent. */
  start(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => void this.announce(), Math.min(MAX_TIMER_MS, Math.max(10, Math.floor(this.options.ttlMs / 3))));
    this.timer.unref?.();
    void this.announce();
  }

  /** Announces now (exposed for callers that just changed what the process holds). */
  announce(): Promise<void> {
    if (this.announcing !== undefined) return this.announcing;
    const { store, owner, ttlMs } = this.options;
    this.announcing = store
      .announce(owner, this.options.info(), ttlMs)
      .then(() => this.options.onHealth(null), (error: unknown) => this.options.onHealth(error))
      .finally(() => {
        this.announcing = undefined;
      });
    return this.announcing;
  }

  /** Announces now if started (what this process holds just changed: a plugin stopped). */
  refresh(): void {
    if (this.timer !== undefined) void this.announce();
  }

  /** Stops renewing and withdraws the presence (errors are reported, not thrown). */
  async stop(): Promise<void> {
    if (this.timer === undefined) return;
    clearInterval(this.timer);
    this.timer = undefined;
    await this.announcing;
    await this.options.store.leave(this.options.owner).catch((error: unknown) => this.options.onHealth(error));
  }
}
