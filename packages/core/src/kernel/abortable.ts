/**
 * `work`, or a rejection with `signal.reason` as soon as `signal` aborts.
 *
 * @remarks
 * For waits that cannot be cancelled (an import, a plugin hook) but that a caller must stop
 * waiting for: when the signal wins, the work goes on unobserved and a later rejection of it is
 * swallowed (it cannot become an unhandled rejection). Without a signal this is `work` itself;
 * with one already aborted it rejects at once.
 *
 * @example
 * ```ts
 * const mod = await abortable(import(url), bootSignal);
 * ```
 */
export function abortable<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return work;
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.reject(signal.reason as unknown);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as unknown);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
