/**
 * A {@link Store} seen through a wrapper that times every call and counts the failed ones, for
 * the store latency and error metrics, without the store knowing.
 */
import type { Store } from '../stores/store.js';

/** Told of each store call: the method's name, its latency in seconds, and whether it failed. */
export type StoreCallListener = (operation: string, seconds: number, failed: boolean) => void;

/** Methods not timed: registration of change listeners is not a store round trip. */
const UNTIMED: ReadonlySet<PropertyKey> = new Set(['onChange', 'constructor']);

/**
 * Wraps `store` so each method call reports to `onCall` (a promise when it settles, a synchronous
 * call when it returns or throws). Results and errors are passed through unchanged; every method
 * runs with the store itself as `this`; other properties (`kind`) are read from the store itself.
 */
export function instrumentStore(store: Store, onCall: StoreCallListener): Store {
  const wrappers = new Map<PropertyKey, unknown>();
  return new Proxy(store, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver);
      if (typeof value !== 'function') return value;
      // Called on the store itself, never on the proxy: a store's private fields (`#hints`) exist
      // only on the store object, so a method called with the proxy as `this` would throw.
      if (UNTIMED.has(key) || typeof key !== 'string') return (value as (...args: unknown[]) => unknown).bind(target);
      let wrapped = wrappers.get(key);
      if (wrapped === undefined) {
        const fn = value as (...args: unknown[]) => unknown;
        wrapped = function timed(this: unknown, ...args: unknown[]): unknown {
          const start = performance.now();
          let result: unknown;
          try {
            result = fn.apply(target, args);
          } catch (error) {
            onCall(key, (performance.now() - start) / 1000, true);
            throw error;
          }
          if (result instanceof Promise) {
            result.then(
              () => onCall(key, (performance.now() - start) / 1000, false),
              () => onCall(key, (performance.now() - start) / 1000, true),
            );
          } else {
            onCall(key, (performance.now() - start) / 1000, false);
          }
          return result;
        };
        wrappers.set(key, wrapped);
      }
      return wrapped;
    },
  });
}
