/**
 * The Store contract: the one seam between the scheduler and its backend.
 *
 * @remarks
 * `MemoryStore` and `RedisStore` implement it and run through the same contract suite
 * (`stores/store-contract.ts`). All times are epoch milliseconds on the store's clock
 * ({@link Store.now}); for Redis that is Redis's `TIME`, so process clock skew does not matter.
 *
 * The exactly-once point is {@link Store.commit}: a claimed schedule's occurrences are recorded
 * there, atomically with advancing the next fire time, and only occurrences the store accepts are
 * dispatched. Trigger and policy math is done by the caller (pure functions shared by all stores);
 * the store only stores, claims, checks tokens and records.
 */
import type { TriggerSpec } from '../triggers/trigger.js';

/** How missed occurrences are handled after downtime. */
export type CoalesceMode = 'all' | 'earliest' | 'latest' | 'skip';

/** Run policy of a schedule, persisted with its definition. */
export interface SchedulePolicy {
  /** An occurrence later than this past its time is missed, not run. `null` means no limit. */
  readonly misfireGraceTimeMs: number | null;
  /** What runs when several occurrences are due at once. */
  readonly coalesce: CoalesceMode;
  /** Upper bound on the occurrences `coalesce: 'all'` runs in one catch-up. */
  readonly maxCatchUp: number;
  /** Concurrent runs allowed across all processes. */
  readonly maxInstances: number;
  /** When `maxInstances` is reached: `skip` the occurrence (with an event) or `queue` it. */
  readonly overlap: 'skip' | 'queue';
  /** Random delay added to each run, clamped so a run never passes the next fire time. */
  readonly jitterMs: number;
  /** Run timeout; the run's AbortSignal is aborted when it passes. `null` means none. */
  readonly timeoutMs: number | null;
  /** Retries after a failed attempt (exponential backoff with jitter). */
  readonly retries: number;
  /** Base delay of the retry backoff. */
  readonly retryDelayMs: number;
  /** Re-run an occurrence whose process died mid-run (at least once for that occurrence). */
  readonly recover: boolean;
}

/** A schedule's definition: what callers register. */
export interface ScheduleDefinition {
  /** Fully qualified id: `<owner>:<local id>` for plugin jobs, the YAML id for global jobs. */
  readonly id: string;
  /** Who registered it: a plugin name, or `config` for `xcore.yaml` jobs, or `app`. */
  readonly owner: string;
  readonly trigger: TriggerSpec;
  readonly policy: SchedulePolicy;
  /** JSON-serialisable arguments passed to every run. */
  readonly args: readonly unknown[];
}

/** The outcome of one run. */
export type RunStatus = 'succeeded' | 'failed' | 'timed_out' | 'aborted' | 'missed' | 'skipped';

/** One entry of a schedule's run history. */
export interface RunRecord {
  readonly jobId: string;
  /** Epoch ms of the occurrence (the trigger time), or of the request for a manual run. */
  readonly scheduledAt: number;
  readonly startedAt: number | null;
  readonly finishedAt: number | null;
  readonly status: RunStatus;
  /** Attempts made (1 = no retry). */
  readonly attempts: number;
  /** Error message, when the run failed or timed out. */
  readonly error?: string;
  /** Which process ran it. */
  readonly owner?: string;
  /** `true` for `runJob(id)` runs outside the schedule. */
  readonly manual?: boolean;
}

/** Mutable state of a schedule, owned by the store. */
export interface ScheduleState {
  /** Next occurrence (epoch ms), or `null` when the trigger is exhausted. */
  readonly nextRunAt: number | null;
  readonly paused: boolean;
  /** Occurrences recorded so far (for `maxRuns`). */
  readonly runs: number;
  /** Phase anchor (epoch ms of first registration); never reset by an unchanged re-registration. */
  readonly anchor: number;
  readonly createdAt: number;
  readonly updatedAt: number;
  /** The most recent finished run, if any. */
  readonly lastRun: RunRecord | null;
  /** Fingerprint of the definition (trigger, policy, args, owner). */
  readonly hash: string;
  /** Claim token counter: the token of the latest claim (0 when never claimed). */
  readonly token: number;
}

/** A definition with its state. */
export interface StoredSchedule {
  readonly definition: ScheduleDefinition;
  readonly state: ScheduleState;
}

/** Input to {@link Store.upsert}. */
export interface UpsertInput {
  readonly definition: ScheduleDefinition;
  /** Fingerprint of the definition, computed by the caller (`scheduleHash`). */
  readonly hash: string;
  /**
   * Next fire time to use when the schedule is new or its trigger changed, computed by the
   * caller from the definition with `anchor = now`. Ignored when the stored hash is unchanged.
   */
  readonly nextRunAt: number | null;
  /** Anchor to store when the schedule is new (the caller's `now`). */
  readonly anchor: number;
  /** Allow replacing a schedule that belongs to another owner. */
  readonly replaceExisting: boolean;
}

