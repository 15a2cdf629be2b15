/**
 * Keeps this process's run leases alive and reaps the run leases of dead processes.
 *
 * @remarks
 * A run lease is what a run holds in a shared store from its commit until its record is written:
 * it counts against `maxInstances` and lets another process recover the run if this one dies. The
 * store API calls it a run slot (`RunSlot`, `acquireSlot`, `renewSlots`); it is neither a
 * schedule's row in the store nor a Redis Cluster hash slot. Leases expire (so a crashed process
 * frees them). Renewal runs on its own interval timer,
 * every third of the lease (at most every 2^31-1 ms, Node's longest timer: renewing sooner is
 * harmless), so a lease survives two missed renewals; job work running on the
 * event loop cannot starve it unless it blocks the loop for a whole lease. Each pass also reaps
 * expired slots (their process died) and hands them to `onReaped` for `recover: true` jobs, and
 * calls `onPass` (the scheduler retries queued occurrences there). A pass that fails (the store
 * is away) is tried again after {@link LEASE_PASS_RETRY_MS}, not a third of a lease later: the
 * leases it did not renew are running out.
 */
import type { Logger } from 'pino';
import { MAX_TIMER_MS } from '@xcore/core';
import type { RunSlot, Store } from '../stores/store.js';

/** Delay before a failed pass is tried again (the regular pass comes every third of a lease). */
export const LEASE_PASS_RETRY_MS = 1_000;

/** Dependencies of {@link RunLeaseKeeper}. */
export interface RunLeaseKeeperOptions {
  readonly store: Store;
  readonly owner: string;
  readonly leaseMs: number;
  readonly logger: Logger;
  /** Expired run leases removed from the store (another process died mid-run). */
  readonly onReaped: (slots: readonly RunSlot[]) => void;
  /** Called after each pass. */
  readonly onPass?: () => void;
  /** The outcome of each pass (for health): the store error, or `null` when it succeeded. */
  readonly onHealth: (error: unknown) => void;
}

/** Renews held run leases and reaps expired ones on one interval timer. */
export class RunLeaseKeeper {
  /**
   * Held leases by job id and run id: a commit's run id is `<scheduledAt>@<owner>`, so two jobs
   * with the same phase hold leases with the same run id (keyed by run id alone, finishing one
   * job's run stopped renewing the other's lease, which was then reaped and run a second time).
   */
  private readonly held = new Map<string, { jobId: string; runId: string }>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private retry: ReturnType<typeof setTimeout> | undefined;
  private passing = false;

  constructor(private readonly options: RunLeaseKeeperOptions) {}

  /** Lease end for a run lease taken now (store clock). */
  leaseUntil(now: number): number {
    return now + this.options.leaseMs;
  }

  /** Starts the renewal timer. */
  start(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => void this.pass(), Math.min(MAX_TIMER_MS, Math.max(10, Math.floor(this.options.leaseMs / 3))));
    this.timer.unref?.();
  }

  /** Stops the renewal timer. */
  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    if (this.retry !== undefined) clearTimeout(this.retry);
    this.timer = undefined;
    this.retry = undefined;
  }

  /** Tracks a run lease this process holds (renewed on each pass until untracked). */
  track(jobId: string, runId: string): void {
    this.held.set(leaseKey(jobId, runId), { jobId, runId });
  }

  /** Stops tracking a run lease (released, lost or left to lapse). */
  untrack(jobId: string, runId: string): void {
    this.held.delete(leaseKey(jobId, runId));
  }

  /** One renewal and reap pass (exposed for tests). */
  async pass(): Promise<void> {
    if (this.passing) return;
    this.passing = true;
    const { store, owner, leaseMs, logger } = this.options;
    try {
      if (this.held.size > 0) {
        const runs = [...this.held.values()];
        const kept = new Set(await store.renewSlots(owner, runs, leaseMs));
        for (const run of runs) {
          const key = leaseKey(run.jobId, run.runId);
          if (!kept.has(run.runId) && this.held.has(key)) {
            logger.warn({ job: run.jobId, runId: run.runId }, 'run slot lease lost (the store expired it); maxInstances may be exceeded');
            this.held.delete(key);
          }
        }
      }
      const reaped = await store.reapExpiredSlots(100);
      if (reaped.length > 0) this.options.onReaped(reaped);
      this.options.onHealth(null);
    } catch (error) {
      this.options.onHealth(error);
      if (this.timer !== undefined && this.retry === undefined) {
        this.retry = setTimeout(() => {
          this.retry = undefined;
          void this.pass();
        }, LEASE_PASS_RETRY_MS);
        this.retry.unref?.();
      }
    } finally {
      this.passing = false;
    }
    this.options.onPass?.();
  }
}

/** The key of a held lease: run ids are unique per job, not across jobs. */
function leaseKey(jobId: string, runId: string): string {
  return `${jobId}\n${runId}`;
}
