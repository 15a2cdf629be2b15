/**
 * Store contract, runs: leased run slots (`acquireSlot`, `renewSlots`, two-pass `reapExpiredSlots`),
 * slots taken by `commit`, `finishRuns`, and run history (`recordRun`, `recordRunNow`, `history`).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { RunSlot, Store } from './store.js';
import { LONG_LEASE_MS, POLICY, SHORT_LEASE_MS, def, record, type StoreContractContext } from './store-contract-context.js';

/**
 * Registers the contract tests for run slots and run history.
 *
 * @param ctx - the running test's store and the shared contract helpers.
 */
export function describeRunContract(ctx: StoreContractContext): void {
  const { add, waitUntilStoreTime, markSuspect } = ctx;
  let store: Store;
  beforeEach(() => {
    store = ctx.store;
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


    it('a retried commit whose answer was lost gets back the occurrences it recorded, after another owner committed the next one', async () => {
      const now = await store.now();
      await add(def('lost-reply', { policy: { ...POLICY, coalesce: 'all' } }), now - 3000);
      const [a] = await store.claimDue('proc-a', LONG_LEASE_MS, 10);
      const slots = { max: 2, leaseMs: LONG_LEASE_MS };
      const fire = [now - 3000, now - 2000];
      const item = { id: 'lost-reply', token: a!.token, fire, missedCount: 0, nextRunAt: now - 1000, slots };
      // The commit reaches the store (occurrences recorded, run slots taken); proc-a never sees
      // its answer (the connection dropped), so it keeps the item to send again.
      void (await store.commit('proc-a', [item]));
      // Before the retry gets through, proc-b claims the next occurrence and commits it.
      const [b] = await store.claimDue('proc-b', LONG_LEASE_MS, 10);
      expect(b?.schedule.state.nextRunAt).toBe(now - 1000);
      expect(await store.commit('proc-b', [{ id: 'lost-reply', token: b!.token, fire: [now - 1000], missedCount: 0, nextRunAt: now + 60_000, slots }]))
        .toEqual([{ id: 'lost-reply', ok: true, accepted: [now - 1000], runs: [{ runId: `${now - 1000}@proc-b`, slotted: false }] }]);
      // proc-a's retry (same owner, same item) is answered with what its first call recorded.
      const runs = [{ runId: `${now - 3000}@proc-a`, slotted: true }, { runId: `${now - 2000}@proc-a`, slotted: true }];
      expect(await store.commit('proc-a', [item])).toEqual([{ id: 'lost-reply', ok: true, accepted: fire, runs }]);
      // Nothing was recorded twice, and the item is proc-a's alone.
      expect((await store.get('lost-reply'))?.state).toMatchObject({ runs: 3, nextRunAt: now + 60_000 });
      expect(await store.commit('proc-b', [item])).toEqual([{ id: 'lost-reply', ok: false, reason: 'stale' }]);
      // A run that finished is not handed out again; once none is left the retry is stale.
      await store.finishRuns([{ slot: { jobId: 'lost-reply', runId: runs[0]!.runId }, historyLimit: 10 }]);
      expect(await store.commit('proc-a', [item])).toEqual([{ id: 'lost-reply', ok: true, accepted: [fire[1]], runs: [runs[1]] }]);
      await store.finishRuns([{ slot: { jobId: 'lost-reply', runId: runs[1]!.runId }, historyLimit: 10 }]);
      expect(await store.commit('proc-a', [item])).toEqual([{ id: 'lost-reply', ok: false, reason: 'stale' }]);
    });

    it('a retry recognises only the occurrences its own claim recorded, not an earlier run of the same owner', async () => {
      const now = await store.now();
      await add(def('own-only'), now - 2000);
      const slots = { max: 5, leaseMs: LONG_LEASE_MS };
      const [first] = await store.claimDue('proc-a', LONG_LEASE_MS, 10);
      const [done] = await store.commit('proc-a', [{ id: 'own-only', token: first!.token, fire: [now - 2000], missedCount: 0, nextRunAt: now - 1000, slots }]);
      expect(done).toMatchObject({ ok: true, accepted: [now - 2000] });
      // A later claim of proc-a is cancelled (the schedule moved) before it commits; its commit
      // names the occurrence proc-a is still running from the first claim.
      const [second] = await store.claimDue('proc-a', LONG_LEASE_MS, 10);
      await store.setNextRunAt('own-only', now + 60_000);
      expect(await store.commit('proc-a', [{ id: 'own-only', token: second!.token, fire: [now - 2000], missedCount: 0, nextRunAt: now + 1000, slots }]))
        .toEqual([{ id: 'own-only', ok: false, reason: 'stale' }]);
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

    it('writes through recordRunNow as recordRun does (optional: skipped for a store without recordRunNow)', async ({ skip }) => {
      if (store.recordRunNow === undefined) return skip('this store has no recordRunNow (optional: process-local stores have it)');
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
      expect(() => store.recordRunNow!(record('h3', now), 2)).toThrow(expect.objectContaining({ code: 'XCORE_ERR_STORE_CLOSED' }));
    });

    it('writes a batch through recordRunsNow, in order, each with its own limit (optional)', async ({ skip }) => {
      if (store.recordRunsNow === undefined) return skip('this store has no recordRunsNow (optional: process-local stores have it)');
      const now = await store.now();
      await add(def('b1'), now + 1000);
      await add(def('b2'), now + 1000);
      const b1 = [1, 2, 3].map((i) => record('b1', now + i * 1000, { attempts: i }));
      const b2 = [1, 2].map((i) => record('b2', now + i * 1000, { status: 'failed', error: `e${i}` }));
      store.recordRunsNow([b1[0]!, b2[0]!, b1[1]!, record('ghost', now), b2[1]!, b1[2]!], [2, 10, 2, 10, 10, 2]);
      expect(await store.history('b1', 10)).toEqual([b1[2], b1[1]]);
      expect(await store.history('b2', 10)).toEqual([b2[1], b2[0]]);
      expect((await store.get('b1'))?.state.lastRun).toEqual(b1[2]);
      expect(await store.history('ghost', 10)).toEqual([]);
      await store.close();
      expect(() => store.recordRunsNow!([record('b1', now)], [2])).toThrow(expect.objectContaining({ code: 'XCORE_ERR_STORE_CLOSED' }));
    });
  });
}
