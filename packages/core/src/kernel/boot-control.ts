/**
 * One boot's answer to a stop request: the step it is in, and the signal that ends it there.
 */
import { BootAbortedError } from '../errors.js';

/** The control of one `kernel.start()`; see {@link controlBoot}. */
export interface BootControl {
  /** Aborted (with `XCORE_ERR_BOOT_ABORTED` naming the step) when a stop is requested. */
  readonly signal: AbortSignal;
  /** Ends boot here (throws the abort reason) when a stop was requested; otherwise names the next step. */
  checkpoint(next: string): void;
  /** True for the rejection a boot step ends with because a stop was requested. */
  isAbort(error: unknown): boolean;
  /** Stops following the caller's signal (boot ended, either way). */
  close(): void;
}

/** Follows `external` (the caller's stop request) for one boot. */
export function controlBoot(external: AbortSignal | undefined): BootControl {
  const controller = new AbortController();
  let step = 'discovering plugins';
  const onAbort = (): void => controller.abort(new BootAbortedError(step));
  external?.addEventListener('abort', onAbort, { once: true });
  if (external?.aborted === true) onAbort();
  const { signal } = controller;
  return {
    signal,
    checkpoint(next) {
      signal.throwIfAborted();
      step = next;
    },
    isAbort: (error) => signal.aborted && error === signal.reason,
    close() {
      external?.removeEventListener('abort', onAbort);
    },
  };
}
