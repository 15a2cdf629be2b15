/**
 * Takes the run requests (an operator's run-now) this process can run and runs them.
 *
 * @remarks
 * A request names a job; any process sharing the store may have that job's handler, or none.
 * Each process looks at the pending requests when the store hints a new one (`run-request`) and,
 * on a shared store, every `pollMs` as well (hints can be lost), and tries to take those whose
 * handler it has. Taking is one atomic store step, so of all processes with the handler exactly
 * one runs the request. The run's record (manual, with who asked) goes to the job's history and
 * to the request, where the requester reads it.
 */
import type { Logger } from 'pino';
import type { RunRecord, Store } from '../stores/store.js';
import type { RunRequest } from '../stores/store-operator.js';

/** Dependencies of {@link RunRequestTaker}. */
export interface RunRequestTakerOptions {
  readonly store: Store;
  /** This process's owner id. */
  readonly owner: string;
  readonly logger: Logger;
  /** True when this process has the job's handler. */
  has(jobId: string): boolean;
  /** Runs a taken request and resolves to its record (never rejects). */
  run(request: RunRequest): Promise<RunRecord>;
  /** The outcome of its store calls, for health: an error, or `null` after a look that worked. */
  onHealth(error: unknown): void;
  /** How often to look without a hint; `0`: only on hints (a process-local store delivers every hint). */
  readonly pollMs: number;
}

/** Pending requests read per look. */
const BATCH = 100;

/** Takes and runs the run requests this process has handlers for. */
export class RunRequestTaker {
  private unsubscribe: (() => void) | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private looking: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly options: RunRequestTakerOptions) {}

  /** Starts looking (on hints, and every `pollMs`). Idempotent. */
  start(): void {
    if (this.unsubscribe !== undefined || this.stopped) return;
    this.unsubscribe = this.options.store.onChange((change) => {
      if (change.kind === 'run-request' && (change.id === undefined || this.options.has(change.id))) this.look();
    });
    if (this.options.pollMs > 0) {
      this.timer = setInterval(() => this.look(), this.options.pollMs);
      this.timer.unref?.();
    }
    this.look();
  }

  /** Stops taking requests and resolves once the runs it started have finished and been recorded. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    if (this.timer !== undefined) clearInterval(this.timer);
    await this.looking;
    await Promise.all([...this.running]);
  }

  /** Looks at pending requests now (or once more after the look in progress). */
  look(): void {
    if (this.stopped) return;
    if (this.looking !== undefined) {
      this.again = true;
      return;
    }
    this.looking = this.pass().finally(() => {
      this.looking = undefined;
      if (this.again) {
        this.again = false;
        this.look();
      }
    });
  }

  private async pass(): Promise<void> {
    const { store, owner } = this.options;
    try {
      const pending = await store.pendingRunRequests(BATCH);
      for (const request of pending) {
        if (this.stopped) return;
        if (!this.options.has(request.jobId)) continue;
        const taken = await store.takeRunRequest(owner, request.requestId);
        if (taken !== null) this.execute(taken);
      }
      this.options.onHealth(null);
    } catch (error) {
      this.options.onHealth(error);
    }
  }

  private execute(request: RunRequest): void {
    const { store, logger } = this.options;
    logger.info({ job: request.jobId, requestId: request.requestId, requestedBy: request.requestedBy }, 'running a job on request');
    const done = this.options
      .run(request)
      .then((record) => store.finishRunRequest(request.requestId, record))
      .catch((error: unknown) => {
        logger.error({ err: error, job: request.jobId, requestId: request.requestId }, 'could not record the outcome of a requested run on its request (the job history has it)');
        this.options.onHealth(error);
      })
      .finally(() => this.running.delete(done));
    this.running.add(done);
  }
}
