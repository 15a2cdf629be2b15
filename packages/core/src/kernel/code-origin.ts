/**
 * Which plugin or job a piece of code runs for, followed through timers and promises, so a host
 * can say where an uncaught exception or a floating rejection came from.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

/** Who code runs for: a plugin (its hooks and actions), and a job when it is a scheduled run. */
export interface CodeOrigin {
  /** The plugin, when the code belongs to one. */
  readonly plugin?: string;
  /** The job id, when the code is a scheduled run or was started by one. */
  readonly job?: string;
}

interface OriginTracker {
  storage: AsyncLocalStorage<CodeOrigin> | undefined;
}

// One tracker per process, shared by every copy of @xcore/core (a plugin's own copy included).
const KEY = Symbol.for('xcore.code-origin');
const tracker: OriginTracker = ((globalThis as Record<symbol, unknown>)[KEY] as OriginTracker | undefined) ??
  ((globalThis as Record<symbol, unknown>)[KEY] = { storage: undefined } as OriginTracker);

/**
 * Turns origin tracking on for this process; until then the functions below cost nothing.
 *
 * @remarks
 * The `xcore` command turns it on, so its handlers for uncaught exceptions and unhandled
 * rejections can name the plugin or job they came from (timers and promises a job starts keep its
 * origin). Tracking uses an `AsyncLocalStorage`, which on Node 20 adds a few hundred nanoseconds
 * to each promise the process creates: a library host that does not report origins leaves it off.
 * Idempotent.
 */
export function trackCodeOrigins(): void {
  tracker.storage ??= new AsyncLocalStorage<CodeOrigin>();
}

/** True once {@link trackCodeOrigins} was called in this process. */
export function codeOriginsTracked(): boolean {
  return tracker.storage !== undefined;
}

/** Runs `fn` with `origin` as the origin of everything it starts (when tracking is on). */
export function runWithOrigin<T>(origin: CodeOrigin, fn: () => T): T {
  return tracker.storage === undefined ? fn() : tracker.storage.run(origin, fn);
}

/**
 * `fn`, wrapped so each call runs with `origin` (see {@link runWithOrigin}); `fn` itself when
 * tracking is off at the time of the call to `bindOrigin`.
 */
export function bindOrigin<A extends unknown[], R>(origin: CodeOrigin, fn: (...args: A) => R): (...args: A) => R {
  const storage = tracker.storage;
  if (storage === undefined) return fn;
  return function (this: unknown, ...args: A): R {
    return storage.run(origin, () => fn.apply(this, args));
  };
}

/** The origin of the code running now, or `undefined` (tracking off, or code of the host itself). */
export function currentOrigin(): CodeOrigin | undefined {
  return tracker.storage?.getStore();
}
