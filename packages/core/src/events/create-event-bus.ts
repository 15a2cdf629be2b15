import type { Logger } from 'pino';
import type { EventBus, EventName, XcoreEvents } from './event-bus.js';

type Listener = (payload: never) => void | Promise<void>;

/**
 * Creates the in-process {@link EventBus}.
 *
 * @remarks
 * `emit` calls listeners synchronously in subscription order, over a snapshot of the listener list
 * (a listener that unsubscribes or subscribes during delivery does not disturb it). A listener that
 * throws, or returns a promise that rejects, is logged at `error` with the event name under `err`;
 * it never reaches the emitter and never becomes an unhandled rejection.
 *
 * @example
 * ```ts
 * const events = createEventBus(logger);
 * const off = events.on('plugin.started', ({ plugin, durationMs }) => logger.info({ plugin, durationMs }, 'up'));
 * off();
 * ```
 */
export function createEventBus(logger: Logger): EventBus {
  const listeners = new Map<string, Set<Listener>>();
  const log = logger.child({ component: 'events' });

  const report = (event: string, err: unknown): void => {
    log.error({ err, event }, 'event listener failed');
  };

  const on = <E extends EventName>(event: E, listener: (payload: XcoreEvents[E]) => void | Promise<void>): (() => void) => {
    let set = listeners.get(event);
    if (set === undefined) listeners.set(event, (set = new Set()));
    // Wrapped so the same function subscribed twice gets two deliveries and two unsubscribers.
    const entry: Listener = (payload) => listener(payload as XcoreEvents[E]);
    set.add(entry);
    return () => {
      set.delete(entry);
    };
  };

  return {
    on,
    once(event, listener) {
      const off = on(event, (payload) => {
        off();
        return listener(payload);
      });
      return off;
    },
    has(event) {
      const set = listeners.get(event);
      return set !== undefined && set.size > 0;
    },
    emit(event, payload) {
      const set = listeners.get(event);
      if (set === undefined) return;
      for (const listener of [...set]) {
        try {
          const result = (listener as (p: typeof payload) => unknown)(payload);
          if (result !== null && typeof result === 'object' && typeof (result as Promise<unknown>).then === 'function') {
            (result as Promise<unknown>).then(undefined, (err: unknown) => report(event, err));
          }
        } catch (err) {
          report(event, err);
        }
      }
    },
  };
}
