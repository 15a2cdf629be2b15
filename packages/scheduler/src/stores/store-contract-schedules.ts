/**
 * Store contract, schedules: `upsert` (create, unchanged, update, owner conflict), snapshots, `list`
 * and `remove`.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { scheduleHash } from './schedule-hash.js';
import type { Store } from './store.js';
import { LONG_LEASE_MS, def, ids, record, type StoreContractContext } from './store-contract-context.js';

/**
 * Registers the contract tests for creating, updating, listing and removing schedules.
 *
 * @param ctx - the running test's store and the shared contract helpers.
 */
export function describeScheduleContract(ctx: StoreContractContext): void {
  const { add, fireOnce } = ctx;
  let store: Store;
  beforeEach(() => {
    store = ctx.store;
  });

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

  describe('restore', () => {
    it('creates the schedules it does not have, as upsert would, and leaves the others untouched', async () => {
      const now = await store.now();
      const kept = def('r:kept');
      await add(kept, now + 1000, now - 10);
      await store.pause('r:kept');
      const changed = def('r:kept', { trigger: { type: 'interval', everyMs: 5000 } });
      const fresh = def('r:fresh', { owner: 'plugin-b' });
      const result = await store.restore([
        { definition: changed, hash: scheduleHash(changed), nextRunAt: now + 5000, anchor: now },
        { definition: fresh, hash: scheduleHash(fresh), nextRunAt: now + 3000, anchor: now - 20 },
      ]);
      expect(result.created).toEqual(['r:fresh']);
      if (result.generation !== undefined) expect(result.generation).not.toBe('');
      const got = await store.get('r:fresh');
      expect(got?.definition).toEqual(fresh);
      expect(got?.state).toMatchObject({ nextRunAt: now + 3000, anchor: now - 20, paused: false, runs: 0, token: 0, hash: scheduleHash(fresh) });
      expect((await store.get('r:kept'))?.definition).toEqual(kept);
      expect((await store.get('r:kept'))?.state.paused).toBe(true);
      expect(ids(await store.claimDue('proc-2', LONG_LEASE_MS, 10))).toEqual([]);
      expect(await store.nextWakeup()).toBe(now + 3000);
      expect((await store.restore([{ definition: fresh, hash: scheduleHash(fresh), nextRunAt: now, anchor: now }])).created).toEqual([]);
      expect((await store.list()).map((s) => s.definition.id).sort()).toEqual(['r:fresh', 'r:kept']);
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
}
