/**
 * Leased run slots of the {@link MemoryStore} (for `maxInstances` and `recover`).
 *
 * @remarks
 * Pure bookkeeping, no I/O and no timers: every method takes `now` from the store's clock. A slot
 * is held until released or reaped. A counted slot whose `leaseUntil <= now` no longer counts
 * against `maxInstances`; an in-flight slot a commit recorded while `max` runs were in progress
 * never counts until {@link SlotTable.acquire} takes it. Reaping is two-pass, as the contract
 * says: the first {@link SlotTable.reap} that finds a slot expired marks it suspect and extends
 * it by its own lease; the next one that finds it expired removes and returns it.
 */
import { checkAtLeastOne } from './store-input.js';
import type { CommitSlots, CommittedRun, RunSlot } from './store.js';

/** A held slot with the table's bookkeeping. */
interface HeldSlot {
  slot: RunSlot;
  /** Counts against `maxInstances` (an in-flight slot recorded over the limit does not). */
  counted: boolean;
  /** A reaper found it expired once. */
  suspect: boolean;
  /** Lease length, the grace a suspect slot gets. */
  readonly leaseMs: number;
  /** The claim token of the commit that recorded it, for a slot a commit took. */
  readonly token?: number;
}

/** Run slots grouped by job id. */
export class SlotTable {
  private readonly byJob = new Map<string, Map<string, HeldSlot>>();

  /**
   * Takes `slot` when fewer than `max` unexpired counted slots of its job exist.
   *
   * @remarks
   * Re-acquiring a counted run id this table already holds (same job, same run) succeeds and
   * replaces the stored slot, so a retried call is idempotent; an uncounted in-flight slot with
   * that run id is counted when there is room.
   */
  acquire(slot: RunSlot, max: number, now: number): boolean {
    let slots = this.byJob.get(slot.jobId);
    const held = slots?.get(slot.runId);
    if (held === undefined || !held.counted) {
      if (this.live(slots, now) >= max) return false;
    }
    if (slots === undefined) {
      slots = new Map();
      this.byJob.set(slot.jobId, slots);
    }
    slots.set(slot.runId, { slot, counted: true, suspect: false, leaseMs: Math.max(1, slot.leaseUntil - now) });
    return true;
  }

  /**
   * Records the in-flight run `slot` (from a commit): counted when fewer than `max` unexpired
   * counted slots exist, otherwise held uncounted. Returns whether it counts.
   */
  record(slot: RunSlot, max: number, leaseMs: number, now: number, token?: number): boolean {
    let slots = this.byJob.get(slot.jobId);
    const counted = this.live(slots, now) < max;
    if (slots === undefined) {
      slots = new Map();
      this.byJob.set(slot.jobId, slots);
    }
    slots.set(slot.runId, token === undefined ? { slot, counted, suspect: false, leaseMs } : { slot, counted, suspect: false, leaseMs, token });
    return counted;
  }

  /**
   * In-flight run slots for the occurrences of job `jobId` a commit of claim `token` accepted
   * (`CommitItem.slots`), each {@link SlotTable.record}ed with run id `<scheduledAt>@<owner>`.
   */
  recordCommitted(owner: string, jobId: string, token: number, accepted: readonly number[], request: CommitSlots, now: number): CommittedRun[] {
    const { max, leaseMs } = request;
    checkAtLeastOne('commit', `slots.leaseMs of "${jobId}"`, leaseMs);
    return accepted.map((scheduledAt) => {
      const runId = `${scheduledAt}@${owner}`;
      const slotted = this.record({ jobId, runId, scheduledAt, owner, leaseUntil: now + leaseMs }, max, leaseMs, now, token);
      return { runId, slotted };
    });
  }

  /**
   * The runs an earlier commit of `owner` with claim `token` recorded for occurrences in `fire`
   * and that are still held (a retry of a commit whose answer was lost), leases renewed to
   * `now + request.leaseMs` and suspicion cleared. Empty when none is held.
   */
  replayCommitted(owner: string, jobId: string, token: number, fire: readonly number[], request: CommitSlots, now: number): { accepted: number[]; runs: CommittedRun[] } {
    checkAtLeastOne('commit', `slots.leaseMs of "${jobId}"`, request.leaseMs);
    const accepted: number[] = [];
    const runs: CommittedRun[] = [];
    const slots = this.byJob.get(jobId);
    if (slots === undefined) return { accepted, runs };
    for (const scheduledAt of fire) {
      if (accepted[accepted.length - 1] === scheduledAt) continue;
      const runId = `${scheduledAt}@${owner}`;
      const h = slots.get(runId);
      if (h === undefined || h.token !== token) continue;
      h.slot = { ...h.slot, leaseUntil: now + request.leaseMs };
      h.suspect = false;
      accepted.push(scheduledAt);
      runs.push({ runId, slotted: h.counted });
    }
    return { accepted, runs };
  }

  /**
   * Extends to `now + leaseMs` the slots in `runIds` that `owner` still holds.
   *
   * @remarks
   * A slot whose lease ran out but that was not reaped yet is renewed too (and is no longer
   * suspect): nobody has taken over its run, so the late renewal is harmless and keeps the run
   * from being recovered twice.
   *
   * @returns the run ids renewed.
   */
  renew(owner: string, runIds: readonly { jobId: string; runId: string }[], leaseMs: number, now: number): string[] {
    const held: string[] = [];
    for (const { jobId, runId } of runIds) {
      const h = this.byJob.get(jobId)?.get(runId);
      if (h === undefined || h.slot.owner !== owner) continue;
      h.slot = { ...h.slot, leaseUntil: now + leaseMs };
      h.suspect = false;
      held.push(runId);
    }
    return held;
  }

  /** Frees a slot; a no-op when it is not held. */
  release(jobId: string, runId: string): void {
    const slots = this.byJob.get(jobId);
    if (slots === undefined) return;
    slots.delete(runId);
    if (slots.size === 0) this.byJob.delete(jobId);
  }

  /**
   * Reaps up to `limit` expired slots, oldest lease first: a suspect one is removed and
   * returned, any other is marked suspect and extended by its own lease.
   */
  reap(limit: number, now: number): RunSlot[] {
    const expired: HeldSlot[] = [];
    for (const slots of this.byJob.values()) {
      for (const h of slots.values()) if (h.slot.leaseUntil <= now) expired.push(h);
    }
    expired.sort((a, b) => a.slot.leaseUntil - b.slot.leaseUntil);
    const taken: RunSlot[] = [];
    for (const h of expired.slice(0, limit)) {
      if (h.suspect) {
        this.release(h.slot.jobId, h.slot.runId);
        taken.push(h.slot);
      } else {
        h.suspect = true;
        h.slot = { ...h.slot, leaseUntil: now + h.leaseMs };
      }
    }
    return taken;
  }

  private live(slots: Map<string, HeldSlot> | undefined, now: number): number {
    let live = 0;
    if (slots !== undefined) {
      for (const h of slots.values()) if (h.counted && h.slot.leaseUntil > now) live++;
    }
    return live;
  }
}
