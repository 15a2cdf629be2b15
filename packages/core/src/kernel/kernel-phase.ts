/**
 * The kernel's lifecycle phase: `idle` until `start()`, then `starting`, `started`, `stopping`,
 * `stopped`. One owner, so start, stop and reload agree on what the kernel is doing.
 */
import { KernelStateError } from '../errors.js';

/** Where the kernel is in its lifecycle. */
export type KernelPhase = 'idle' | 'starting' | 'started' | 'stopping' | 'stopped';

/** The phase of one kernel and its allowed transitions. */
export class KernelPhases {
  #phase: KernelPhase = 'idle';

  /** The current phase. */
  get current(): KernelPhase {
    return this.#phase;
  }

  /** `idle` -> `starting`. @throws `XCORE_ERR_KERNEL_STATE` when `start()` was called before. */
  beginStart(): void {
    if (this.#phase !== 'idle') throw new KernelStateError(`start() was already called (the kernel is ${this.#phase})`);
    this.#phase = 'starting';
  }

  /** `starting` -> `started`. */
  started(): void {
    this.#phase = 'started';
  }

  /**
   * `starting`/`started` -> `stopping`, and `true`: there is something to stop. From `idle`,
   * `stopping` or `stopped` the kernel becomes (or stays) `stopped` and this returns `false`.
   */
  beginStop(): boolean {
    if (this.#phase === 'idle' || this.#phase === 'stopping' || this.#phase === 'stopped') {
      this.#phase = 'stopped';
      return false;
    }
    this.#phase = 'stopping';
    return true;
  }

  /** Any phase -> `stopped`. */
  stopped(): void {
    this.#phase = 'stopped';
  }
}
