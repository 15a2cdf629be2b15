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
import type { TriggerSpec, TriggerState } from '../triggers/trigger.js';
import type { ProcessInfo, ProcessPresence, RunRequest, RunRequestInput, RunRequestState, ScheduleCounts, ScheduleFilter, SchedulePage } from './store-operator.js';

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
  /** `true` when the owner lets operators remove the job while it holds it (`AddJobOptions.removable`); absent otherwise. */
  readonly removable?: true;
}

/** The outcome of one run. */
export type RunStatus = 'succeeded' | 'failed' | 'timed_out' | 'aborted' | 'crashed' | 'out_of_memory' | 'missed' | 'skipped';

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
  /** Who asked for a manual run (an operator's run-now: the authenticated principal). */
  readonly requestedBy?: string;
  /** The run request of a manual run asked for through the operator view. */
  readonly requestId?: string;
}

/**
 * Runs that succeeded at their first attempt, as columns: run `i` (`0 <= i < count`) has the
 * record `{ jobId: definitions[i].id, scheduledAt: scheduledAt[i], startedAt: startedAt[i],
 * finishedAt: finishedAt[i], status: 'succeeded', attempts: 1, owner }`, and its job keeps
 * `historyLimits[i]` records. The run path's plain runs are recorded this way, with no object
 * per run (see `RunLifecycle` and {@link Store.recordSucceededNow}).
 */
export interface SucceededRuns {
  /** How many runs the columns hold (their first `count` entries). */
  readonly count: number;
  /** The process that ran them (`RunRecord.owner`). */
  readonly owner: string;
  /** The definition of each run's job (its id, and its owner for the metrics). */
  readonly definitions: readonly (ScheduleDefinition | undefined)[];
  readonly scheduledAt: Float64Array;
  readonly startedAt: Float64Array;
  readonly finishedAt: Float64Array;
  readonly historyLimits: Int32Array;
}

/** Mutable state of a schedule, owned by the store. */
export interface ScheduleState {
  /** Next occurrence (epoch ms), or `null` when the trigger is exhausted. */
  readonly nextRunAt: number | null;
  readonly paused: boolean;
  /** Occurrences recorded so far (for `maxRuns`). */
  readonly runs: number;
  /** Phase anchor (epoch ms): `0` (the epoch) for an interval created without `startDate`; never reset by an unchanged re-registration. */
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

/**
 * A definition with its state.
 *
 * @remarks
 * Read-only: a store may hand out its own stored (deeply frozen) definition object, shared
 * between calls, instead of a copy (the memory store does, so claims allocate no copies).
 */
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
   * Next fire time to use when the schedule is new or its definition changed, computed by the
   * caller. Ignored when the stored hash is unchanged.
   *
   * @remarks
   * On an update the store keeps the stored `state.anchor` unless the trigger `type` changed, so
   * a caller that wants an updated interval to keep its phase computes this from the stored
   * anchor (`get` first); for a new schedule or a changed trigger type, from `anchor`.
   */
  readonly nextRunAt: number | null;
  /** Anchor to store when the schedule is new (the caller's `now`). */
  readonly anchor: number;
  /** Allow replacing a schedule that belongs to another owner. */
  readonly replaceExisting: boolean;
}

/**
 * Result of {@link Store.upsert}.
 *
 * @remarks
 * - `created`: new schedule, `nextRunAt` and `anchor` from the input, `token` 0, `runs` 0.
 * - `unchanged`: same hash; nothing changes (next run, pause state, runs, anchor, history kept).
 * - `updated`: different hash with the same owner, or `replaceExisting`: the definition is
 *   replaced, `nextRunAt` taken from the input, pause state, runs and history kept, the anchor kept
 *   unless the trigger type changed, and an outstanding claim is cancelled (its commit is `stale`).
 * - `conflict`: another owner holds the id and `replaceExisting` is false; nothing changed.
 */
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
  /**
   * Optional: a small integer (>= 0) the store uses for this schedule while it exists, the same in
   * every claim of it and different from every other live schedule's (reused after a removal).
   * Lets a caller keep per-schedule data in an array instead of a map keyed by id (the runner
   * caches handlers this way). A store without such numbers leaves it `undefined`.
   */
  readonly slot?: number;
}

