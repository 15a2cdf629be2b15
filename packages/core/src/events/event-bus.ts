/**
 * The map of event names to payload types, extended by declaration merging.
 *
 * @remarks
 * `declare module '@xcore/core' { interface XcoreEvents { 'orders.created': { id: string } } }`
 * makes `ctx.events.emit('orders.created', { id })` and `on('orders.created', ...)` typed.
 */
export interface XcoreEvents {
  /** A plugin has started. */
  'plugin.started': { plugin: string; durationMs: number };
  /** A plugin has stopped. */
  'plugin.stopped': { plugin: string };
  /** A plugin failed in a hook and was isolated. */
  'plugin.failed': { plugin: string; hook: string; error: unknown };
}

/** An event name known to the type system. */
export type EventName = keyof XcoreEvents & string;

/** Typed in-process publish/subscribe shared by the kernel, services and plugins. */
export interface EventBus {
  /** Subscribes; returns a function that unsubscribes. */
  on<E extends EventName>(event: E, listener: (payload: XcoreEvents[E]) => void | Promise<void>): () => void;
  /** Subscribes for one delivery. */
  once<E extends EventName>(event: E, listener: (payload: XcoreEvents[E]) => void | Promise<void>): () => void;
  /** Delivers synchronously to every listener; a listener that throws or rejects is logged, never rethrown. */
  emit<E extends EventName>(event: E, payload: XcoreEvents[E]): void;
}
