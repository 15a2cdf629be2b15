/**
 * Leased run slots of the {@link MemoryStore} (for `maxInstances` and `recover`).
 *
 * @remarks
 * Pure bookkeeping, no I/O and no timers: every method takes `now` from the store's clock. A slot
 * is held until released or until `leaseUntil <= now`; an expired slot no longer counts against
 * `maxInstances` but stays listed until {@link SlotTable.reap} hands it to the runner, so a run
 * whose process died is noticed exactly once.
 */
import type { RunSlot } from './store.js';

/** Run slots grouped by job id. */
export class SlotTable {
  private readonly byJob = new Map<string, Map<string, RunSlot>>();

  /**
   * Takes `slot` when fewer than `max` unexpired slots of its job exist.
   *
   * @remarks
   * Re-acquiring a run id this table already holds (same job, same run) succeeds and replaces
   * the stored slot, so a retried call is idempotent.
   */
  acquire(slot: RunSlot, max: number, now: number): boolean {
    let slots = this.byJob.get(slot.jobId);
    if (slots?.has(slot.runId)) {
      slots.set(slot.runId, slot);
      return true;
    }
    let live = 0;
    if (slots !== undefined) {
      for (const s of slots.values()) if (s.leaseUntil > now) live++;
    }
    if (live >= max) return false;
    if (slots === undefined) {
      slots = new Map();
      this.byJob.set(slot.jobId, slots);
    }
    slots.set(slot.runId, slot);
    return true;
  }

  /**
   * Extends to `now + leaseMs` the slots in `runIds` that `owner` still holds.
   *
   * @remarks
   * A slot whose lease ran out but that was not reaped yet is renewed too: nobody has taken
   * over its run, so the late renewal is harmless and keeps the run from being recovered twice.
   *
   * @returns the run ids renewed.
   */
  renew(owner: string, runIds: readonly { jobId: string; runId: string }[], leaseMs: number, now: number): string[] {
    const held: string[] = [];
    for (const { jobId, runId } of runIds) {
      const slots = this.byJob.get(jobId);
      const slot = slots?.get(runId);
      if (slots === undefined || slot === undefined || slot.owner !== owner) continue;
      slots.set(runId, { ...slot, leaseUntil: now + leaseMs });
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

  /** Removes and returns up to `limit` slots whose lease expired, oldest lease first. */
  reap(limit: number, now: number): RunSlot[] {
    const expired: RunSlot[] = [];
    for (const slots of this.byJob.values()) {
      for (const s of slots.values()) if (s.leaseUntil <= now) expired.push(s);
    }
    expired.sort((a, b) => a.leaseUntil - b.leaseUntil);
    const taken = expired.slice(0, limit);
    for (const s of taken) this.release(s.jobId, s.runId);
    return taken;
  }
}
