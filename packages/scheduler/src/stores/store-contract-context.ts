/**
 * Shared fixtures of the Store contract suite: lease lengths, a default policy, record builders
 * and the per-test helpers every part of the suite (`store-contract-*.ts`) uses.
 *
 * @remarks
 * The store under test changes for every test, so the helpers read it through the getter given to
 * {@link storeContractContext} when they run, not when they are made.
 */
import { expect } from 'vitest';
import { scheduleHash } from './schedule-hash.js';
import type { Claim, RunRecord, ScheduleDefinition, SchedulePolicy, Store, UpsertResult } from './store.js';

/** Short real lease for expiry tests: long enough for a few round trips, short enough to wait out. */
export const SHORT_LEASE_MS = 300;
/** A lease no contract test outlives. */
export const LONG_LEASE_MS = 60_000;

/** The policy of {@link def} when none is given. */
export const POLICY: SchedulePolicy = {
  misfireGraceTimeMs: null,
  coalesce: 'latest',
  maxCatchUp: 100,
  maxInstances: 1,
  overlap: 'skip',
  jitterMs: 0,
  timeoutMs: null,
  retries: 0,
  retryDelayMs: 1000,
  recover: false,
};

/** A plain interval definition; fields can be overridden. */
export function def(id: string, over: Partial<Omit<ScheduleDefinition, 'id'>> = {}): ScheduleDefinition {
  return {
    id,
    owner: over.owner ?? 'plugin-a',
    trigger: over.trigger ?? { type: 'interval', everyMs: 1000 },
    policy: over.policy ?? POLICY,
    args: over.args ?? [],
  };
}

/** A succeeded run of `jobId` at `scheduledAt`; fields can be overridden. */
export function record(jobId: string, scheduledAt: number, over: Partial<RunRecord> = {}): RunRecord {
  return { jobId, scheduledAt, startedAt: scheduledAt, finishedAt: scheduledAt + 5, status: 'succeeded', attempts: 1, ...over };
}

/** The schedule ids of `claims`, in order. */
export function ids(claims: readonly Claim[]): string[] {
  return claims.map((c) => c.schedule.definition.id);
}

/** The store of the running test and helpers that act on it. */
export interface StoreContractContext {
  /** The fresh store of the running test; read it inside a hook or test, not when registering. */
  readonly store: Store;
  /** Creates `d` (not replacing another owner's) with its hash, `nextRunAt` and `anchor` (default: the store's now). */
  add(d: ScheduleDefinition, nextRunAt: number | null, anchor?: number): Promise<UpsertResult>;
  /** Waits with real timers until the store's clock passes `t`. */
  waitUntilStoreTime(t: number): Promise<void>;
  /** Runs a first reap pass (expected to return nothing: it marks), then waits out the grace it gave. */
  markSuspect(): Promise<void>;
  /** Claims every due schedule for `owner` with a long lease and commits them to run at `next`. */
  fireOnce(id: string, next: number | null, owner?: string): Promise<readonly number[]>;
}

/**
 * Makes the contract helpers for the store that `current` returns when a helper runs.
 *
 * @param current - returns the running test's store (set by the suite's `beforeEach`).
 */
export function storeContractContext(current: () => Store): StoreContractContext {
  async function add(d: ScheduleDefinition, nextRunAt: number | null, anchor?: number): Promise<UpsertResult> {
    const store = current();
    return store.upsert({ definition: d, hash: scheduleHash(d), nextRunAt, anchor: anchor ?? (await store.now()), replaceExisting: false });
  }

  async function waitUntilStoreTime(t: number): Promise<void> {
    for (;;) {
      const now = await current().now();
      if (now > t) return;
      await new Promise((resolve) => setTimeout(resolve, Math.min(50, t - now + 1)));
    }
  }

  async function markSuspect(): Promise<void> {
    const store = current();
    expect(await store.reapExpiredSlots(10)).toEqual([]);
    await waitUntilStoreTime((await store.now()) + SHORT_LEASE_MS);
  }

  async function fireOnce(id: string, next: number | null, owner = 'proc-1'): Promise<readonly number[]> {
    const store = current();
    const claims = await store.claimDue(owner, LONG_LEASE_MS, 100);
    const claim = claims.find((c) => c.schedule.definition.id === id);
    expect(claim, `schedule ${id} should be due`).toBeDefined();
    const at = claim!.schedule.state.nextRunAt!;
    const [result] = await store.commit(owner, [{ id, token: claim!.token, fire: [at], missedCount: 0, nextRunAt: next }]);
    expect(result).toMatchObject({ id, ok: true });
    return result!.ok ? result!.accepted : [];
  }

  return {
    get store() {
      return current();
    },
    add,
    waitUntilStoreTime,
    markSuspect,
    fireOnce,
  };
}
