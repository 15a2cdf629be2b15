/**
 * The change listeners of a store (`Store.onChange`): subscribe, deliver, and contain their errors.
 *
 * @remarks
 * Pure bookkeeping, no I/O. A listener that throws never reaches the store's caller and never
 * keeps the other listeners from hearing the change; its error goes to `onError`. Delivery walks
 * a copy of the set, so a listener may unsubscribe (itself or another) while being called.
 */
import type { StoreChange } from './store.js';

/** A `Store.onChange` listener. */
export type ChangeListener = (change: StoreChange) => void;

/**
 * The set of listeners of one store.
 *
 * @example
 * ```ts
 * const listeners = new ChangeListeners((err, change) => logger.warn({ err, change }, 'store change listener threw'));
 * const off = listeners.add((change) => runner.wake());
 * listeners.emit('upsert', 'job-1');
 * off();
 * ```
 */
export class ChangeListeners {
  private readonly listeners = new Set<ChangeListener>();

  /** @param onError - told of each error a listener throws; by default errors are dropped. */
  constructor(private readonly onError?: (error: unknown, change: StoreChange) => void) {}

  /** Subscribes `listener`; returns the function that unsubscribes it. */
  add(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Tells every listener of a change of `kind` (to schedule `id` when it is one schedule). */
  emit(kind: StoreChange['kind'], id?: string): void {
    if (this.listeners.size === 0) return;
    this.deliver(id === undefined ? { kind } : { kind, id });
  }

  /** Tells every listener of `change`. */
  deliver(change: StoreChange): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(change);
      } catch (error) {
        this.onError?.(error, change);
      }
    }
  }

  /** Drops every listener. */
  clear(): void {
    this.listeners.clear();
  }
}
