import { abortable } from './abortable.js';
import { setLongTimeout, type LongTimeout } from './long-timeout.js';

/**
 * Runs `work` and settles with it, or rejects with `onTimeout()` after `timeoutMs`, or with
 * `signal.reason` as soon as `signal` aborts.
 *
 * @remarks
 * The timer is cleared as soon as `work` settles or `signal` aborts, so it never keeps the
 * process alive. When the timeout or the signal wins, a later rejection of `work` is swallowed
 * (it has already been reported) so it cannot become an unhandled rejection. A synchronous throw
 * from `work` rejects. A timeout past 2^31-1 ms (about 24.8 days) is waited in full
 * ({@link setLongTimeout}).
 */
export function withTimeout<T>(work: () => T | Promise<T>, timeoutMs: number, onTimeout: () => Error, signal?: AbortSignal): Promise<T> {
  let promise: Promise<T>;
  try {
    promise = Promise.resolve(work());
  } catch (error) {
    return Promise.reject(error);
  }
  let timer: LongTimeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setLongTimeout(() => reject(onTimeout()), timeoutMs);
  });
  promise.catch(() => undefined);
  return abortable(Promise.race([promise, timeout]), signal).finally(() => timer?.clear());
}
