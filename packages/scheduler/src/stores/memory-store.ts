/**
 * The in-process {@link Store}: the default backend, and the reference for the contract.
 *
 * @remarks
 * Everything is synchronous under the `async` signatures, so each method is one atomic step.
 * Built for 100k+ schedules firing every second: two indexed binary min-heaps, unclaimed
 * schedules keyed by `nextRunAt` and claimed ones keyed by lease end (O(log n) claim, commit,
 * update, remove; the next wakeup is the smaller root). A claim pops the due heap's root and a
 * commit pushes the next run at the due heap's end, where it usually stays, so firing costs
 * about one heap pop like a bare timer loop. Times live in typed-array rows instead of boxed numbers, no
 * timers or closures per schedule, and claims that hand out the stored (deeply frozen) definition
 * instead of a copy.
 */
import { StoreClosedError } from '../errors.js';
import { Entry } from './memory-entry.js';
import { deepFreeze } from './deep-freeze.js';
import { checkAtLeastOne, checkTime, checkUpsertInput } from './store-input.js';
import { RecentClaims } from './recent-claims.js';
import { ChangeListeners } from './change-listeners.js';
import { acceptAfter } from './occurrence-watermark.js';
import { IndexedMinHeap } from './indexed-heap.js';
import { SlotTable } from './memory-slots.js';
import { RunHistory } from './memory-history.js';
import { ANCHOR, CREATED, FIRED, LEASE, NEXT, ROW, UPDATED, claimOf, snapshotOf } from './schedule-rows.js';
import { HistoryArena } from './history-arena.js';
import { compareIds, SortedIds } from './sorted-ids.js';
import { MemoryPresence, MemoryRunRequests } from './memory-run-requests.js';
import { isFailing, listScheduleRange, type ScheduleRowSource } from './memory-list-page.js';
import type { ProcessInfo, ProcessPresence, RunRequest, RunRequestInput, RunRequestState, ScheduleCounts, ScheduleFilter, SchedulePage } from './store-operator.js';
import type {
  Claim, ClaimBatch, CommitItem, CommitResult, DueVisitor, FiredBatch, FinishedRun, RestoreInput, RestoreResult, RunRecord, RunSlot, ScheduleDefinition, Store,
  StoreChange, SucceededRuns, StoredSchedule, UpsertInput, UpsertResult,
} from './store.js';

/** The slice of a pino logger the store uses. */
export interface MemoryStoreLogger {
  /** Logs at error level, pino style: fields first, then the message. */
  error(obj: object, msg: string): void;
}

/** Options of {@link MemoryStore}. */
export interface MemoryStoreOptions {
  /**
   * The store's clock in epoch ms; tests inject one to move time.
   * @defaultValue `Date.now`
   */
  readonly clock?: () => number;
  /**
   * Where a throwing change listener is reported (the error never reaches the store's caller).
   * @defaultValue none: listener errors are dropped
   */
  readonly logger?: MemoryStoreLogger;
}

const INITIAL_CAPACITY = 64;


/** The answer of successful per-run writes (one promise shared instead of one per call). */
const RESOLVED: Promise<void> = Promise.resolve();

/**
 * In-memory implementation of the {@link Store} contract.
 *
 * @remarks
 * Occurrence de-duplication keeps one number per schedule, the highest `scheduledAt` it ever
 * accepted (see {@link acceptAfter}).
 *
 * @example
 * ```ts
 * const store = new MemoryStore();
 * await store.upsert({ definition, hash: scheduleHash(definition), nextRunAt, anchor: now, replaceExisting: false });
 * const claims = await store.claimDue('proc-1', 30_000, 1000);
 * ```
 */
export class MemoryStore implements Store {
  /** Always `memory`. */
  readonly kind = 'memory';

