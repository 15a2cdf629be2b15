import type { XcoreEvents } from '../index.js';

export type { XcoreEvents };

/** An event name known to the type system. */
export type EventName = keyof XcoreEvents & string;

/** Typed in-process publish/subscribe shared by the kernel, services and plugins. */
export interface EventBus {
  /** Subscribes; returns a function that unsubscribes. */
  on<E extends EventName>(event: E, listener: (payload: XcoreEvents[E]) => void | Promise<void>): () => void;
  /** Subscribes for one delivery. */
  once<E extends EventName>(event: E, listener: (payload: XcoreEvents[E]) => void | Promise<void>): () => void;
  /**
   * True when `event` has at least one listener.
   *
   * @remarks
   * A map lookup: hot paths call it to skip building a payload nobody receives.
   */
  has(event: EventName): boolean;
  /** Delivers synchronously to every listener; a listener that throws or rejects is logged, never rethrown. */
  emit<E extends EventName>(event: E, payload: XcoreEvents[E]): void;
}
