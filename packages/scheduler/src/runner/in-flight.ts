/**
 * The count of work in flight on the run path (runs, and the store writes they leave behind), so
 * the drain on shutdown can wait for it.
 */

/**
 * Counts work in flight and resolves {@link InFlight.whenIdle} waiters when it reaches zero.
 *
 * @example
 * ```ts
 * const inflight = new InFlight();
 * await inflight.track(store.recordRun(record, 20));
 * await inflight.whenIdle();
 * ```
 */
export class InFlight {
  private count = 0;
  private idleWaiters: (() => void)[] = [];

  /** True while some work is in flight. */
  get busy(): boolean {
    return this.count > 0;
  }

  /** Counts one piece of work; each call is matched by one {@link InFlight.end}. */
  begin(): void {
    this.count += 1;
  }

  /** Ends `n` pieces of work counted with {@link InFlight.begin}. */
  end(n = 1): void {
    this.count -= n;
    if (this.count === 0 && this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  /** Counts `work` until it settles; resolves or rejects as it does. */
  track<T>(work: Promise<T>): Promise<T> {
    this.begin();
    return work.then(
      (value) => {
        this.end();
        return value;
      },
      (error: unknown) => {
        this.end();
        throw error;
      },
    );
  }

  /** Resolves once nothing is in flight. */
  whenIdle(): Promise<void> {
    return this.count === 0 ? Promise.resolve() : new Promise((resolve) => this.idleWaiters.push(resolve));
  }
}