  private readonly clock: () => number;
  private readonly byId = new Map<string, Entry>();
  private entries: (Entry | undefined)[] = [];
  private readonly free: number[] = [];
  /** Unpaused, unclaimed schedules with a next run, keyed by `nextRunAt`. */
  private readonly due = new IndexedMinHeap();
  /** Unpaused claimed schedules, keyed by lease end (claimable again once it passes). */
  private readonly leased = new IndexedMinHeap();
  private readonly slots = new SlotTable();
  /** Storage of every schedule's run-history ring. */
  private readonly arena = new HistoryArena();
  private readonly listeners: ChangeListeners;
  /** Entries handed out by the latest `claimDue`, followed by `commit` and by finished runs. */
  private readonly recent = new RecentClaims();
  /** Every id in id order, for `listPage`. */
  private readonly sortedIds = new SortedIds((id) => this.byId.has(id));
  private readonly runRequests = new MemoryRunRequests();
  private readonly presence = new MemoryPresence();
  private closed = false;
  /** The trigger state handed to a {@link MemoryStore.fireDueNow} visitor, reused from schedule to schedule. */
  private readonly dueState: { anchor: number; runs: number } = { anchor: 0, runs: 0 };
  /** The slots a {@link MemoryStore.fireDueNow} pass took, in order (grown to the largest `limit`). */
  private passSlots = new Int32Array(INITIAL_CAPACITY);
  /** Where {@link MemoryStore.gather} leaves what it read, so the reads are not optimised away. */
  private gathered = 0;

  /** The times of every schedule, a row per `Entry.slot` (see `schedule-rows.ts`). */
  private times = new Float64Array(INITIAL_CAPACITY * ROW);

  /** @param options - clock and logger; see {@link MemoryStoreOptions}. */
  constructor(options: MemoryStoreOptions = {}) {
    this.clock = options.clock ?? Date.now;
    const logger = options.logger;
    this.listeners = new ChangeListeners(logger === undefined ? undefined : (err, change) => logger.error({ err, change }, 'store change listener threw; the store is unaffected'));
  }

  /** The injected clock's time, epoch ms. */
  async now(): Promise<number> {
    this.open('now');
    return this.clock();
  }

  /** {@inheritDoc Store.upsert} */
  async upsert(input: UpsertInput): Promise<UpsertResult> {
    this.open('upsert');
    const { definition, hash } = input;
    checkUpsertInput(input);
    const now = this.clock();
    const existing = this.byId.get(definition.id);
    if (existing === undefined) {
      const entry = this.create(input, now);
      this.listeners.emit('upsert', definition.id);
      return { status: 'created', schedule: snapshotOf(this.times, entry) };
    }
    if (existing.hash === hash) return { status: 'unchanged', schedule: snapshotOf(this.times, existing) };
    if (existing.definition.owner !== definition.owner && !input.replaceExisting) {
      return { status: 'conflict', existingOwner: existing.definition.owner };
    }
    const s = existing.slot;
    if (existing.definition.trigger.type !== definition.trigger.type) this.times[s * ROW + ANCHOR] = input.anchor;
    existing.definition = deepFreeze(definition);
    existing.hash = hash;
    existing.claimOwner = null;
    this.times[s * ROW + UPDATED] = now;
    this.setNext(existing, input.nextRunAt);
    this.listeners.emit('upsert', definition.id);
    return { status: 'updated', schedule: snapshotOf(this.times, existing) };
  }

  /** {@inheritDoc Store.remove} */
  async remove(id: string): Promise<boolean> {
    this.open('remove');
    const entry = this.byId.get(id);
    if (entry === undefined) return false;
    this.byId.delete(id);
    this.sortedIds.remove();
    this.recent.reset([]);
    this.due.delete(entry.slot);
    this.leased.delete(entry.slot);
    this.entries[entry.slot] = undefined;
    entry.history?.dispose();
    entry.history = null;
    this.free.push(entry.slot);
    this.listeners.emit('remove', id);
    return true;
  }

  /** {@inheritDoc Store.get} */
  async get(id: string): Promise<StoredSchedule | null> {
    this.open('get');
    const entry = this.byId.get(id);
    return entry === undefined ? null : snapshotOf(this.times, entry);
  }

  /** {@inheritDoc Store.list} */
  async list(filter: { owner?: string } = {}): Promise<StoredSchedule[]> {
    this.open('list');
    const out: StoredSchedule[] = [];
    for (const entry of this.byId.values()) {
      if (filter.owner === undefined || entry.definition.owner === filter.owner) out.push(snapshotOf(this.times, entry));
    }
    return out;
  }

  /** {@inheritDoc Store.pause} */
  async pause(id: string): Promise<boolean> {
    this.open('pause');
    const entry = this.byId.get(id);
    if (entry === undefined) return false;
    if (!entry.paused) {
      entry.paused = true;
      this.times[entry.slot * ROW + UPDATED] = this.clock();
      this.placeInHeap(entry);
    }
    this.listeners.emit('pause', id);
    return true;
  }

