/**
 * The shutdown's clock and voice: its drain deadline, the step it is in, and a log line at a
 * steady pace saying what it is still waiting for, so a slow drain is never silent.
 */
import type { Logger } from 'pino';
import { setLongTimeout, type LongTimeout } from './long-timeout.js';

/**
 * When a waiting shutdown first logs what it waits for; each later line comes twice as long after
 * the one before, up to {@link SHUTDOWN_PROGRESS_MAX_INTERVAL_MS}. An operator watching a drain of
 * the default 10 s sees it move (at 2, 6 and 14 s), and a drain of hours does not flood the log.
 */
export const SHUTDOWN_PROGRESS_INTERVAL_MS = 2_000;

/** The longest pause between two progress lines of a waiting shutdown. */
export const SHUTDOWN_PROGRESS_MAX_INTERVAL_MS = 60_000;

/** Options of {@link watchShutdown}. */
export interface ShutdownWatchOptions {
  readonly logger: Logger;
  /** The drain deadline, ms from now (`app.shutdownTimeoutMs`). */
  readonly timeoutMs: number;
  /** Aborts the shutdown's signal early (`kernel.stop({ signal })`). */
  readonly external?: AbortSignal;
  /** Work in progress right now (the services' `inProgress`), for the progress lines. */
  readonly inProgress: () => readonly string[];
  /** The first step, e.g. `services draining`. */
  readonly firstStep: string;
  /** Pause before the first progress line. @defaultValue {@link SHUTDOWN_PROGRESS_INTERVAL_MS} */
  readonly intervalMs?: number;
}

/** One shutdown in progress; see {@link watchShutdown}. */
export interface ShutdownWatch {
  /** Aborted at the drain deadline (or by the external signal): what still runs must give up. */
  readonly signal: AbortSignal;
  /** The deadline as a `Date.now()` instant. */
  readonly deadlineAt: number;
  /** Milliseconds left before the deadline; 0 once it passed or the signal aborted. */
  remaining(): number;
  /** Names the step the shutdown is in, e.g. `plugin "reports" onStop`. */
  step(description: string): void;
  /** Stops the clock and the progress lines, and aborts the signal (whatever still runs was abandoned). */
  close(): void;
}

/**
 * Starts the clock of one shutdown.
 *
 * @remarks
 * Once at the start when work is in progress, then after `intervalMs` and at doubling pauses (up
 * to a minute) while the shutdown lasts, logs `shutdown waiting` with the step, the work in
 * progress and the time left (at `warn` once the deadline passed).
 */
export function watchShutdown(options: ShutdownWatchOptions): ShutdownWatch {
  const { logger, timeoutMs, external } = options;
  const deadlineAt = Date.now() + timeoutMs;
  const controller = new AbortController();
  const deadline: LongTimeout = setLongTimeout(() => controller.abort(), timeoutMs);
  const onExternalAbort = (): void => controller.abort();
  external?.addEventListener('abort', onExternalAbort, { once: true });
  if (external?.aborted === true) controller.abort();
  let current = options.firstStep;

  const report = (): void => {
    const running = options.inProgress();
    const remainingMs = Math.max(0, deadlineAt - Date.now());
    const fields = { step: current, running, remainingMs };
    if (remainingMs === 0) logger.warn(fields, 'shutdown waiting past its drain deadline');
    else logger.info(fields, 'shutdown waiting');
  };
  let pause = options.intervalMs ?? SHUTDOWN_PROGRESS_INTERVAL_MS;
  let progress: ReturnType<typeof setTimeout> | undefined;
  const next = (): void => {
    progress = setTimeout(() => {
      report();
      pause = Math.min(pause * 2, SHUTDOWN_PROGRESS_MAX_INTERVAL_MS);
      next();
    }, pause);
    progress.unref();
  };
  next();
  if (options.inProgress().length > 0) report();

  return {
    signal: controller.signal,
    deadlineAt,
    remaining: () => (controller.signal.aborted ? 0 : Math.max(0, deadlineAt - Date.now())),
    step(description) {
      current = description;
    },
    close() {
      clearTimeout(progress);
      deadline.clear();
      external?.removeEventListener('abort', onExternalAbort);
      controller.abort();
    },
  };
}