/** Result of {@link Store.upsert}. */
export type UpsertResult =
  | { readonly status: 'created' | 'unchanged' | 'updated'; readonly schedule: StoredSchedule }
  | { readonly status: 'conflict'; readonly existingOwner: string };

/** A schedule handed to one owner by {@link Store.claimDue}. */
export interface Claim {
  readonly schedule: StoredSchedule;
  /** Fencing token: strictly increasing per schedule; {@link Store.commit} refuses a stale one. */
  readonly token: number;
  /** Epoch ms when the claim lapses and another owner may claim the schedule. */
  readonly leaseUntil: number;
}

/** What the owner decided for one claim, sent to {@link Store.commit}. */
export interface CommitItem {
  readonly id: string;
  readonly token: number;
  /** Occurrences to record and dispatch (scheduledAt, epoch ms). */
  readonly fire: readonly number[];
  /** How many occurrences were missed (not dispatched) since the last commit. */
  readonly missedCount: number;
  /** The new next fire time, or `null` when exhausted. */
  readonly nextRunAt: number | null;
}

/** Result of committing one {@link CommitItem}. */
export type CommitResult =
  | { readonly id: string; readonly ok: true; readonly accepted: readonly number[] }
  | { readonly id: string; readonly ok: false; readonly reason: 'stale' | 'missing' };

/** A leased run slot held for a run in progress (for `maxInstances` and `recover`). */
export interface RunSlot {
  readonly jobId: string;
  /** Unique id of this run (used as the slot key). */
  readonly runId: string;
  readonly scheduledAt: number;
  readonly owner: string;
  readonly leaseUntil: number;
}

/** Change hints a store publishes; listeners re-check `nextWakeup`. Hints can be lost. */
export interface StoreChange {
  readonly kind: 'upsert' | 'remove' | 'pause' | 'resume' | 'commit' | 'release';
  readonly id?: string;
}

/** The backend contract every store implements. */
export interface Store {
  /** `memory` or `redis`. */
  readonly kind: string;
  /** The store's clock, epoch ms. */
  now(): Promise<number>;

  /** Idempotent register: unchanged definition keeps phase, pause state and history. */
  upsert(input: UpsertInput): Promise<UpsertResult>;
  /** Removes a schedule with its history; `false` when it did not exist. */
  remove(id: string): Promise<boolean>;
  get(id: string): Promise<StoredSchedule | null>;
  /** Every schedule, optionally only those whose owner is `owner`. */
  list(filter?: { owner?: string }): Promise<StoredSchedule[]>;
  /** Pauses; `false` when missing. */
  pause(id: string): Promise<boolean>;
  /** Resumes with the given next fire time (computed by the caller from now); `false` when missing. */
  resume(id: string, nextRunAt: number | null): Promise<boolean>;
  /** Sets a new next fire time (used by `modify`/`reschedule`), `false` when missing. */
  setNextRunAt(id: string, nextRunAt: number | null): Promise<boolean>;

  /**
   * Hands up to `limit` due, unpaused, unclaimed (or lease-expired) schedules to `owner`.
   * Schedules in `exclude` are never claimed (ids this process has no handler for).
   */
  claimDue(owner: string, leaseMs: number, limit: number, exclude?: ReadonlySet<string>): Promise<Claim[]>;
  /** The exactly-once point; see {@link CommitItem}. One atomic step per item, batched. */
  commit(owner: string, items: readonly CommitItem[]): Promise<CommitResult[]>;
  /** Gives claims back unchanged (no handler here); other owners may claim them at once. */
  release(owner: string, claims: readonly { id: string; token: number }[]): Promise<void>;

  /** Takes a run slot if fewer than `max` unexpired slots exist for the job. */
  acquireSlot(slot: RunSlot, max: number): Promise<boolean>;
  /** Extends the leases of this owner's slots; returns the run ids it still holds. */
  renewSlots(owner: string, runIds: readonly { jobId: string; runId: string }[], leaseMs: number): Promise<string[]>;
  releaseSlot(jobId: string, runId: string): Promise<void>;
  /** Removes and returns slots whose lease expired (their process died) so `recover` jobs re-run. */
  reapExpiredSlots(limit: number): Promise<RunSlot[]>;

  /** Appends a finished run to the bounded history and sets `state.lastRun`. */
  recordRun(record: RunRecord, historyLimit: number): Promise<void>;
  /** Newest first. */
  history(id: string, limit: number): Promise<RunRecord[]>;

  /** Earliest `nextRunAt` among unpaused schedules (ignoring `exclude`), or `null`. */
  nextWakeup(exclude?: ReadonlySet<string>): Promise<number | null>;
  /** Subscribes to change hints; returns an unsubscribe function. */
  onChange(listener: (change: StoreChange) => void): () => void;
  /** Closes connections; the store is unusable afterwards. */
  close(): Promise<void>;
}