  /** {@inheritDoc Store.resume} */
  async resume(id: string, nextRunAt: number | null): Promise<boolean> {
    this.open('resume');
    checkTime('resume', `nextRunAt of "${id}"`, nextRunAt, true);
    const entry = this.byId.get(id);
    if (entry === undefined) return false;
    if (entry.paused) {
      entry.paused = false;
      entry.claimOwner = null;
      this.times[entry.slot * ROW + UPDATED] = this.clock();
      this.setNext(entry, nextRunAt);
    }
    this.listeners.emit('resume', id);
    return true;
  }

  /** {@inheritDoc Store.setNextRunAt} */
  async setNextRunAt(id: string, nextRunAt: number | null): Promise<boolean> {
    this.open('setNextRunAt');
    checkTime('setNextRunAt', `nextRunAt of "${id}"`, nextRunAt, true);
    const entry = this.byId.get(id);
    if (entry === undefined) return false;
    entry.claimOwner = null;
    this.times[entry.slot * ROW + UPDATED] = this.clock();
    this.setNext(entry, nextRunAt);
    this.listeners.emit('reschedule', id);
    return true;
  }

  /** {@inheritDoc Store.claimDue} */
  async claimDue(owner: string, leaseMs: number, limit: number, exclude?: ReadonlySet<string>): Promise<Claim[]> {
    this.open('claimDue');
    checkAtLeastOne('claimDue', 'leaseMs', leaseMs);
    checkAtLeastOne('claimDue', 'limit', limit);
    const now = this.clock();
    const until = now + leaseMs;
    const { leased } = this;
    // An empty set is the common case: no hash of the id per claim then.
    const skip = exclude !== undefined && exclude.size > 0 ? exclude : undefined;
    const claims: Claim[] = [];
    const claimed: Entry[] = [];
    let skipped: Entry[] | undefined;
    while (claims.length < limit) {
      const entry = this.takeDue(now);
      if (entry === undefined) break;
      const s = entry.slot;
      if (skip !== undefined && skip.has(entry.definition.id)) {
        (skipped ??= []).push(entry);
        continue;
      }
      entry.token++;
      entry.claimOwner = owner;
      this.times[s * ROW + LEASE] = until;
      leased.set(s, until);
      claims.push(claimOf(this.times, entry, until));
      claimed.push(entry);
    }
    this.recent.reset(claimed);
    if (skipped !== undefined) for (const entry of skipped) this.placeInHeap(entry);
    return claims;
  }

  /** {@inheritDoc Store.restore} */
  async restore(inputs: readonly RestoreInput[]): Promise<RestoreResult> {
    this.open('restore');
    for (const input of inputs) checkUpsertInput(input, 'restore');
    const now = this.clock();
    const created: string[] = [];
    for (const input of inputs) {
      if (this.byId.has(input.definition.id)) continue;
      this.create(input, now);
      created.push(input.definition.id);
    }
    if (created.length > 0) this.listeners.emit('upsert', created.length === 1 ? created[0] : undefined);
    return { created };
  }

  /** A new schedule from `input` (its id is free), as `upsert` creates one. */
  private create(input: RestoreInput, now: number): Entry {
    const s = this.allocate();
    const entry = new Entry(s, deepFreeze(input.definition), input.hash);
    this.entries[s] = entry;
    this.byId.set(input.definition.id, entry);
    this.sortedIds.add(input.definition.id);
    this.times[s * ROW + ANCHOR] = input.anchor;
    this.times[s * ROW + CREATED] = now;
    this.times[s * ROW + UPDATED] = now;
    this.times[s * ROW + FIRED] = -Infinity;
    this.setNext(entry, input.nextRunAt);
    return entry;
  }

  /** {@inheritDoc Store.claimBatch} */
  async claimBatch(owner: string, leaseMs: number, limit: number, exclude?: ReadonlySet<string>): Promise<ClaimBatch> {
    const claims = await this.claimDue(owner, leaseMs, limit, exclude);
    return { claims, now: this.clock(), nextWakeup: await this.nextWakeup(exclude) };
  }

  /** Takes the earliest claimable schedule off its heap (the due root, or the root of lapsed leases), if one is due at `now`. */
  private takeDue(now: number): Entry | undefined {
    const s = this.takeDueSlot(now);
    return s < 0 ? undefined : (this.entries[s] as Entry);
  }