/** What a {@link Store.fireDueNow} pass asks of its caller for each due schedule. */
export interface DueVisitor {
  /**
   * The occurrences to fire of one due schedule and its next run (as `planOccurrences` plans
   * them), or `null` when this caller cannot run it (the schedule stays due). `state` is read
   * during the call only; `slot` is as in {@link Claim.slot}.
   */
  plan(definition: ScheduleDefinition, nextRunAt: number, state: TriggerState, slot: number, now: number): DuePlan | null;
  /** The occurrences the store accepted of the plan `plan` just returned (oldest first; maybe none). */
  committed(accepted: readonly number[]): void;
  /**
   * Called once per pass, before the first `plan`, with the slots ({@link Claim.slot}) of the
   * schedules the pass took, in the order `plan` will see them (`slots[0..count)`; read during
   * the call only): the caller may read what it keeps per slot for all of them at once, so that
   * their cache misses overlap instead of following each other (see `MemoryStore.fireDueNow`).
   */
  gather?(slots: Int32Array, count: number): void;
}

/** The part of a plan {@link Store.fireDueNow} commits. */
export interface DuePlan {
  /** Occurrences to fire (epoch ms), oldest first. */
  readonly fire: readonly number[];
  /** The next fire time, or `null` when the trigger is exhausted. */
  readonly nextRunAt: number | null;
}

/** What one {@link Store.fireDueNow} pass did. */
export interface FiredBatch {
  /** Schedules planned and committed (each `committed` call). */
  readonly count: number;
  /** Due schedules taken, committed or not: `limit` of them means more may be due. */
  readonly taken: number;
  /** The store's clock when it began, epoch ms. */
  readonly now: number;
  /** {@link Store.nextWakeup} with the same `exclude`, after the pass. */
  readonly nextWakeup: number | null;
  /** Ids `plan` returned `null` for, or `undefined` when none. */
  readonly unhandled: readonly string[] | undefined;
}

/**
 * What {@link Store.claimBatch} returns: the claims, with the store's clock and next wakeup read in
 * the same step, so a runner tick needs no separate `now()` or `nextWakeup()` round trip.
 */
export interface ClaimBatch {
  /** As {@link Store.claimDue} returns them. */
  readonly claims: Claim[];
  /** The store's clock (epoch ms) when it claimed. */
  readonly now: number;
  /**
   * {@link Store.nextWakeup} with the same `exclude`, right after the claims: claimed schedules
   * count at their lease end, so a caller that commits them takes the minimum of this and the
   * next fire times it committed. At or before `now` when due schedules were left (`limit` reached).
   */
  readonly nextWakeup: number | null;
  /**
   * An id of the data the store holds, read in the same step: it changes when the store lost
   * everything (a Redis restarted without persistence, a flush), and is `''` while the store
   * holds no data of this kind yet or any more. A caller that registered schedules and sees it
   * empty or changed puts back the ones missing ({@link Store.restore}). `undefined` from a store
   * that cannot lose its data on its own (the memory store).
   */
  readonly generation?: string;
  /**
   * Ids the claim found due whose schedule was gone (a Redis key evicted) or unreadable: they
   * were taken out of the due set, so only this caller hears of them. Restore those it has.
   */
  readonly lost?: readonly string[];
  /**
   * With {@link ClaimOptions.commitAhead}: the schedules committed at once, which the caller
   * dispatches (they are not in `claims`, and count against `limit` with them).
   */
  readonly committed?: readonly CommittedAhead[];
}

/** Input to {@link Store.restore}: a definition as {@link Store.upsert} takes it. */
export type RestoreInput = Omit<UpsertInput, 'replaceExisting'>;

