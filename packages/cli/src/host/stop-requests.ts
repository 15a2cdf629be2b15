/**
 * Stop requests of `xcore start`: the signals that ask the app to stop, and the process kept
 * alive until one comes.
 */
import type { Logger } from '@xcore/core';
import { MAX_TIMER_MS } from '@xcore/core';

/** Signals that stop the app gracefully; a second one forces the exit with 128 + its number. */
export const STOP_SIGNALS = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 } as const;

/** A signal that stops the app. */
export type StopSignal = keyof typeof STOP_SIGNALS;

/** Why the app stops: a signal, or an uncaught exception (see `process-faults.ts`). */
export type StopReason = StopSignal | 'uncaughtException';

/** The stop requests of one run; see {@link watchStopRequests}. */
export interface StopRequests {
  /** Aborted at the first request: a boot in progress stops at its next step. */
  readonly signal: AbortSignal;
  /** Resolves with the reason of the first request. */
  readonly requested: Promise<StopReason>;
  /** The reason of the first request, once there was one. */
  readonly reason: StopReason | undefined;
  /** Requests a stop, as a first signal does (later requests change nothing). */
  request(reason: StopReason): void;
  /** Removes the signal handlers and lets the process exit when nothing else runs. */
  close(): void;
}

/**
 * Listens for SIGINT, SIGTERM and SIGHUP, and keeps the process alive until {@link StopRequests.close}.
 *
 * @remarks
 * The first signal (or {@link StopRequests.request}) asks for a graceful stop. A signal after
 * that calls `forceExit(128 + signal number)` (130 for SIGINT, 143 for SIGTERM, 129 for
 * SIGHUP) without waiting for the drain. The process is kept alive by a timer of its own: an app
 * with nothing scheduled (the scheduler disabled) would otherwise end the moment it started.
 */
export function watchStopRequests(options: { readonly logger: Logger; readonly forceExit: (code: number) => void }): StopRequests {
  const { logger } = options;
  const controller = new AbortController();
  let reason: StopReason | undefined;
  let resolveRequested: (reason: StopReason) => void = () => undefined;
  const requested = new Promise<StopReason>((resolve) => (resolveRequested = resolve));
  const keepAlive = setInterval(() => undefined, MAX_TIMER_MS);

  const request = (why: StopReason): void => {
    if (reason !== undefined) return;
    reason = why;
    controller.abort();
    resolveRequested(why);
  };
  const onSignal = (signal: StopSignal): void => {
    if (reason === undefined) {
      logger.info({ signal }, 'shutdown requested; send the signal again to force exit');
      request(signal);
      return;
    }
    const code = 128 + STOP_SIGNALS[signal];
    logger.warn({ signal, exitCode: code }, 'second signal: forcing exit without waiting for the drain');
    options.forceExit(code);
  };
  for (const signal of Object.keys(STOP_SIGNALS) as StopSignal[]) process.on(signal, onSignal);

  return {
    signal: controller.signal,
    requested,
    get reason() {
      return reason;
    },
    request,
    close() {
      clearInterval(keepAlive);
      for (const signal of Object.keys(STOP_SIGNALS) as StopSignal[]) process.off(signal, onSignal);
    },
  };
}