  /** {@link MemoryStore.takeDue}, as the slot (`-1`: none due), without reading the entry. */
  private takeDueSlot(now: number): number {
    const { due, leased } = this;
    let from = due;
    let key = due.peekKey();
    const leaseKey = leased.peekKey();
    if (leaseKey < key) {
      from = leased;
      key = leaseKey;
    }
    if (key > now) return -1;
    const s = from.peek();
    from.delete(s);
    return s;
  }

  /**
   * Reads, for the schedules at `slots[0..n)`, what the pass and the runs after it read one by
   * one: each entry, its time row, its definition (not its `args`, which only a job that reads
   * `ctx.args` dereferences), its id (hashed by the metrics' label lookup)
   * and the history storage its next run record goes to. The reads of this loop do not depend
   * on each other, so the processor has many of their cache misses in flight at once; the pass
   * then finds them in cache. At 100k schedules due together every one of those reads missed,
   * one after the other (they were most of a fire's time in a CPU profile).
   */
  private gather(slots: Int32Array, n: number): void {
    const { entries, times } = this;
    let sum = 0;
    for (let k = 0; k < n; k++) {
      const s = slots[k] as number;
      const entry = entries[s] as Entry;
      sum += (times[s * ROW + NEXT] as number) + entry.token + entry.id.length + entry.definition.policy.maxInstances;
      const history = entry.history;
      if (history !== null) sum += history.touchNext();
    }
    this.gathered = sum;
  }

  /** {@inheritDoc Store.fireDueNow} */
  fireDueNow(owner: string, leaseMs: number, limit: number, exclude: ReadonlySet<string> | undefined, visitor: DueVisitor): FiredBatch {
    this.open('fireDueNow');
    checkAtLeastOne('fireDueNow', 'leaseMs', leaseMs);
    checkAtLeastOne('fireDueNow', 'limit', limit);
    const now = this.clock();
    const { leased, times } = this;
    const skip = exclude !== undefined && exclude.size > 0 ? exclude : undefined;
    const state = this.dueState;
    const { entries } = this;
    // A fresh list per pass: `recent` keeps it for the run records that follow.
    const fired: Entry[] = [];
    let skipped: Entry[] | undefined;
    let unhandled: Entry[] | undefined;
    let failure: { error: unknown } | undefined;
    // First the heap work alone: which schedules this pass takes.
    if (this.passSlots.length < limit) this.passSlots = new Int32Array(limit);
    const slots = this.passSlots;
    // A burst (many due at once) leaves the heap as one sorted run (see IndexedMinHeap.stageDue).
    this.due.stageDue(now);
    let taken = 0;
    while (taken < limit) {
      const s = this.takeDueSlot(now);
      if (s < 0) break;
      if (skip !== undefined && skip.has((entries[s] as Entry).id)) {
        (skipped ??= []).push(entries[s] as Entry);
        continue;
      }
      slots[taken++] = s;
    }
    // Then what they need, read all at once (see gather), by the store and by the visitor.
    this.gather(slots, taken);
    visitor.gather?.(slots, taken);
    for (let k = 0; k < taken; k++) {
      const s = slots[k] as number;
      const entry = entries[s] as Entry;
      // Fences off a claim another owner let lapse: its commit is refused as stale.
      entry.token++;
      entry.claimOwner = null;
      const row = s * ROW;
      state.anchor = times[row + ANCHOR] as number;
      state.runs = entry.runs;
      let plan;
      try {
        plan = visitor.plan(entry.definition, times[row + NEXT] as number, state, s, now);
      } catch (error) {
        // As a claim that was never committed: claimable again once the lease lapses.
        entry.claimOwner = owner;
        times[row + LEASE] = now + leaseMs;
        leased.set(s, now + leaseMs);
        failure = { error };
        // The schedules taken after it go back as they were.
        for (let j = k + 1; j < taken; j++) this.placeInHeap(entries[slots[j] as number] as Entry);
        break;
      }
      if (plan === null) {
        (unhandled ??= []).push(entry);
        continue;
      }
      const accepted = acceptAfter(plan.fire, times[row + FIRED] as number);
      if (accepted.length > 0) times[row + FIRED] = accepted[accepted.length - 1] as number;
      entry.runs += accepted.length;
      this.setNext(entry, plan.nextRunAt);
      fired.push(entry);
      visitor.committed(accepted);
    }
    this.recent.reset(fired);
    if (skipped !== undefined) for (const entry of skipped) this.placeInHeap(entry);
    if (unhandled !== undefined) for (const entry of unhandled) this.placeInHeap(entry);
    if (fired.length > 0) this.listeners.emit('commit', fired.length === 1 ? fired[0]?.id : undefined);
    if (failure !== undefined) throw failure.error;
    return { count: fired.length, taken, now, nextWakeup: this.wakeupNow(skip), unhandled: unhandled?.map((entry) => entry.id) };
  }