/** Result of {@link Store.restore}. */
export interface RestoreResult {
  /** The ids created (the store had no schedule with that id), in input order. */
  readonly created: readonly string[];
  /** {@link ClaimBatch.generation} after the restore (the store writes one when it has none). */
  readonly generation?: string;
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
  /**
   * Take the run slots of the accepted occurrences in the same atomic step (shared stores).
   *
   * @remarks
   * Each accepted occurrence gets a leased in-flight run (`runs` in the result), so a process
   * that dies after the commit, before or during the run, leaves a slot that expires and is
   * reaped (`recover: true` re-runs it). Omit it when the caller keeps its own slots (a
   * process-local store).
   * @defaultValue no slots
   */
  readonly slots?: CommitSlots;
  /**
   * Optional, with `slots`: the plans of the schedule's next occurrences, made ahead by the
   * caller with the policy, for a claim with {@link ClaimOptions.commitAhead} to commit the next
   * run at once instead of claiming it (a store without that ignores it).
   */
  readonly ahead?: AheadPlan;
}

/**
 * The plans a caller made ahead for a schedule's next occurrences (see {@link CommitItem.ahead}).
 *
 * @remarks
 * Says: when the schedule's next run `o0` (the item's `nextRunAt`) is due, at a store time `now`
 * before `occurrences[0]` and, with a grace, at most `graceMs` after `o0`, the plan fires `o0`
 * alone, misses nothing, and the next run becomes `occurrences[0]`; then the same for
 * `occurrences[0]` up to `occurrences[1]`, and so on. Valid only while the schedule's
 * definition, anchor and run count do not change what the policy decides (no `maxRuns`).
 */
export interface AheadPlan {
  /** The policy's `misfireGraceTimeMs`, floored, or `null` (no limit). */
  readonly graceMs: number | null;
  /** The occurrences after the item's next run, increasing, each the next run after the one before it. */
  readonly occurrences: readonly number[];
  /**
   * Also planned: when the store's `now` is past later occurrences of the list (the caller fell
   * behind), the newest one due (within the grace) fires alone, every one before it from the
   * next run on is missed, and the next run becomes the one after it (`coalesce: 'latest'`).
   */
  readonly catchUp: boolean;
}

/** How {@link Store.claimBatch} claims, beyond {@link Store.claimDue}. */
export interface ClaimOptions {
  /**
   * Commit at once, instead of claiming, each due schedule whose last commit planned its next
   * run ahead ({@link CommitItem.ahead}) while that plan holds: its occurrence is recorded with a
   * counted run slot (as a commit with `slots` of the plan's max and `leaseMs` the claim's lease)
   * and listed in {@link ClaimBatch.committed}; the caller dispatches it as a committed run.
   * @defaultValue false
   */
  readonly commitAhead?: boolean;
}

/** A due schedule a claim committed at once from its plans made ahead (see {@link ClaimOptions.commitAhead}). */
export interface CommittedAhead {
  readonly definition: ScheduleDefinition;
  /** The occurrence recorded. */
  readonly scheduledAt: number;
  /** The schedule's next run after it. */
  readonly nextRunAt: number | null;
  /** Its run, counted (`slotted: true`). */
  readonly run: CommittedRun;
  /** Occurrences the plan missed before it ({@link AheadPlan.catchUp}), `0` when none. */
  readonly missedCount: number;
  /** The oldest and newest of them, when `missedCount > 0`. */
  readonly missed?: { readonly first: number; readonly last: number };
}

/** How {@link Store.commit} takes run slots for an item's accepted occurrences. */
export interface CommitSlots {
  /** `maxInstances`: an occurrence counts as running only while fewer counted slots exist. */
  readonly max: number;
  /** Lease of each slot from the store's `now`; renewed with {@link Store.renewSlots}. */
  readonly leaseMs: number;
}

