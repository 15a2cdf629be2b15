/**
 * Store contract, claims and fencing: `claimDue` and `claimBatch`, token-fenced `commit` and `release`,
 * and `pause`, `resume` and `setNextRunAt` against outstanding claims.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { Claim, Store } from './store.js';
import { LONG_LEASE_MS, SHORT_LEASE_MS, def, ids, type StoreContractContext } from './store-contract-context.js';

/**
 * Registers the contract tests for claiming due schedules and committing or releasing the claims.
 *
 * @param ctx - the running test's store and the shared contract helpers.
 */
export function describeClaimContract(ctx: StoreContractContext): void {
  const { add, waitUntilStoreTime, fireOnce } = ctx;
  let store: Store;
  beforeEach(() => {
    store = ctx.store;
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
    it('gives each live schedule its own claim slot, the same in every claim of it (optional: skipped for a store that gives no slots)', async ({ skip }) => {
      const now = await store.now();
      for (const id of ['s1', 's2', 's3']) await add(def(id), now - 1000);
      const slotsOf = (claims: readonly Claim[]): Map<string, number | undefined> => new Map(claims.map((c) => [c.schedule.definition.id, c.slot]));
      const first = slotsOf(await store.claimDue('proc-1', SHORT_LEASE_MS, 10));
      expect([...first.keys()].sort()).toEqual(['s1', 's2', 's3']);
      const given = [...first.values()];
      skip(given.every((slot) => slot === undefined), 'this store gives no claim slots (optional)');
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
}