  /** {@inheritDoc Store.commit} */
  async commit(owner: string, items: readonly CommitItem[]): Promise<CommitResult[]> {
    this.open('commit');
    const results: CommitResult[] = new Array<CommitResult>(items.length);
    let cursor = 0;
    for (let i = 0; i < items.length; i++) {
      const item = items[i] as CommitItem;
      // Checked inline first: the message is built only for a bad value, not once per item.
      if (item.nextRunAt !== null && !Number.isFinite(item.nextRunAt)) checkTime('commit', `nextRunAt of "${item.id}"`, item.nextRunAt, true);
      let entry: Entry | undefined;
      const k = this.recent.indexOf(item.id, cursor, this.entries);
      if (k >= 0) {
        entry = this.recent.at(k);
        cursor = k + 1;
      } else {
        entry = this.byId.get(item.id);
      }
      if (entry === undefined) {
        results[i] = { id: item.id, ok: false, reason: 'missing' };
        continue;
      }
      if (entry.claimOwner !== owner || entry.token !== item.token) {
        results[i] = this.replay(owner, item);
        continue;
      }
      const s = entry.slot;
      const accepted = acceptAfter(item.fire, this.times[s * ROW + FIRED] as number);
      if (accepted.length > 0) this.times[s * ROW + FIRED] = accepted[accepted.length - 1] as number;
      entry.runs += accepted.length;
      entry.claimOwner = null;
      this.setNext(entry, item.nextRunAt);
      results[i] = item.slots === undefined ? { id: item.id, ok: true, accepted } : { id: item.id, ok: true, accepted, runs: this.slots.recordCommitted(owner, item.id, item.token, accepted, item.slots, this.clock()) };
    }
    if (items.length > 0) this.listeners.emit('commit', items.length === 1 ? items[0]?.id : undefined);
    return results;
  }

  /** A refused item: `stale`, unless it retries a commit whose runs are still held (see {@link Store.commit}). */
  private replay(owner: string, item: CommitItem): CommitResult {
    if (item.slots !== undefined) {
      const { accepted, runs } = this.slots.replayCommitted(owner, item.id, item.token, item.fire, item.slots, this.clock());
      if (accepted.length > 0) return { id: item.id, ok: true, accepted, runs };
    }
    return { id: item.id, ok: false, reason: 'stale' };
  }

  /** {@inheritDoc Store.release} */
  async release(owner: string, claims: readonly { id: string; token: number }[]): Promise<void> {
    this.open('release');
    let released = 0;
    for (const { id, token } of claims) {
      const entry = this.byId.get(id);
      if (entry === undefined || entry.claimOwner !== owner || entry.token !== token) continue;
      entry.claimOwner = null;
      this.placeInHeap(entry);
      released++;
    }
    if (released > 0) this.listeners.emit('release', claims.length === 1 ? claims[0]?.id : undefined);
  }

  /** {@inheritDoc Store.finishRuns} */
  async finishRuns(runs: readonly FinishedRun[]): Promise<void> {
    this.open('finishRuns');
    for (const run of runs) {
      if (run.slot !== undefined) this.slots.release(run.slot.jobId, run.slot.runId);
      if (run.record !== undefined) this.appendRun(run.record, run.historyLimit);
    }
  }

  /** {@inheritDoc Store.acquireSlot} */
  async acquireSlot(slot: RunSlot, max: number): Promise<boolean> {
    this.open('acquireSlot');
    return this.slots.acquire(slot, max, this.clock());
  }

  /** {@inheritDoc Store.renewSlots} */
  async renewSlots(owner: string, runIds: readonly { jobId: string; runId: string }[], leaseMs: number): Promise<string[]> {
    this.open('renewSlots');
    checkAtLeastOne('renewSlots', 'leaseMs', leaseMs);
    return this.slots.renew(owner, runIds, leaseMs, this.clock());
  }