/** The in-flight run a commit recorded for one accepted occurrence (see {@link CommitItem.slots}). */
export interface CommittedRun {
  /** The run's slot id, for {@link Store.renewSlots}, {@link Store.acquireSlot} and {@link Store.finishRuns}. */
  readonly runId: string;
  /**
   * `true`: the slot counts against `maxInstances` and the run may start. `false`: `max` runs
   * were in progress; the slot is leased (recoverable) but not counted, and the caller takes it
   * later with {@link Store.acquireSlot} (same `runId`) or frees it with {@link Store.finishRuns}.
   */
  readonly slotted: boolean;
}

/** One finished (or skipped) run handed to {@link Store.finishRuns}. */
export interface FinishedRun {
  /** The run's slot to free, when it holds one. */
  readonly slot?: { readonly jobId: string; readonly runId: string };
  /** The record to append to the job's history and set as `lastRun` (as {@link Store.recordRun}). */
  readonly record?: RunRecord;
  /** History length kept for the record's job. */
  readonly historyLimit: number;
}

/** Options of {@link Store.finishRuns}. */
export interface FinishRunsOptions {
  /**
   * An earlier call with some of these runs may have been applied without its answer arriving
   * (it timed out, or the connection dropped after sending): skip each record the job's history
   * already holds instead of appending it twice. A store whose calls either apply or fail before
   * changing anything (the memory store) may ignore it.
   * @defaultValue `false`
   */
  readonly retry?: boolean;
}

