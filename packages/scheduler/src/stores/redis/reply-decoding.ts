/**
 * Decoding the replies of the {@link RedisStore}'s scripts and reads into Store values: schedules
 * and claim batches (reusing parsed definitions), commit results and reaped run slots.
 *
 * @remarks
 * No I/O. Reply layouts are documented in the header of each script in `lua/`; schedule hashes
 * are decoded by `claimed-schedule.ts`.
 */
import type { ClaimBatch, Claim, CommitItem, CommitResult, CommittedRun, RunSlot, ScheduleDefinition, StoredSchedule } from '../store.js';
import { ClaimedSchedule, decodeSchedule, type ScheduleFields } from './claimed-schedule.js';
import { deepFreeze } from '../deep-freeze.js';

/**
 * Decodes schedules and claims, keeping each schedule's parsed definition while its stored hash
 * is unchanged (so claims parse no JSON).
 */
export class ScheduleDecoder {
  /** Parsed definitions by id, reused while the stored hash is unchanged (claims parse no JSON). */
  readonly #definitions = new Map<string, { hash: string; definition: ScheduleDefinition }>();

  /** Decodes a schedule (see {@link ScheduleDecoder.definition}). */
  schedule(id: string, fields: ScheduleFields): StoredSchedule {
    return decodeSchedule(fields, this.definition(id, fields));
  }

  /** Decodes a `claim-due-1.lua` reply: Redis's clock, the next wakeup (`''`: none), then one `[id, fields]` per claim. */
  claimBatch(reply: readonly unknown[]): ClaimBatch {
    const claims: Claim[] = new Array<Claim>(reply.length - 2);
    for (let i = 2; i < reply.length; i++) {
      const [id, fields] = reply[i] as [string, ScheduleFields];
      claims[i - 2] = new ClaimedSchedule(this.definition(id, fields), fields);
    }
    const wakeup = reply[1] as string;
    return { claims, now: Number(reply[0]), nextWakeup: wakeup === '' ? null : Number(wakeup) };
  }

  /** A schedule's definition, its JSON parsed only when its hash changed since last seen. */
  definition(id: string, fields: ScheduleFields): ScheduleDefinition {
    const hash = fields[1] ?? '';
    const cached = this.#definitions.get(id);
    if (cached !== undefined && cached.hash === hash) return cached.definition;
    const definition = deepFreeze(JSON.parse(fields[0] as string) as ScheduleDefinition);
    this.#definitions.set(id, { hash, definition });
    return definition;
  }

  /** Drops the definition kept for `id` (the schedule was removed or not found). */
  forget(id: string): void {
    this.#definitions.delete(id);
  }
}

/**
 * Decodes a `commit-1.lua` reply into one result per item (a missing row reads as `missing`).
 *
 * @remarks An accepted occurrence's run id is `<scheduledAt>@<owner>`, as the script records it.
 */
export function decodeCommitResults(items: readonly CommitItem[], owner: string, reply: readonly string[][]): CommitResult[] {
  return items.map((item, i): CommitResult => {
    const row = reply[i] ?? ['missing'];
    if (row[0] !== 'ok') return { id: item.id, ok: false, reason: row[0] === 'stale' ? 'stale' : 'missing' };
    const bar = row.indexOf('|');
    if (bar < 0) return { id: item.id, ok: true, accepted: row.slice(1).map(Number) };
    const accepted = row.slice(1, bar).map(Number);
    const runs = accepted.map((at, j): CommittedRun => ({ runId: `${at}@${owner}`, slotted: row[bar + 1 + j] === '1' }));
    return { id: item.id, ok: true, accepted, runs };
  });
}

/** Decodes a `reap-slots-2.lua` reply: pairs of slot JSON and lease expiry. */
export function decodeReapedSlots(reply: readonly string[]): RunSlot[] {
  const slots: RunSlot[] = [];
  for (let i = 0; i + 1 < reply.length; i += 2) {
    const data = JSON.parse(reply[i] as string) as Omit<RunSlot, 'leaseUntil'>;
    // Keep the RunSlot shape: leaseMs and suspect are the store's bookkeeping.
    slots.push({ jobId: data.jobId, runId: data.runId, scheduledAt: data.scheduledAt, owner: data.owner, leaseUntil: Number(reply[i + 1]) });
  }
  return slots;
}