  /** {@inheritDoc Store.releaseSlot} */
  async releaseSlot(jobId: string, runId: string): Promise<void> {
    this.open('releaseSlot');
    this.slots.release(jobId, runId);
  }

  /** {@inheritDoc Store.reapExpiredSlots} */
  async reapExpiredSlots(limit: number): Promise<RunSlot[]> {
    this.open('reapExpiredSlots');
    return this.slots.reap(limit, this.clock());
  }

  /**
   * {@inheritDoc Store.recordRun}
   *
   * @remarks
   * Not an `async` function, so a successful call allocates no promise (it returns one shared
   * resolved promise); errors are returned as rejections all the same.
   */
  recordRun(record: RunRecord, historyLimit: number): Promise<void> {
    try {
      this.recordRunNow(record, historyLimit);
    } catch (error) {
      return Promise.reject(error);
    }
    return RESOLVED;
  }

  /** {@inheritDoc Store.recordRunNow} */
  recordRunNow(record: RunRecord, historyLimit: number): void {
    this.open('recordRun');
    this.appendRun(record, historyLimit);
  }

  /** {@inheritDoc Store.recordRunsNow} */
  recordRunsNow(records: readonly RunRecord[], historyLimits: readonly number[]): void {
    this.open('recordRunsNow');
    for (let i = 0; i < records.length; i++) this.appendRun(records[i]!, historyLimits[i]!);
  }

  /** {@inheritDoc Store.recordSucceededNow} */
  recordSucceededNow(runs: SucceededRuns): void {
    this.open('recordSucceededNow');
    const { definitions, scheduledAt, startedAt, finishedAt, historyLimits, owner } = runs;
    for (let i = 0; i < runs.count; i++) {
      const limit = historyLimits[i] as number;
      if (limit <= 0) continue;
      const entry = this.entryOfRun((definitions[i] as ScheduleDefinition).id);
      if (entry === undefined) continue;
      entry.lastRun = null;
      const ring = (entry.history ??= new RunHistory(this.arena));
      ring.pushSucceeded(scheduledAt[i] as number, startedAt[i] as number, finishedAt[i] as number, owner, limit);
      entry.historyWritten = ring.written;
    }
  }

  private appendRun(record: RunRecord, historyLimit: number): void {
    const entry = this.entryOfRun(record.jobId);
    if (entry === undefined) return;
    if (historyLimit <= 0) {
      // No ring to rebuild it from: the record object itself is `lastRun`.
      entry.history?.dispose();
      entry.history = null;
      entry.lastRun = record;
      return;
    }
    // `lastRun` is the ring's newest record, rebuilt on read: keeping each run's object alive
    // until the next run would promote one object per fire to the old generation.
    entry.lastRun = null;
    const ring = (entry.history ??= new RunHistory(this.arena));
    ring.push(record, historyLimit);
    entry.historyWritten = ring.written;
  }

  /** The entry of a finished run's job: runs usually finish in claim order (see {@link RecentClaims}). */
  private entryOfRun(id: string): Entry | undefined {
    const recent = this.recent;
    const k = recent.indexOf(id, recent.runCursor, this.entries);
    if (k < 0) return this.byId.get(id);
    recent.runCursor = k + 1;
    return recent.at(k);
  }

  /** {@inheritDoc Store.history} */
  async history(id: string, limit: number): Promise<RunRecord[]> {
    this.open('history');
    const history = this.byId.get(id)?.history;
    if (history == null || limit <= 0) return [];
    return history.newest(id, limit);
  }

  /** {@inheritDoc Store.nextWakeup} */
  async nextWakeup(exclude?: ReadonlySet<string>): Promise<number | null> {
    this.open('nextWakeup');
    return this.wakeupNow(exclude);
  }

  /** {@link MemoryStore.nextWakeup}, synchronously. */
  private wakeupNow(exclude: ReadonlySet<string> | undefined): number | null {
    const skip = exclude !== undefined && exclude.size > 0 ? (s: number) => exclude.has((this.entries[s] as Entry).id) : undefined;
    const earliest = Math.min(this.due.earliestKey(skip), this.leased.earliestKey(skip));
    return earliest === Infinity ? null : earliest;
  }

