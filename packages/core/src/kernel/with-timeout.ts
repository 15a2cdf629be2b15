/** Node's largest timer delay; a longer one would fire after 1 ms instead, so every timer is clamped to it. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Runs `work` and settles with it, or rejects with `onTimeout()` after `timeoutMs`.
 *
 * @remarks
 * The timer is cleared as soon as `work` settles, so it never keeps the process alive. When the
 * timeout wins, a later rejection of `work` is swallowed (it has already been reported as a
 * timeout) so it cannot become an unhandled rejection. A synchronous throw from `work` rejects.
 * Timeouts above 2^31-1 ms (about 24.8 days) are capped there.
 */
export function withTimeout<T>(work: () => T | Promise<T>, timeoutMs: number, onTimeout: () => Error): Promise<T> {
  let promise: Promise<T>;
  try {
    promise = Promise.resolve(work());
  } catch (error) {
    return Promise.reject(error);
  }
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), Math.min(MAX_TIMER_MS, Math.max(0, timeoutMs)));
  });
  promise.catch(() => undefined);
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
