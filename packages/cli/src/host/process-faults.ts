/**
 * The host's policy for errors no code caught: floating promise rejections and uncaught
 * exceptions, typically from a timer or promise a plugin or job started and did not await.
 */
import type { Logger } from '@xcore/core';
import { currentOrigin, trackCodeOrigins } from '@xcore/core';

/** The faults seen so far; see {@link watchProcessFaults}. */
export interface ProcessFaults {
  /** Promise rejections nobody handled, logged and counted. */
  readonly unhandledRejections: number;
  /** Exceptions nobody caught; the first one stopped the app. */
  readonly uncaughtExceptions: number;
  /** The first uncaught exception, if any. */
  readonly firstUncaught: unknown;
  /** Removes the handlers (Node's defaults apply again). */
  close(): void;
}

/**
 * Installs the host's handlers for `unhandledRejection` and `uncaughtException`.
 *
 * @remarks
 * Policy:
 * - a **floating rejection** (a promise nobody awaited or caught) is logged at `error` with the
 *   plugin and job it came from when known, and counted; the app keeps running (one forgotten
 *   `await` in one job must not take every other job down);
 * - an **uncaught exception** (a throw in a timer or event handler) is logged at `fatal` with its
 *   origin, and `onUncaught` is called once: the command stops the app gracefully and exits with
 *   code 70. Further ones while stopping are logged and counted.
 *
 * Origins come from {@link trackCodeOrigins}, turned on here with `origins` (`app.faultOrigins`):
 * code that a plugin hook, a plugin action or a scheduled run started (timers, promises) carries
 * `{ plugin, job }`.
 */
export function watchProcessFaults(options: { readonly logger: Logger; readonly origins: boolean; readonly onUncaught: (error: unknown) => void }): ProcessFaults {
  const { logger } = options;
  if (options.origins) trackCodeOrigins();
  let unhandledRejections = 0;
  let uncaughtExceptions = 0;
  let firstUncaught: unknown;

  const onRejection = (reason: unknown): void => {
    unhandledRejections += 1;
    logger.error(
      { err: reason, ...currentOrigin(), unhandledRejections },
      'unhandled promise rejection (a promise nobody awaited or caught); logged and counted, the app keeps running',
    );
  };
  const onException = (error: unknown): void => {
    uncaughtExceptions += 1;
    const first = uncaughtExceptions === 1;
    if (first) firstUncaught = error;
    logger.fatal(
      { err: error, ...currentOrigin(), uncaughtExceptions },
      first ? 'uncaught exception: stopping the app gracefully, then exiting with code 70' : 'uncaught exception while stopping',
    );
    if (first) options.onUncaught(error);
  };
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);

  return {
    get unhandledRejections() {
      return unhandledRejections;
    },
    get uncaughtExceptions() {
      return uncaughtExceptions;
    },
    get firstUncaught() {
      return firstUncaught;
    },
    close() {
      process.off('unhandledRejection', onRejection);
      process.off('uncaughtException', onException);
    },
  };
}