  /** {@inheritDoc Store.listPage} */
  async listPage(after: string | null, limit: number, filter: ScheduleFilter = {}): Promise<SchedulePage> {
    this.open('listPage');
    checkAtLeastOne('listPage', 'limit', limit);
    const rows: ScheduleRowSource = { entry: (id) => this.byId.get(id), snapshot: (entry) => snapshotOf(this.times, entry), next: (entry) => this.times[entry.slot * ROW + NEXT] as number };
    return listScheduleRange(this.sortedIds.from(after), limit, filter, rows);
  }

  /** {@inheritDoc Store.countSchedules} */
  async countSchedules(after: string | null): Promise<ScheduleCounts> {
    this.open('countSchedules');
    let schedules = 0;
    let paused = 0;
    let failing = 0;
    for (const [id, entry] of this.byId) {
      if (after !== null && compareIds(id, after) <= 0) continue;
      schedules++;
      if (entry.paused) paused++;
      if (isFailing(entry)) failing++;
    }
    return { schedules, paused, failing, next: null };
  }

  /** {@inheritDoc Store.requestRun} */
  async requestRun(input: RunRequestInput): Promise<RunRequestState> {
    this.open('requestRun');
    checkAtLeastOne('requestRun', 'ttlMs', input.ttlMs);
    const state = this.runRequests.request(input, this.clock());
    this.listeners.emit('run-request', input.jobId);
    return state;
  }

  /** {@inheritDoc Store.pendingRunRequests} */
  async pendingRunRequests(limit: number): Promise<RunRequest[]> {
    this.open('pendingRunRequests');
    return this.runRequests.list(limit, this.clock());
  }

  /** {@inheritDoc Store.takeRunRequest} */
  async takeRunRequest(owner: string, requestId: string): Promise<RunRequest | null> {
    this.open('takeRunRequest');
    return this.runRequests.take(owner, requestId, this.clock());
  }

  /** {@inheritDoc Store.finishRunRequest} */
  async finishRunRequest(requestId: string, record: RunRecord): Promise<void> {
    this.open('finishRunRequest');
    if (this.runRequests.finish(requestId, record, this.clock())) this.listeners.emit('run-finished', record.jobId);
  }

  /** {@inheritDoc Store.runRequest} */
  async runRequest(requestId: string): Promise<RunRequestState | null> {
    this.open('runRequest');
    return this.runRequests.get(requestId, this.clock());
  }

  /** {@inheritDoc Store.announce} */
  async announce(owner: string, info: ProcessInfo, ttlMs: number): Promise<void> {
    this.open('announce');
    checkAtLeastOne('announce', 'ttlMs', ttlMs);
    this.presence.announce(owner, info, ttlMs, this.clock());
  }

  /** {@inheritDoc Store.processes} */
  async processes(): Promise<ProcessPresence[]> {
    this.open('processes');
    return this.presence.list(this.clock());
  }

  /** {@inheritDoc Store.leave} */
  async leave(owner: string): Promise<void> {
    this.open('leave');
    this.presence.leave(owner);
  }

  /** {@inheritDoc Store.onChange} */
  onChange(listener: (change: StoreChange) => void): () => void {
    return this.listeners.add(listener);
  }

  /** Drops every listener; later calls throw `XCORE_ERR_STORE_CLOSED`. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    this.listeners.clear();
  }

  private open(method: string): void {
    if (this.closed) throw new StoreClosedError(this.kind, method);
  }

  private allocate(): number {
    const reused = this.free.pop();
    if (reused !== undefined) return reused;
    const s = this.entries.length;
    this.entries.push(undefined);
    if ((s + 1) * ROW > this.times.length) this.grow(2 * this.times.length);
    return s;
  }

  private grow(length: number): void {
    const times = new Float64Array(length);
    times.set(this.times);
    this.times = times;
  }

  /** Stores `next` and puts the entry where it belongs in the heap. */
  private setNext(entry: Entry, next: number | null): void {
    this.times[entry.slot * ROW + NEXT] = next === null ? NaN : next;
    this.placeInHeap(entry);
  }

  /** Puts the entry in the heap its state calls for (or none when paused or exhausted). */
  private placeInHeap(entry: Entry): void {
    const s = entry.slot;
    const next = this.times[s * ROW + NEXT] as number;
    if (entry.paused || Number.isNaN(next)) {
      this.due.delete(s);
      this.leased.delete(s);
    } else if (entry.claimOwner !== null) {
      this.due.delete(s);
      this.leased.set(s, this.times[s * ROW + LEASE] as number);
    } else {
      this.leased.delete(s);
      this.due.set(s, next);
    }
  }
}