/** Result of committing one {@link CommitItem}. */
export type CommitResult =
  | {
    readonly id: string;
    readonly ok: true;
    readonly accepted: readonly number[];
    /** With {@link CommitItem.slots}: one in-flight run per accepted occurrence, in the same order. */
    readonly runs?: readonly CommittedRun[];
  }
  | {
    readonly id: string;
    readonly ok: false;
    /**
     * `stale`: the token is not the schedule's current claim (see {@link Store.commit});
     * `missing`: no such schedule; `corrupt`: the store cannot use the schedule's data (a Redis
     * key of the wrong type, written by something else) and changed nothing for the item.
     */
    readonly reason: 'stale' | 'missing' | 'corrupt';
  };

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
  /**
   * What changed; `reschedule` is {@link Store.setNextRunAt}; `run-request` a new
   * {@link Store.requestRun} and `run-finished` a {@link Store.finishRunRequest} (their `id` is the
   * job's). `connected`: the store's connection came back after it was lost: anything may have
   * changed meanwhile (hints sent then were lost), so listeners look again now rather than at
   * their next poll.
   */
  readonly kind: 'upsert' | 'remove' | 'pause' | 'resume' | 'commit' | 'release' | 'reschedule' | 'run-request' | 'run-finished' | 'connected';
  /** The schedule concerned, when the change touched exactly one. */
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
  /**
   * Puts back schedules the store lost: creates each input the store has no schedule for, as
   * {@link Store.upsert} creates one, in one step per batch; an id the store has is left as it
   * is, whatever its definition (another process may have changed it).
   *
   * @remarks
   * A scheduler calls it with the definitions this process registered when a claim shows that
   * the store lost data ({@link ClaimBatch.generation}, {@link ClaimBatch.lost}). What the store
   * lost besides the definitions (pause state, run counts, history) stays lost.
   */
  restore(inputs: readonly RestoreInput[]): Promise<RestoreResult>;
  /** Removes a schedule with its history; `false` when it did not exist. */
  remove(id: string): Promise<boolean>;
  get(id: string): Promise<StoredSchedule | null>;
  /** Every schedule, optionally only those whose owner is `owner`. */
  list(filter?: { owner?: string }): Promise<StoredSchedule[]>;
  /**
   * Pauses; `false` when missing.
   *
   * @remarks
   * A paused schedule is never claimed and has no wakeup. An outstanding claim stays valid: its
   * commit is accepted (records the occurrences and the next run) and the schedule stays paused.
   */
  pause(id: string): Promise<boolean>;
  /**
   * Resumes with the given next fire time (computed by the caller from now); `false` when missing.
   *
   * @remarks
   * On a schedule that is not paused this changes nothing and returns `true` (so a duplicate
   * resume never moves a running schedule's next fire time).
   */
  resume(id: string, nextRunAt: number | null): Promise<boolean>;
  /**
   * Sets a new next fire time (used by `modify`/`reschedule`), `false` when missing.
   *
   * @remarks
   * Cancels an outstanding claim (its commit becomes `stale`), so a commit planned from the old
   * next run cannot overwrite the new one; the schedule is claimable at `nextRunAt`.
   */
  setNextRunAt(id: string, nextRunAt: number | null): Promise<boolean>;

  /**
   * Hands up to `limit` due, unpaused, unclaimed (or lease-expired) schedules to `owner`.
   * Schedules in `exclude` are never claimed (ids this process has no handler for).
   *
   * @remarks
   * Due means `nextRunAt <= now` (store clock). Each claim increments the schedule's token and
   * leases it until `now + leaseMs`; a lease has expired when `leaseUntil <= now`. Claims come
   * earliest first: by `nextRunAt`, a lapsed claim counting from its lease end. Concurrent callers
   * get disjoint sets.
   *
   * A claim the store applied whose answer `owner` never received (the call rejected as not
   * confirmed, e.g. `XCORE_ERR_REDIS_UNAVAILABLE`), and a claim whose commit failed so, are
   * `owner`'s own: `owner`'s next claim takes them back (new token and lease) instead of leaving
   * them to lapse with their lease. A store whose calls never lose an answer (memory) has none.
   */
  claimDue(owner: string, leaseMs: number, limit: number, exclude?: ReadonlySet<string>): Promise<Claim[]>;
  /**
   * {@link Store.claimDue}, returning the store's clock and next wakeup with the claims, in one
   * step (one round trip on a remote store).
   *
   * @remarks
   * Optional, so a store written against the older contract still works: a caller falls back to
   * `claimDue`, `now` and `nextWakeup`. Claims exactly as `claimDue` does; see {@link ClaimBatch}.
   */
  claimBatch?(owner: string, leaseMs: number, limit: number, exclude?: ReadonlySet<string>, options?: ClaimOptions): Promise<ClaimBatch>;
  /**
   * Claims, plans and commits the due schedules in one synchronous pass, without a claim object,
   * commit item or result per schedule: a process-local store's burst path (a store shared
   * between processes has a round trip between claim and commit, and does not offer it).
   *
   * @remarks
   * Takes due schedules (and lapsed claims) earliest first, as {@link Store.claimDue} would, up to
   * `limit`, skipping `exclude`. For each it asks `visitor.plan`; `null` leaves the schedule due
   * (reported in {@link FiredBatch.unhandled}); a plan is committed as {@link Store.commit} commits
   * an item of the same claim (occurrences not recorded before are accepted, `state.runs` grows,
   * `nextRunAt` is set; any other owner's claim on it is fenced off) and `visitor.committed` gets
   * the accepted occurrences. A `plan` that throws leaves its schedule claimed by `owner` for
   * `leaseMs` (as a claim that was never committed) and the error is thrown once the pass has
   * put every other schedule back. Nothing reaches the visitor's caller during the pass: the
   * visitor only records, and the caller dispatches after it returns.
   */
  fireDueNow?(owner: string, leaseMs: number, limit: number, exclude: ReadonlySet<string> | undefined, visitor: DueVisitor): FiredBatch;
  /**
   * The exactly-once point; see {@link CommitItem}. One atomic step per item, batched.
   *
   * @remarks
   * An item is refused as `missing` when the schedule is gone, and as `stale` unless `owner` holds
   * the schedule's current claim with `token` (refused once another owner re-claimed after the
   * lease expired, after the claim was committed or released, and after `upsert` updated or
   * `setNextRunAt`/`resume` moved the schedule; a lapsed lease nobody re-claimed still commits).
   * Otherwise, atomically: each occurrence in `fire` not recorded before is recorded and returned
   * in `accepted` (in order; an occurrence is never accepted twice, and a store may refuse one
   * earlier than an occurrence it already accepted), `state.runs` grows by the accepted count,
   * `nextRunAt` is set and the claim is released. Only accepted occurrences may be dispatched.
   *
   * A retry of a commit whose answer was lost (the same owner sends the same item again, after
   * the first call was applied and another owner may have claimed and committed since): an item
   * with {@link CommitItem.slots} is answered `ok` with the occurrences the first call accepted
   * whose run slots are still in flight (not finished, freed or reaped), with those slots, their
   * leases renewed; with none left it is `stale`. So a caller that retries a commit after a lost
   * answer dispatches exactly what it recorded, once. Slots carry the claim token, so a commit
   * of another claim naming the same occurrence is still `stale`.
   */
  commit(owner: string, items: readonly CommitItem[]): Promise<CommitResult[]>;
  /**
   * Gives claims back unchanged (no handler here); other owners may claim them at once.
   *
   * @remarks
   * Only claims `owner` still holds with that exact token are released; others are ignored.
   */
  release(owner: string, claims: readonly { id: string; token: number }[]): Promise<void>;

  /**
   * Takes a run slot if fewer than `max` unexpired slots exist for the job.
   *
   * @remarks
   * A slot has expired when `leaseUntil <= now`; expired slots do not count but stay until reaped.
   * Acquiring a run id already held (same job) succeeds again and replaces the slot.
   */
  acquireSlot(slot: RunSlot, max: number): Promise<boolean>;
  /**
   * Extends the leases of this owner's slots to `now + leaseMs`; returns the run ids it still holds.
   *
   * @remarks
   * A slot that expired but was not reaped yet is still held and renewed; a released or reaped
   * one, or one held by another owner, is not.
   */
  renewSlots(owner: string, runIds: readonly { jobId: string; runId: string }[], leaseMs: number): Promise<string[]>;
  releaseSlot(jobId: string, runId: string): Promise<void>;
  /**
   * Removes and returns slots whose process died, so `recover` jobs re-run.
   *
   * @remarks
   * Two passes: the first pass that finds a slot expired marks it suspect and extends its lease
   * by its own length (it keeps counting); a later pass that finds it expired again removes and
   * returns it. Renewing or freeing the slot in between clears it. So a live owner that could not
   * reach the store for a while (a Redis restart) gets one full lease after the store is back to
   * free a finished run's slot before anyone recovers it: a finished run is never re-run.
   */
  reapExpiredSlots(limit: number): Promise<RunSlot[]>;
  /**
   * Frees the slots of finished runs and appends their records, a batch in one atomic step.
   *
   * @remarks
   * Each entry acts as {@link Store.releaseSlot} (when `slot` is given) followed by
   * {@link Store.recordRun} (when `record` is given), in order. One call per batch of finished
   * runs: this is the finish side of a firing, amortised. Freeing a slot is idempotent; with
   * `options.retry` appending a record is too (see {@link FinishRunsOptions.retry}).
   */
  finishRuns(runs: readonly FinishedRun[], options?: FinishRunsOptions): Promise<void>;

  /**
   * Appends a finished run to the bounded history and sets `state.lastRun`.
   *
   * @remarks
   * Keeps the newest `historyLimit` records of the job. A record for a schedule that no longer
   * exists is dropped (removal deletes the history; a late record does not bring it back).
   */
  recordRun(record: RunRecord, historyLimit: number): Promise<void>;

  /**
   * Optional, for a process-local store: {@link Store.recordRun} done synchronously, throwing what
   * `recordRun` would reject with. The run path then writes a record with no promise and no
   * microtask per run (at 100k runs a second that is measurable).
   */
  recordRunNow?(record: RunRecord, historyLimit: number): void;

  /**
   * Optional, for a process-local store: {@link Store.recordRunNow} for many records in one call
   * (`historyLimits[i]` is the limit of `records[i]`), in order. The run path writes the records of
   * one dispatched batch with it: one call (and one timed store call in the metrics) per burst
   * instead of one per run. Throws what `recordRun` would reject with; records before the failing
   * one are written.
   */
  recordRunsNow?(records: readonly RunRecord[], historyLimits: readonly number[]): void;

  /**
   * Optional, for a process-local store: {@link Store.recordRunNow} of each run of `runs` whose
   * history limit is at least 1, in order, without a record object per run (the run path's runs
   * that succeeded at their first attempt, a dispatched batch at a time). Throws what `recordRun`
   * would reject with; runs before the failing one are written.
   */
  recordSucceededNow?(runs: SucceededRuns): void;
  /** Newest first. */
  history(id: string, limit: number): Promise<RunRecord[]>;

  /**
   * Earliest time something may become claimable, or `null` when nothing will.
   *
   * @remarks
   * The minimum over unpaused schedules not in `exclude` of `nextRunAt`, or, for a schedule under
   * an unexpired claim, of its lease end (it becomes claimable again if the claim is never
   * committed). May be in the past (schedules already due).
   */
  nextWakeup(exclude?: ReadonlySet<string>): Promise<number | null>;
  /**
   * Subscribes to change hints; returns an unsubscribe function.
   *
   * @remarks
   * Hints follow mutations (upsert that changed something, remove, pause, resume, setNextRunAt,
   * commit, release) and may be lost or coalesced; a listener that throws never affects the store.
   */
  onChange(listener: (change: StoreChange) => void): () => void;

  // ---------------------------------------------------------------------------------------------
  // The operator view (store-operator.ts): paged listing, run requests, process presence
  // ---------------------------------------------------------------------------------------------

  /**
   * Schedules with an id after `after` (`null`: from the first), in id order, that match `filter`:
   * at most `limit` (>= 1) of them.
   *
   * @remarks
   * Keyset paging: a page continues from the last id seen, so schedules added or removed between
   * calls never make a page repeat or skip another schedule. Order is by code point (UTF-8
   * bytes). See {@link SchedulePage.next} for when to call again.
   */
  listPage(after: string | null, limit: number, filter?: ScheduleFilter): Promise<SchedulePage>;
  /**
   * Counts schedules with an id after `after` (`null`: from the first): all, paused, failing, and
   * runs in progress. A store may count a bounded range per call; sum the calls until `next` is `null`.
   */
  countSchedules(after: string | null): Promise<ScheduleCounts>;

  /**
   * Records a run request; exactly one process will take it ({@link Store.takeRunRequest}).
   *
   * @remarks
   * Publishes a `run-request` hint. The state is kept for an hour after it finished or expired,
   * for {@link Store.runRequest}. The store does not check that the job exists.
   */
  requestRun(input: RunRequestInput): Promise<RunRequestState>;
  /** Pending, unexpired requests, oldest first, at most `limit`; expired ones found are marked `expired`. */
  pendingRunRequests(limit: number): Promise<RunRequest[]>;
  /**
   * Takes a pending request for `owner` in one atomic step: it becomes `running`, taken by
   * `owner`. `null` when it is not pending (another process took it, it finished) or expired.
   */
  takeRunRequest(owner: string, requestId: string): Promise<RunRequest | null>;
  /** Marks a taken request `finished` with the run's record; publishes a `run-finished` hint. */
  finishRunRequest(requestId: string, record: RunRecord): Promise<void>;
  /** A request's state, or `null` when unknown (never made, or past its retention). */
  runRequest(requestId: string): Promise<RunRequestState | null>;

  /** Announces (or renews) that `owner` is alive and what it holds, for `ttlMs`. */
  announce(owner: string, info: ProcessInfo, ttlMs: number): Promise<void>;
  /** The processes whose presence has not lapsed, by owner id. */
  processes(): Promise<ProcessPresence[]>;
  /** Withdraws `owner`'s presence (it stops). */
  leave(owner: string): Promise<void>;

  /**
   * Closes connections; the store is unusable afterwards.
   *
   * @remarks
   * Idempotent. Later calls reject with `XCORE_ERR_STORE_CLOSED` (`StoreClosedError`).
   */
  close(): Promise<void>;
}
