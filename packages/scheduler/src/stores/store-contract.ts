/**
 * The Store contract suite: one set of vitest tests every {@link Store} implementation must pass.
 *
 * @remarks
 * Backend-neutral: time is read from `store.now()` (a Redis store's clock is Redis's `TIME` and
 * cannot be faked), lease expiry is exercised with short real leases, and change hints are
 * awaited with `vi.waitFor` because a store may deliver them asynchronously. Each test gets a
 * fresh store from `setup` and tears it down afterwards, so `setup` must return an empty store.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { isXcoreError } from '@xcore/core';
import { scheduleHash } from './schedule-hash.js';
import type {
  Claim, RunRecord, RunSlot, ScheduleDefinition, SchedulePolicy, Store, StoreChange, UpsertResult,
} from './store.js';

/** What a contract `setup` returns: a fresh, empty store and how to dispose of it. */
export interface StoreContractFixture {
  readonly store: Store;
  /** Closes the store and frees what `setup` created (server, keys, files). */
  teardown(): Promise<void>;
}

/** Short real lease for expiry tests: long enough for a few round trips, short enough to wait out. */
const SHORT_LEASE_MS = 300;
const LONG_LEASE_MS = 60_000;

const POLICY: SchedulePolicy = {
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
function def(id: string, over: Partial<Omit<ScheduleDefinition, 'id'>> = {}): ScheduleDefinition {
  return {
    id,
    owner: over.owner ?? 'plugin-a',
    trigger: over.trigger ?? { type: 'interval', everyMs: 1000 },
    policy: over.policy ?? POLICY,
    args: over.args ?? [],
  };
}

function record(jobId: string, scheduledAt: number, over: Partial<RunRecord> = {}): RunRecord {
  return { jobId, scheduledAt, startedAt: scheduledAt, finishedAt: scheduledAt + 5, status: 'succeeded', attempts: 1, ...over };
}

function ids(claims: readonly Claim[]): string[] {
  return claims.map((c) => c.schedule.definition.id);
}

/**
 * Registers the contract tests for one store implementation.
 *
 * @remarks
 * Add one line to a test file to run a new backend through every test here. Only real timers are
 * used; the suite takes a few seconds because of its lease-expiry waits.
 *
 * @param name - the describe block title, e.g. `MemoryStore`.
 * @param setup - creates a fresh empty store for one test.
 *
 * @example
 * ```ts
 * describeStoreContract('MemoryStore', async () => ({ store: new MemoryStore(), teardown: async () => {} }));
 * ```
 */
export function describeStoreContract(name: string, setup: () => Promise<StoreContractFixture>): void {
  describe(`Store contract: ${name}`, () => {
    let fixture: StoreContractFixture;
    let store: Store;

    beforeEach(async () => {
      fixture = await setup();
      store = fixture.store;
    });
    afterEach(async () => {
      await fixture.teardown();
    });

    async function add(d: ScheduleDefinition, nextRunAt: number | null, anchor?: number): Promise<UpsertResult> {
      return store.upsert({ definition: d, hash: scheduleHash(d), nextRunAt, anchor: anchor ?? (await store.now()), replaceExisting: false });
    }

    /** Waits with real timers until the store's clock passes `t`. */
    async function waitUntilStoreTime(t: number): Promise<void> {
      for (;;) {
        const now = await store.now();
        if (now > t) return;
        await new Promise((resolve) => setTimeout(resolve, Math.min(50, t - now + 1)));
      }
    }

    /** Runs a first reap pass (expected to return nothing: it marks), then waits out the grace it gave. */
    async function markSuspect(): Promise<void> {
      expect(await store.reapExpiredSlots(10)).toEqual([]);
      await waitUntilStoreTime((await store.now()) + SHORT_LEASE_MS);
    }

    /** Claims every due schedule for `owner` with a long lease and commits them to run at `next`. */
    async function fireOnce(id: string, next: number | null, owner = 'proc-1'): Promise<readonly number[]> {
      const claims = await store.claimDue(owner, LONG_LEASE_MS, 100);
      const claim = claims.find((c) => c.schedule.definition.id === id);
      expect(claim, `schedule ${id} should be due`).toBeDefined();
      const at = claim!.schedule.state.nextRunAt!;
      const [result] = await store.commit(owner, [{ id, token: claim!.token, fire: [at], missedCount: 0, nextRunAt: next }]);
      expect(result).toMatchObject({ id, ok: true });
      return result!.ok ? result!.accepted : [];
    }

    describe('upsert', () => {
      it('creates a schedule with the given next run and anchor, token 0, no runs', async () => {
        const now = await store.now();
        const d = def('a:one', { args: [{ to: 'ops' }] });
        const result = await add(d, now + 5000, now - 10);
        expect(result.status).toBe('created');
        const got = await store.get('a:one');
        expect(got?.definition).toEqual(d);
        expect(got?.state).toMatchObject({
          nextRunAt: now + 5000, paused: false, runs: 0, anchor: now - 10, lastRun: null, hash: scheduleHash(d), token: 0,
        });
        expect(await store.get('a:missing')).toBeNull();
      });

      it('is idempotent: an unchanged definition keeps next run, phase, pause state, runs and history', async () => {
        const now = await store.now();
        const d = def('a:same');
        await add(d, now - 1000, now - 5000);
        await fireOnce('a:same', now + 4000);
        await store.recordRun(record('a:same', now - 1000), 10);
        await store.pause('a:same');

        const again = await store.upsert({ definition: def('a:same'), hash: scheduleHash(d), nextRunAt: now + 999_999, anchor: now, replaceExisting: false });
        expect(again.status).toBe('unchanged');
        const got = await store.get('a:same');
        expect(got?.state).toMatchObject({ nextRunAt: now + 4000, anchor: now - 5000, paused: true, runs: 1 });
        expect(await store.history('a:same', 10)).toHaveLength(1);
      });

      it('a changed trigger replaces the definition and next run, keeping anchor, pause, runs and history', async () => {
        const now = await store.now();
        await add(def('a:chg'), now - 1000, now - 5000);
        await fireOnce('a:chg', now + 1000);
        await store.recordRun(record('a:chg', now - 1000), 10);
        await store.pause('a:chg');

        const d2 = def('a:chg', { trigger: { type: 'interval', everyMs: 7000 } });
        const result = await store.upsert({ definition: d2, hash: scheduleHash(d2), nextRunAt: now + 2000, anchor: now, replaceExisting: false });
        expect(result.status).toBe('updated');
        const got = await store.get('a:chg');
        expect(got?.definition.trigger).toEqual({ type: 'interval', everyMs: 7000 });
        expect(got?.state).toMatchObject({ nextRunAt: now + 2000, anchor: now - 5000, paused: true, runs: 1, hash: scheduleHash(d2) });
        expect(await store.history('a:chg', 10)).toHaveLength(1);
      });

      it('a changed trigger type takes the new anchor', async () => {
        const now = await store.now();
        await add(def('a:kind'), now + 1000, now - 5000);
        const d2 = def('a:kind', { trigger: { type: 'cron', expression: '* * * * * *', timezone: 'UTC' } });
        const result = await store.upsert({ definition: d2, hash: scheduleHash(d2), nextRunAt: now + 3000, anchor: now + 7, replaceExisting: false });
        expect(result.status).toBe('updated');
        expect((await store.get('a:kind'))?.state).toMatchObject({ anchor: now + 7, nextRunAt: now + 3000 });
      });

      it('another owner without replaceExisting is a conflict that changes nothing', async () => {
        const now = await store.now();
        await add(def('shared', { owner: 'plugin-a' }), now + 1000);
        const before = await store.get('shared');
        const d2 = def('shared', { owner: 'plugin-b', trigger: { type: 'interval', everyMs: 5 } });
        const result = await store.upsert({ definition: d2, hash: scheduleHash(d2), nextRunAt: now, anchor: now, replaceExisting: false });
        expect(result).toEqual({ status: 'conflict', existingOwner: 'plugin-a' });
        expect(await store.get('shared')).toEqual(before);

        const replaced = await store.upsert({ definition: d2, hash: scheduleHash(d2), nextRunAt: now + 50, anchor: now, replaceExisting: true });
        expect(replaced.status).toBe('updated');
        expect((await store.get('shared'))?.definition.owner).toBe('plugin-b');
      });

      it('an update cancels an outstanding claim: its commit is stale', async () => {
        const now = await store.now();
        await add(def('a:upd'), now - 10);
        const [claim] = await store.claimDue('proc-1', LONG_LEASE_MS, 10);
        const d2 = def('a:upd', { args: [2] });
        await store.upsert({ definition: d2, hash: scheduleHash(d2), nextRunAt: now - 5, anchor: now, replaceExisting: false });
        const [result] = await store.commit('proc-1', [{ id: 'a:upd', token: claim!.token, fire: [now - 10], missedCount: 0, nextRunAt: now + 1000 }]);
        expect(result).toEqual({ id: 'a:upd', ok: false, reason: 'stale' });
        const again = await store.claimDue('proc-2', LONG_LEASE_MS, 10);
        expect(ids(again)).toEqual(['a:upd']);
        expect(again[0]!.token).toBe(claim!.token + 1);
        expect(again[0]!.schedule.state.nextRunAt).toBe(now - 5);
      });

      it('returns snapshots: a state read earlier does not change when the schedule does', async () => {
        const now = await store.now();
        const created = await add(def('snap'), now - 10);
        const before = await store.get('snap');
        const [claim] = await store.claimDue('proc-1', LONG_LEASE_MS, 10);
        await store.commit('proc-1', [{ id: 'snap', token: claim!.token, fire: [now - 10], missedCount: 0, nextRunAt: now + 1000 }]);
        await store.pause('snap');
        expect(created.status === 'created' && created.schedule.state).toMatchObject({ nextRunAt: now - 10, token: 0, runs: 0, paused: false });
        expect(before?.state).toMatchObject({ nextRunAt: now - 10, token: 0, runs: 0, paused: false });
        expect(claim?.schedule.state).toMatchObject({ nextRunAt: now - 10, token: 1, runs: 0 });
        expect((await store.get('snap'))?.state).toMatchObject({ nextRunAt: now + 1000, token: 1, runs: 1, paused: true });
      });

      it('list returns every schedule, or only one owner\'s', async () => {
        const now = await store.now();
        await add(def('a:1', { owner: 'a' }), now + 1);
        await add(def('a:2', { owner: 'a' }), now + 2);
        await add(def('b:1', { owner: 'b' }), now + 3);
        expect((await store.list()).map((s) => s.definition.id).sort()).toEqual(['a:1', 'a:2', 'b:1']);
        expect((await store.list({ owner: 'a' })).map((s) => s.definition.id).sort()).toEqual(['a:1', 'a:2']);
        expect(await store.list({ owner: 'c' })).toEqual([]);
      });
    });

    describe('remove', () => {
      it('removes a schedule with its history; it is no longer claimed or woken for', async () => {
        const now = await store.now();
        await add(def('a:rm'), now - 10);
        await store.recordRun(record('a:rm', now - 20), 10);
        expect(await store.remove('a:rm')).toBe(true);
        expect(await store.remove('a:rm')).toBe(false);
        expect(await store.get('a:rm')).toBeNull();
        expect(await store.history('a:rm', 10)).toEqual([]);
        expect(await store.claimDue('proc-1', LONG_LEASE_MS, 10)).toEqual([]);
        expect(await store.nextWakeup()).toBeNull();

        await add(def('a:rm'), now - 10);
        expect(await store.history('a:rm', 10)).toEqual([]);
        expect((await store.get('a:rm'))?.state.runs).toBe(0);
      });

      it('a commit for a removed schedule is refused as missing', async () => {
        const now = await store.now();
        await add(def('a:gone'), now - 10);
        const [claim] = await store.claimDue('proc-1', LONG_LEASE_MS, 10);
        await store.remove('a:gone');
        const result = await store.commit('proc-1', [{ id: 'a:gone', token: claim!.token, fire: [now - 10], missedCount: 0, nextRunAt: now + 1000 }]);
        expect(result).toEqual([{ id: 'a:gone', ok: false, reason: 'missing' }]);
      });
    });

    describe('claimDue', () => {
      it('claims due schedules earliest first, up to the limit, each with a new token and lease', async () => {
        const now = await store.now();
        // Inserted out of order on purpose.
        await add(def('d3'), now - 3000);
        await add(def('d1'), now - 5000);
        await add(def('d5'), now - 1000);
        await add(def('d2'), now - 4000);
        await add(def('d4'), now - 2000);
        await add(def('future'), now + 60_000);
        await add(def('exhausted'), null);
        await add(def('paused'), now - 9000);
        await store.pause('paused');

        const first = await store.claimDue('proc-1', LONG_LEASE_MS, 3);
        const after = await store.now();
        expect(ids(first)).toEqual(['d1', 'd2', 'd3']);
        for (const c of first) {
          expect(c.token).toBe(1);
          expect(c.schedule.state.token).toBe(1);
          expect(c.leaseUntil).toBeGreaterThanOrEqual(now + LONG_LEASE_MS);
          expect(c.leaseUntil).toBeLessThanOrEqual(after + LONG_LEASE_MS);
        }
        expect(first[0]!.schedule.state.nextRunAt).toBe(now - 5000);
        expect(ids(await store.claimDue('proc-1', LONG_LEASE_MS, 10))).toEqual(['d4', 'd5']);
        expect(await store.claimDue('proc-2', LONG_LEASE_MS, 10)).toEqual([]);
      });

      it('never claims excluded schedules, and still claims the others', async () => {
        const now = await store.now();
        await add(def('x1'), now - 3000);
        await add(def('x2'), now - 2000);
        await add(def('x3'), now - 1000);
        const claims = await store.claimDue('proc-1', LONG_LEASE_MS, 10, new Set(['x1', 'x3']));
        expect(ids(claims)).toEqual(['x2']);
        expect(ids(await store.claimDue('proc-2', LONG_LEASE_MS, 10))).toEqual(['x1', 'x3']);
      });

      it('two owners claiming at the same time get disjoint sets that cover every due schedule', async () => {
        const now = await store.now();
        const all: string[] = [];
        for (let i = 0; i < 60; i++) {
          all.push(`c${i}`);
          await add(def(`c${i}`), now - 1000 - i);
        }
        const [a, b] = await Promise.all([
          store.claimDue('proc-a', LONG_LEASE_MS, 40),
          store.claimDue('proc-b', LONG_LEASE_MS, 40),
        ]);
        const claimed = [...ids(a!), ...ids(b!)];
        expect(new Set(claimed).size).toBe(claimed.length);
        expect(claimed.sort()).toEqual(all.sort());
      });

      it('a claim whose lease expired can be re-claimed with a higher token; the old token is then stale', async () => {
        const now = await store.now();
        await add(def('lease'), now - 100);
        // Not asserting "not claimable before expiry" here: a stalled machine could pass the short
        // lease first. The long-lease claimDue tests cover it.
        const [first] = await store.claimDue('proc-1', SHORT_LEASE_MS, 10);
        await waitUntilStoreTime(first!.leaseUntil);

        const [second] = await store.claimDue('proc-2', LONG_LEASE_MS, 10);
        expect(second?.schedule.definition.id).toBe('lease');
        expect(second!.token).toBeGreaterThan(first!.token);
        expect(second!.schedule.state.nextRunAt).toBe(now - 100);

        const stale = await store.commit('proc-1', [{ id: 'lease', token: first!.token, fire: [now - 100], missedCount: 0, nextRunAt: now + 1000 }]);
        expect(stale).toEqual([{ id: 'lease', ok: false, reason: 'stale' }]);
        const ok = await store.commit('proc-2', [{ id: 'lease', token: second!.token, fire: [now - 100], missedCount: 0, nextRunAt: now + 1000 }]);
        expect(ok).toEqual([{ id: 'lease', ok: true, accepted: [now - 100] }]);
        expect((await store.get('lease'))?.state).toMatchObject({ runs: 1, nextRunAt: now + 1000 });
      });

      it('a lapsed lease that nobody re-claimed still commits', async () => {
        const now = await store.now();
        await add(def('lapsed'), now - 100);
        const [claim] = await store.claimDue('proc-1', SHORT_LEASE_MS, 10);
        await waitUntilStoreTime(claim!.leaseUntil);
        const result = await store.commit('proc-1', [{ id: 'lapsed', token: claim!.token, fire: [now - 100], missedCount: 0, nextRunAt: now + 5000 }]);
        expect(result).toEqual([{ id: 'lapsed', ok: true, accepted: [now - 100] }]);
      });
      it('gives each live schedule its own claim slot, the same in every claim of it, when it gives slots', async () => {
        const now = await store.now();
        for (const id of ['s1', 's2', 's3']) await add(def(id), now - 1000);
        const slotsOf = (claims: readonly Claim[]): Map<string, number | undefined> => new Map(claims.map((c) => [c.schedule.definition.id, c.slot]));
        const first = slotsOf(await store.claimDue('proc-1', SHORT_LEASE_MS, 10));
        expect([...first.keys()].sort()).toEqual(['s1', 's2', 's3']);
        const given = [...first.values()];
        if (given.every((slot) => slot === undefined)) return; // this store gives no slots
        for (const slot of given) expect(Number.isInteger(slot) && slot! >= 0).toBe(true);
        expect(new Set(given).size).toBe(3);
        await waitUntilStoreTime((await store.now()) + SHORT_LEASE_MS);
        expect(slotsOf(await store.claimDue('proc-2', SHORT_LEASE_MS, 10))).toEqual(first);
      });
    });

    describe('claimBatch', () => {
      it('claims as claimDue does, with the store clock and the next wakeup left after the claims', async () => {
        expect(store.claimBatch, 'claimBatch (optional in Store) is implemented').toBeTypeOf('function');
        const claimBatch = store.claimBatch!.bind(store);
        const before = await store.now();
        const empty = await claimBatch('proc-1', LONG_LEASE_MS, 10);
        expect(empty).toMatchObject({ claims: [], nextWakeup: null });
        expect(empty.now).toBeGreaterThanOrEqual(before);
        expect(empty.now).toBeLessThanOrEqual(await store.now());

        const now = empty.now;
        await add(def('b3'), now - 1000);
        await add(def('b1'), now - 3000);
        await add(def('b2'), now - 2000);
        await add(def('later'), now + 50_000);
        await add(def('excluded'), now + 30_000);
        await add(def('paused'), now + 10_000);
        await store.pause('paused');
        const skip = new Set(['excluded']);

        const first = await claimBatch('proc-1', LONG_LEASE_MS, 2, skip);
        expect(ids(first.claims)).toEqual(['b1', 'b2']);
        expect(first.claims[0]!.token).toBe(1);
        expect(first.now).toBeGreaterThanOrEqual(now);
        expect(first.now).toBeLessThanOrEqual(await store.now());
        // The limit left b3 due: the wakeup is its next run, already past.
        expect(first.nextWakeup).toBe(now - 1000);

        const second = await claimBatch('proc-1', LONG_LEASE_MS, 10, skip);
        expect(ids(second.claims)).toEqual(['b3']);
        expect(second.nextWakeup).toBe(now + 50_000);
        // Without the exclusion the excluded schedule is the earliest; nothing is due for proc-2.
        const other = await claimBatch('proc-2', LONG_LEASE_MS, 10);
        expect(other.claims).toEqual([]);
        expect(other.nextWakeup).toBe(now + 30_000);
        // Claimed schedules count at their lease end, as nextWakeup has them.
        await store.setNextRunAt('later', now + 500_000);
        await store.setNextRunAt('excluded', now + 500_000);
        const leased = await claimBatch('proc-2', LONG_LEASE_MS, 10);
        expect(leased.nextWakeup).toBe(first.claims[0]!.leaseUntil);
        expect(leased.nextWakeup).toBe(await store.nextWakeup());
      });
    });

    describe('commit', () => {
      it('records the occurrences, counts runs, sets the next run and releases the claim', async () => {
        const now = await store.now();
        await add(def('cm'), now - 3000);
        const [claim] = await store.claimDue('proc-1', LONG_LEASE_MS, 10);
        const result = await store.commit('proc-1', [
          { id: 'cm', token: claim!.token, fire: [now - 3000, now - 2000, now - 1000], missedCount: 0, nextRunAt: now - 1 },
        ]);
        expect(result).toEqual([{ id: 'cm', ok: true, accepted: [now - 3000, now - 2000, now - 1000] }]);
        expect((await store.get('cm'))?.state).toMatchObject({ runs: 3, nextRunAt: now - 1, token: claim!.token });
        // Released: due again at once, for anyone.
        const [next] = await store.claimDue('proc-2', LONG_LEASE_MS, 10);
        expect(next?.token).toBe(claim!.token + 1);
      });

      it('an exhausted schedule (next run null) is never claimed again', async () => {
        const now = await store.now();
        await add(def('once', { trigger: { type: 'date', runDate: now - 10 } }), now - 10);
        expect(await fireOnce('once', null)).toEqual([now - 10]);
        expect((await store.get('once'))?.state.nextRunAt).toBeNull();
        expect(await store.claimDue('proc-1', LONG_LEASE_MS, 10)).toEqual([]);
        expect(await store.nextWakeup()).toBeNull();
      });

      it('records each occurrence once: a second commit of the same scheduledAt is not accepted', async () => {
        const now = await store.now();
        const t = now - 2000;
        await add(def('once-only'), t);
        expect(await fireOnce('once-only', now + 60_000)).toEqual([t]);

        await store.setNextRunAt('once-only', t);
        const [claim] = await store.claimDue('proc-2', LONG_LEASE_MS, 10);
        const [again] = await store.commit('proc-2', [{ id: 'once-only', token: claim!.token, fire: [t], missedCount: 0, nextRunAt: now + 60_000 }]);
        expect(again).toEqual({ id: 'once-only', ok: true, accepted: [] });
        expect((await store.get('once-only'))?.state).toMatchObject({ runs: 1, nextRunAt: now + 60_000 });
      });

      it('a duplicate inside one item is accepted once', async () => {
        const now = await store.now();
        await add(def('dup'), now - 2000);
        const [claim] = await store.claimDue('proc-1', LONG_LEASE_MS, 10);
        const [result] = await store.commit('proc-1', [
          { id: 'dup', token: claim!.token, fire: [now - 2000, now - 2000, now - 1000], missedCount: 0, nextRunAt: now + 1000 },
        ]);
        expect(result).toEqual({ id: 'dup', ok: true, accepted: [now - 2000, now - 1000] });
        expect((await store.get('dup'))?.state.runs).toBe(2);
      });

      it('refuses a token that was already committed, a wrong token and another owner', async () => {
        const now = await store.now();
        await add(def('tok'), now - 1000);
        const [claim] = await store.claimDue('proc-1', LONG_LEASE_MS, 10);
        const item = { id: 'tok', token: claim!.token, fire: [now - 1000], missedCount: 0, nextRunAt: now - 500 };
        expect(await store.commit('proc-2', [item])).toEqual([{ id: 'tok', ok: false, reason: 'stale' }]);
        expect(await store.commit('proc-1', [{ ...item, token: claim!.token + 7 }])).toEqual([{ id: 'tok', ok: false, reason: 'stale' }]);
        expect(await store.commit('proc-1', [item])).toEqual([{ id: 'tok', ok: true, accepted: [now - 1000] }]);
        expect(await store.commit('proc-1', [{ ...item, fire: [now - 500] }])).toEqual([{ id: 'tok', ok: false, reason: 'stale' }]);
        expect((await store.get('tok'))?.state.runs).toBe(1);
      });

      it('commits a batch item by item, results in input order', async () => {
        const now = await store.now();
        await add(def('b1'), now - 3000);
        await add(def('b2'), now - 2000);
        const claims = await store.claimDue('proc-1', LONG_LEASE_MS, 10);
        const tokenOf = (id: string): number => claims.find((c) => c.schedule.definition.id === id)!.token;
        const results = await store.commit('proc-1', [
          { id: 'b2', token: tokenOf('b2'), fire: [now - 2000], missedCount: 0, nextRunAt: now + 2000 },
          { id: 'nope', token: 1, fire: [now], missedCount: 0, nextRunAt: null },
          { id: 'b1', token: tokenOf('b1') + 1, fire: [now - 3000], missedCount: 0, nextRunAt: now + 1000 },
        ]);
        expect(results).toEqual([
          { id: 'b2', ok: true, accepted: [now - 2000] },
          { id: 'nope', ok: false, reason: 'missing' },
          { id: 'b1', ok: false, reason: 'stale' },
        ]);
        expect((await store.get('b2'))?.state.nextRunAt).toBe(now + 2000);
        expect((await store.get('b1'))?.state.nextRunAt).toBe(now - 3000);
      });
    });

    describe('release', () => {
      it('gives a claim back so it is claimable at once; a wrong token or owner releases nothing', async () => {
        const now = await store.now();
        await add(def('rel'), now - 1000);
        const [claim] = await store.claimDue('proc-1', LONG_LEASE_MS, 10);
        await store.release('proc-1', [{ id: 'rel', token: claim!.token + 1 }]);
        await store.release('proc-2', [{ id: 'rel', token: claim!.token }]);
        expect(await store.claimDue('proc-2', LONG_LEASE_MS, 10)).toEqual([]);

        await store.release('proc-1', [{ id: 'rel', token: claim!.token }, { id: 'unknown', token: 1 }]);
        const [again] = await store.claimDue('proc-2', LONG_LEASE_MS, 10);
        expect(again?.schedule.definition.id).toBe('rel');
        expect(again?.token).toBe(claim!.token + 1);
        expect(again?.schedule.state).toMatchObject({ nextRunAt: now - 1000, runs: 0 });
        const stale = await store.commit('proc-1', [{ id: 'rel', token: claim!.token, fire: [now - 1000], missedCount: 0, nextRunAt: null }]);
        expect(stale).toEqual([{ id: 'rel', ok: false, reason: 'stale' }]);
      });
    });

    describe('pause, resume, setNextRunAt', () => {
      it('a paused schedule is not claimed and has no wakeup; resume sets its next run', async () => {
        const now = await store.now();
        await add(def('pz'), now - 1000);
        expect(await store.pause('pz')).toBe(true);
        expect((await store.get('pz'))?.state.paused).toBe(true);
        expect(await store.claimDue('proc-1', LONG_LEASE_MS, 10)).toEqual([]);
        expect(await store.nextWakeup()).toBeNull();

        expect(await store.resume('pz', now - 10)).toBe(true);
        expect((await store.get('pz'))?.state).toMatchObject({ paused: false, nextRunAt: now - 10 });
        expect(await store.nextWakeup()).toBe(now - 10);
        expect(ids(await store.claimDue('proc-1', LONG_LEASE_MS, 10))).toEqual(['pz']);
      });

      it('pause and resume of a missing schedule return false; resume of a running one changes nothing', async () => {
        const now = await store.now();
        expect(await store.pause('nope')).toBe(false);
        expect(await store.resume('nope', now)).toBe(false);
        expect(await store.setNextRunAt('nope', now)).toBe(false);
        await add(def('running'), now + 5000);
        expect(await store.resume('running', now + 1)).toBe(true);
        expect((await store.get('running'))?.state.nextRunAt).toBe(now + 5000);
      });

      it('pausing during a claim keeps the claim valid; the schedule stays paused after commit', async () => {
        const now = await store.now();
        await add(def('pc'), now - 1000);
        const [claim] = await store.claimDue('proc-1', LONG_LEASE_MS, 10);
        await store.pause('pc');
        const [result] = await store.commit('proc-1', [{ id: 'pc', token: claim!.token, fire: [now - 1000], missedCount: 0, nextRunAt: now - 1 }]);
        expect(result).toEqual({ id: 'pc', ok: true, accepted: [now - 1000] });
        expect((await store.get('pc'))?.state).toMatchObject({ paused: true, nextRunAt: now - 1, runs: 1 });
        expect(await store.claimDue('proc-1', LONG_LEASE_MS, 10)).toEqual([]);
      });

      it('setNextRunAt moves the next run and cancels an outstanding claim', async () => {
        const now = await store.now();
        await add(def('mv'), now - 1000);
        const [claim] = await store.claimDue('proc-1', LONG_LEASE_MS, 10);
        expect(await store.setNextRunAt('mv', now + 30_000)).toBe(true);
        expect((await store.get('mv'))?.state.nextRunAt).toBe(now + 30_000);
        expect(await store.nextWakeup()).toBe(now + 30_000);
        const [result] = await store.commit('proc-1', [{ id: 'mv', token: claim!.token, fire: [now - 1000], missedCount: 0, nextRunAt: now + 1 }]);
        expect(result).toEqual({ id: 'mv', ok: false, reason: 'stale' });
        expect((await store.get('mv'))?.state.nextRunAt).toBe(now + 30_000);
      });
    });

    describe('run slots', () => {
      function slot(jobId: string, runId: string, leaseUntil: number, owner = 'proc-1'): RunSlot {
        return { jobId, runId, scheduledAt: leaseUntil - LONG_LEASE_MS, owner, leaseUntil };
      }

      it('holds at most max unexpired slots per job; releasing one frees room', async () => {
        const now = await store.now();
        const until = now + LONG_LEASE_MS;
        expect(await store.acquireSlot(slot('j', 'r1', until), 2)).toBe(true);
        expect(await store.acquireSlot(slot('j', 'r2', until, 'proc-2'), 2)).toBe(true);
        expect(await store.acquireSlot(slot('j', 'r3', until), 2)).toBe(false);
        expect(await store.acquireSlot(slot('other', 'r1', until), 1)).toBe(true);
        expect(await store.acquireSlot(slot('j', 'r1', until), 2)).toBe(true);
        await store.releaseSlot('j', 'r1');
        await store.releaseSlot('j', 'never-held');
        expect(await store.acquireSlot(slot('j', 'r3', until), 2)).toBe(true);
        expect(await store.reapExpiredSlots(10)).toEqual([]);
      });

      /** Strips the lease end, which a first reap pass extends. */
      function held(s: RunSlot): Omit<RunSlot, 'leaseUntil'> {
        return { jobId: s.jobId, runId: s.runId, scheduledAt: s.scheduledAt, owner: s.owner };
      }

      it('an expired slot stops counting; it is reaped on the second pass that finds it expired, exactly once', async () => {
        const now = await store.now();
        const short = slot('j', 'dead', now + SHORT_LEASE_MS);
        await store.acquireSlot(short, 2);
        await store.acquireSlot(slot('j2', 'alive', now + LONG_LEASE_MS), 1);
        await waitUntilStoreTime(short.leaseUntil);

        expect(await store.acquireSlot(slot('j', 'next', now + LONG_LEASE_MS), 1)).toBe(true);
        // First pass: suspect, extended by its lease, counting again meanwhile.
        expect(await store.reapExpiredSlots(10)).toEqual([]);
        expect(await store.acquireSlot(slot('j', 'third', now + LONG_LEASE_MS), 2)).toBe(false);
        await waitUntilStoreTime((await store.now()) + SHORT_LEASE_MS);
        expect((await store.reapExpiredSlots(10)).map(held)).toEqual([held(short)]);
        expect(await store.reapExpiredSlots(10)).toEqual([]);
        expect(await store.acquireSlot(slot('j', 'third', now + LONG_LEASE_MS), 2)).toBe(true);
      });

      it('renewing or freeing a suspect slot saves it from the second pass', async () => {
        const now = await store.now();
        await store.acquireSlot(slot('j', 'slow', now + SHORT_LEASE_MS), 5);
        await store.acquireSlot(slot('j', 'done', now + SHORT_LEASE_MS), 5);
        await waitUntilStoreTime(now + SHORT_LEASE_MS);
        expect(await store.reapExpiredSlots(10)).toEqual([]);
        expect(await store.renewSlots('proc-1', [{ jobId: 'j', runId: 'slow' }], SHORT_LEASE_MS)).toEqual(['slow']);
        await store.finishRuns([{ slot: { jobId: 'j', runId: 'done' }, historyLimit: 10 }]);
        await waitUntilStoreTime((await store.now()) + SHORT_LEASE_MS);
        // 'slow' expired again after its renewal: a first pass again, not a reap.
        expect(await store.reapExpiredSlots(10)).toEqual([]);
        await waitUntilStoreTime((await store.now()) + SHORT_LEASE_MS);
        expect((await store.reapExpiredSlots(10)).map((s) => s.runId)).toEqual(['slow']);
      });

      it('renewSlots extends only the owner\'s held slots', async () => {
        const now = await store.now();
        await store.acquireSlot(slot('j', 'mine', now + SHORT_LEASE_MS), 5);
        await store.acquireSlot(slot('j', 'theirs', now + SHORT_LEASE_MS, 'proc-2'), 5);
        const held = await store.renewSlots('proc-1', [{ jobId: 'j', runId: 'mine' }, { jobId: 'j', runId: 'theirs' }, { jobId: 'j', runId: 'gone' }], LONG_LEASE_MS);
        expect(held).toEqual(['mine']);
        await waitUntilStoreTime(now + SHORT_LEASE_MS);
        await markSuspect();
        const reaped = await store.reapExpiredSlots(10);
        expect(reaped.map((s) => s.runId)).toEqual(['theirs']);
        expect(await store.renewSlots('proc-2', [{ jobId: 'j', runId: 'theirs' }], LONG_LEASE_MS)).toEqual([]);
      });

      it('reapExpiredSlots returns at most limit slots', async () => {
        const now = await store.now();
        for (let i = 0; i < 3; i++) await store.acquireSlot(slot('j', `r${i}`, now + SHORT_LEASE_MS), 10);
        await waitUntilStoreTime(now + SHORT_LEASE_MS);
        await markSuspect();
        expect(await store.reapExpiredSlots(2)).toHaveLength(2);
        expect(await store.reapExpiredSlots(2)).toHaveLength(1);
      });
    });

    describe('commit with run slots, finishRuns', () => {
      it('takes a slot per accepted occurrence atomically: counted up to max, the rest in flight', async () => {
        const now = await store.now();
        const p2 = { ...POLICY, coalesce: 'all' as const };
        await add(def('cs', { policy: p2 }), now - 3000);
        const [claim] = await store.claimDue('proc-1', LONG_LEASE_MS, 10);
        const fire = [now - 3000, now - 2000, now - 1000];
        const [result] = await store.commit('proc-1', [{ id: 'cs', token: claim!.token, fire, missedCount: 0, nextRunAt: now + 1000, slots: { max: 2, leaseMs: LONG_LEASE_MS } }]);
        const runIds = fire.map((at) => `${at}@proc-1`);
        expect(result).toEqual({ id: 'cs', ok: true, accepted: fire, runs: [
          { runId: runIds[0], slotted: true }, { runId: runIds[1], slotted: true }, { runId: runIds[2], slotted: false },
        ] });
        const until = now + LONG_LEASE_MS;
        // Two counted: no room for another run; the in-flight one is counted once a slot frees.
        expect(await store.acquireSlot({ jobId: 'cs', runId: 'x', scheduledAt: now, owner: 'proc-2', leaseUntil: until }, 2)).toBe(false);
        expect(await store.acquireSlot({ jobId: 'cs', runId: runIds[2]!, scheduledAt: fire[2]!, owner: 'proc-1', leaseUntil: until }, 2)).toBe(false);
        await store.finishRuns([{ slot: { jobId: 'cs', runId: runIds[0]! }, record: record('cs', fire[0]!), historyLimit: 10 }]);
        expect(await store.acquireSlot({ jobId: 'cs', runId: runIds[2]!, scheduledAt: fire[2]!, owner: 'proc-1', leaseUntil: until }, 2)).toBe(true);
        expect(await store.renewSlots('proc-1', runIds.map((runId) => ({ jobId: 'cs', runId })), LONG_LEASE_MS)).toEqual([runIds[1], runIds[2]]);
      });

      it('a process that dies after the commit leaves slots that are reaped (recoverable), uncounted ones too', async () => {
        const now = await store.now();
        await add(def('die', { policy: { ...POLICY, coalesce: 'all' } }), now - 2000);
        const [claim] = await store.claimDue('proc-1', LONG_LEASE_MS, 10);
        const fire = [now - 2000, now - 1000];
        await store.commit('proc-1', [{ id: 'die', token: claim!.token, fire, missedCount: 0, nextRunAt: now + 60_000, slots: { max: 1, leaseMs: SHORT_LEASE_MS } }]);
        await waitUntilStoreTime((await store.now()) + SHORT_LEASE_MS);
        await markSuspect();
        const reaped = await store.reapExpiredSlots(10);
        expect(reaped.map((s) => [s.jobId, s.runId, s.scheduledAt, s.owner]).sort()).toEqual(fire.map((at) => ['die', `${at}@proc-1`, at, 'proc-1']).sort());
      });

      it('a commit without slots takes none', async () => {
        const now = await store.now();
        await add(def('ns'), now - 1000);
        const [claim] = await store.claimDue('proc-1', LONG_LEASE_MS, 10);
        const [result] = await store.commit('proc-1', [{ id: 'ns', token: claim!.token, fire: [now - 1000], missedCount: 0, nextRunAt: now + 1000 }]);
        expect(result).toEqual({ id: 'ns', ok: true, accepted: [now - 1000] });
        expect(await store.acquireSlot({ jobId: 'ns', runId: 'r', scheduledAt: now, owner: 'proc-1', leaseUntil: now + LONG_LEASE_MS }, 1)).toBe(true);
      });

      it('finishRuns frees slots and appends records in order, in one call; records of unknown jobs are dropped', async () => {
        const now = await store.now();
        await add(def('f1'), now + 1000);
        await add(def('f2'), now + 1000);
        const until = now + LONG_LEASE_MS;
        await store.acquireSlot({ jobId: 'f1', runId: 'a', scheduledAt: now, owner: 'proc-1', leaseUntil: until }, 1);
        const r1 = record('f1', now - 2000);
        const r2 = record('f1', now - 1000, { status: 'failed', error: 'boom' });
        const r3 = record('f2', now - 1000);
        await store.finishRuns([
          { slot: { jobId: 'f1', runId: 'a' }, record: r1, historyLimit: 2 },
          { record: r2, historyLimit: 2 },
          { record: r3, historyLimit: 0 },
          { record: record('ghost', now), historyLimit: 5 },
          { slot: { jobId: 'f1', runId: 'never-held' }, historyLimit: 5 },
        ]);
        expect(await store.history('f1', 10)).toEqual([r2, r1]);
        expect((await store.get('f1'))?.state.lastRun).toEqual(r2);
        expect(await store.history('f2', 10)).toEqual([]);
        expect((await store.get('f2'))?.state.lastRun).toEqual(r3);
        expect(await store.get('ghost')).toBeNull();
        expect(await store.acquireSlot({ jobId: 'f1', runId: 'b', scheduledAt: now, owner: 'proc-1', leaseUntil: until }, 1)).toBe(true);
        await store.finishRuns([]);
      });
    });

    describe('history', () => {
      it('keeps the newest historyLimit runs, newest first, and sets lastRun', async () => {
        const now = await store.now();
        await add(def('h'), now + 1000);
        const records = [1, 2, 3, 4, 5].map((i) => record('h', now + i * 1000, { attempts: i }));
        for (const r of records) await store.recordRun(r, 3);
        expect(await store.history('h', 10)).toEqual([records[4], records[3], records[2]]);
        expect(await store.history('h', 2)).toEqual([records[4], records[3]]);
        expect((await store.get('h'))?.state.lastRun).toEqual(records[4]);
      });

      it('keeps optional fields, and drops records of unknown jobs', async () => {
        const now = await store.now();
        await add(def('h2'), now + 1000);
        const failed = record('h2', now, { status: 'failed', error: 'boom', owner: 'proc-1', manual: true, attempts: 3 });
        await store.recordRun(failed, 10);
        expect(await store.history('h2', 10)).toEqual([failed]);
        await store.recordRun(record('ghost', now), 10);
        expect(await store.history('ghost', 10)).toEqual([]);
        expect(await store.get('ghost')).toBeNull();
      });

      it('writes through recordRunNow, when the store has it, as recordRun does', async () => {
        if (store.recordRunNow === undefined) return; // optional: process-local stores
        const now = await store.now();
        await add(def('h3'), now + 1000);
        const records = [1, 2, 3].map((i) => record('h3', now + i * 1000, { attempts: i }));
        store.recordRunNow(records[0]!, 2);
        await store.recordRun(records[1]!, 2);
        store.recordRunNow(records[2]!, 2);
        expect(await store.history('h3', 10)).toEqual([records[2], records[1]]);
        expect((await store.get('h3'))?.state.lastRun).toEqual(records[2]);
        store.recordRunNow(record('ghost', now), 10);
        expect(await store.history('ghost', 10)).toEqual([]);
        await store.close();
        expect(() => store.recordRunNow!(record('h3', now), 2)).toThrow();
      });
    });

    describe('nextWakeup', () => {
      it('is the earliest next run of unpaused schedules, honouring exclude, and a claim\'s lease end', async () => {
        const now = await store.now();
        expect(await store.nextWakeup()).toBeNull();
        await add(def('w1'), now + 3000);
        await add(def('w2'), now + 2000);
        await add(def('w3'), now + 1000);
        await add(def('w4'), null);
        await store.pause('w3');
        expect(await store.nextWakeup()).toBe(now + 2000);
        expect(await store.nextWakeup(new Set(['w2']))).toBe(now + 3000);
        expect(await store.nextWakeup(new Set(['w1', 'w2']))).toBeNull();

        await add(def('due'), now - 50);
        expect(await store.nextWakeup()).toBe(now - 50);
        const [claim] = await store.claimDue('proc-1', LONG_LEASE_MS, 10);
        expect(claim?.schedule.definition.id).toBe('due');
        expect(await store.nextWakeup()).toBe(now + 2000);
        await store.setNextRunAt('w1', now + 200_000);
        await store.setNextRunAt('w2', now + 200_000);
        expect(await store.nextWakeup()).toBe(claim!.leaseUntil);
      });
    });

    describe('change hints', () => {
      it('notifies listeners after each kind of mutation, until unsubscribed', async () => {
        const now = await store.now();
        const seen: StoreChange[] = [];
        const off = store.onChange((c) => seen.push(c));
        const expectHint = async (kind: StoreChange['kind'], id?: string): Promise<void> => {
          await vi.waitFor(() => expect(seen.some((c) => c.kind === kind && (id === undefined || c.id === undefined || c.id === id))).toBe(true), { timeout: 2000 });
        };
        await add(def('n'), now - 10);
        await expectHint('upsert', 'n');
        await store.pause('n');
        await expectHint('pause', 'n');
        await store.resume('n', now - 5);
        await expectHint('resume', 'n');
        await store.setNextRunAt('n', now - 1);
        await expectHint('reschedule', 'n');
        let [claim] = await store.claimDue('proc-1', LONG_LEASE_MS, 10);
        await store.release('proc-1', [{ id: 'n', token: claim!.token }]);
        await expectHint('release', 'n');
        [claim] = await store.claimDue('proc-1', LONG_LEASE_MS, 10);
        await store.commit('proc-1', [{ id: 'n', token: claim!.token, fire: [now - 1], missedCount: 0, nextRunAt: now + 1000 }]);
        await expectHint('commit', 'n');
        await store.remove('n');
        await expectHint('remove', 'n');

        off();
        const count = seen.length;
        await add(def('n2'), now);
        await new Promise((resolve) => setTimeout(resolve, 100));
        expect(seen.length).toBe(count);
      });

      it('a throwing listener does not break the mutation or other listeners', async () => {
        const now = await store.now();
        const seen: string[] = [];
        store.onChange(() => {
          throw new Error('listener bug');
        });
        store.onChange((c) => seen.push(c.kind));
        const result = await add(def('t'), now);
        expect(result.status).toBe('created');
        await vi.waitFor(() => expect(seen).toContain('upsert'), { timeout: 2000 });
      });
    });

    describe('close', () => {
      it('makes the store unusable with XCORE_ERR_STORE_CLOSED; closing twice is fine', async () => {
        await store.close();
        await store.close();
        const err = await store.get('x').then(() => null, (e: unknown) => e);
        expect(isXcoreError(err, 'XCORE_ERR_STORE_CLOSED')).toBe(true);
      });
    });
  });
}
