/**
 * Commit ahead (`claim-due-3.lua` with `commitAhead`): a schedule whose last commit planned its
 * next occurrences ahead is committed by the claim itself while the plan holds, and claimed as
 * usual otherwise; a claim whose answer was lost answers its commits ahead again, once.
 */
import { describe, expect, it, vi } from 'vitest';
import { redisUnavailable } from '../../../../../test/helpers/redis-server.js';
import { scheduleHash } from '../schedule-hash.js';
import type { AheadPlan, CommitSlots } from '../store.js';
import type { RedisStore } from './redis-store.js';
import { add, definition, useRedisStores } from './redis-store.fixtures.js';

const SLOTS: CommitSlots = { max: 1, leaseMs: 30_000 };

describe.skipIf(redisUnavailable({ needBinary: true }))('RedisStore: commit ahead', () => {
  const { open, admin, server } = useRedisStores((s) => s.thaw());

  /** Claims `id` (due at `firstAt`), commits `firstAt` with next run `nextRunAt` and `ahead`, and finishes its run. */
  async function commitWithAhead(store: RedisStore, id: string, firstAt: number, nextRunAt: number, ahead: AheadPlan, slots = SLOTS): Promise<void> {
    const [claim] = await store.claimDue('p', 30_000, 10);
    expect(claim?.schedule.definition.id).toBe(id);
    const [result] = await store.commit('p', [{ id, token: claim!.token, fire: [firstAt], missedCount: 0, nextRunAt, slots, ahead }]);
    expect(result).toMatchObject({ ok: true, accepted: [firstAt] });
    // Its run ends: the schedule's one instance is free again.
    await store.finishRuns([{ slot: { jobId: id, runId: `${firstAt}@p` }, historyLimit: 0 }]);
  }

  /** A claim with commitAhead sent while Redis is stopped: it times out here, and Redis runs it when it wakes. */
  async function loseAnswer(store: RedisStore): Promise<void> {
    server().freeze();
    await expect(store.claimBatch('p', 30_000, 10, undefined, { commitAhead: true })).rejects.toMatchObject({ code: 'XCORE_ERR_REDIS_UNAVAILABLE' });
    server().thaw();
  }

  /**
   * Schedule `id`, due 3 s ago, committed with a plan ahead for `now - 2000`; then a claim whose
   * answer is lost commits that occurrence ahead (seen in the schedule's `fired`).
   */
  async function lostAheadCommit(store: RedisStore, id: string, now: number): Promise<void> {
    await add(store, id, now - 3000);
    await commitWithAhead(store, id, now - 3000, now - 2000, { graceMs: null, occurrences: [now + 60_000], catchUp: false });
    await loseAnswer(store);
    await vi.waitFor(async () => expect(await admin().hget(store.keys.schedule(id), 'fired')).toBe(String(now - 2000)));
  }

  it('commits a due schedule at once from its plan made ahead, and keeps the rest of the plan', async () => {
    const store = open();
    const now = await store.now();
    await add(store, 'a', now - 3000);
    await commitWithAhead(store, 'a', now - 3000, now - 2000, { graceMs: null, occurrences: [now + 60_000, now + 120_000], catchUp: false });
    // The plan holds: the claim commits the occurrence instead of claiming the schedule.
    const batch = await store.claimBatch('p', 30_000, 10, undefined, { commitAhead: true });
    expect(batch.claims).toEqual([]);
    expect(batch.committed).toEqual([{ definition: definition('a'), scheduledAt: now - 2000, nextRunAt: now + 60_000, run: { runId: `${now - 2000}@p`, slotted: true }, missedCount: 0 }]);
    const state = (await store.get('a'))!.state;
    expect(state).toMatchObject({ nextRunAt: now + 60_000, runs: 2, token: 2 });
    expect(await admin().zscore(store.keys.due, 'a')).toBe(String(now + 60_000));
    expect(await admin().zrange(store.keys.jobSlots('a'), '0', '-1')).toEqual([`${now - 2000}@p`]);
    expect(await admin().zscore(store.keys.slots, store.keys.slotMember('a', `${now - 2000}@p`))).not.toBeNull();
    // The plan stays as the commit wrote it: the next run moved to its next listed occurrence.
    expect(await admin().hget(store.keys.schedule('a'), 'ahead')).toBe(`2/${scheduleHash(definition('a'))}//1//,${now - 2000},${now + 60_000},${now + 120_000},`);
    // The run it recorded is an ordinary in-flight run: freed by finishRuns.
    await store.finishRuns([{ slot: { jobId: 'a', runId: `${now - 2000}@p` }, historyLimit: 0 }]);
    expect(await admin().zscore(store.keys.jobSlots('a'), `${now - 2000}@p`)).toBeNull();
  });

  it('commits a schedule that fell behind as the plan says: the newest due occurrence, the ones before it missed', async () => {
    const store = open();
    const now = await store.now();
    await add(store, 'behind', now - 4000);
    await commitWithAhead(store, 'behind', now - 4000, now - 3000, { graceMs: null, occurrences: [now - 2000, now - 1000, now + 60_000, now + 120_000], catchUp: true });
    const batch = await store.claimBatch('p', 30_000, 10, undefined, { commitAhead: true });
    expect(batch.committed).toEqual([{
      definition: definition('behind'), scheduledAt: now - 1000, nextRunAt: now + 60_000, run: { runId: `${now - 1000}@p`, slotted: true },
      missedCount: 2, missed: { first: now - 3000, last: now - 2000 },
    }]);
    expect((await store.get('behind'))!.state).toMatchObject({ nextRunAt: now + 60_000, runs: 2 });
    expect(await admin().hget(store.keys.schedule('behind'), 'fired')).toBe(String(now - 1000));
  });

  it('claims as usual when the plan no longer holds, or without commitAhead', async () => {
    const store = open();
    const now = await store.now();
    const ids = ['late', 'behind', 'changed', 'busy', 'plain', 'fired', 'ok'];
    for (const id of ids) await add(store, id, now - 5000);
    const claims = await store.claimDue('p', 30_000, 10);
    expect(claims).toHaveLength(ids.length);
    await store.commit('p', claims.map(({ schedule, token }) => {
      const id = schedule.definition.id;
      const ahead: AheadPlan = id === 'late' ? { graceMs: 100, occurrences: [now + 60_000], catchUp: false } // due 4 s ago, grace 100 ms
        : id === 'behind' ? { graceMs: null, occurrences: [now - 1000], catchUp: false } // the occurrence after it is due already
          : { graceMs: null, occurrences: [now + 60_000], catchUp: false };
      return { id, token, fire: [now - 5000], missedCount: 0, nextRunAt: id === 'fired' ? now - 5000 : now - 4000, slots: SLOTS, ahead };
    }));
    await store.finishRuns(ids.map((id) => ({ slot: { jobId: id, runId: `${now - 5000}@p` }, historyLimit: 0 })));
    // changed: its definition changed since; busy: a run holds its one instance; fired: the
    // occurrence is not later than the watermark.
    const changed = definition('changed', 2000);
    expect((await store.upsert({ definition: changed, hash: scheduleHash(changed), nextRunAt: now - 4000, anchor: 0, replaceExisting: false })).status).toBe('updated');
    await store.acquireSlot({ jobId: 'busy', runId: 'manual', scheduledAt: now, owner: 'q', leaseUntil: now + 60_000 }, 1);
    const batch = await store.claimBatch('p', 30_000, 10, new Set(['plain']), { commitAhead: true });
    expect(batch.committed?.map((c) => c.definition.id)).toEqual(['ok']);
    expect(batch.claims.map((c) => c.schedule.definition.id).sort()).toEqual(['behind', 'busy', 'changed', 'fired', 'late']);
    // Without commitAhead a schedule whose plan holds is claimed too.
    const plain = await store.claimBatch('p', 30_000, 10);
    expect(plain.committed).toBeUndefined();
    expect(plain.claims.map((c) => c.schedule.definition.id)).toEqual(['plain']);
  });

  it('a commit without a plan made ahead clears the one before', async () => {
    const store = open();
    const now = await store.now();
    await add(store, 'c', now - 3000);
    await commitWithAhead(store, 'c', now - 3000, now - 2000, { graceMs: null, occurrences: [now + 60_000], catchUp: false });
    const [claim] = await store.claimDue('p', 30_000, 10);
    await store.commit('p', [{ id: 'c', token: claim!.token, fire: [now - 2000], missedCount: 0, nextRunAt: now - 1000, slots: SLOTS }]);
    expect(await admin().hget(store.keys.schedule('c'), 'ahead')).toBe('');
    expect((await store.claimBatch('p', 30_000, 10, undefined, { commitAhead: true })).claims.map((c) => c.schedule.definition.id)).toEqual(['c']);
  });

  it('answers again, once, what a claim whose answer was lost committed ahead', async () => {
    const store = open({ commandTimeoutMs: 300 });
    const now = await store.now();
    await lostAheadCommit(store, 'lost', now);
    // Another owner's claim gets nothing of it; the owner's next claim answers it again.
    expect((await store.claimBatch('q', 30_000, 10, undefined, { commitAhead: true })).committed).toBeUndefined();
    const again = await store.claimBatch('p', 30_000, 10, undefined, { commitAhead: true });
    expect(again.committed).toEqual([{ definition: definition('lost'), scheduledAt: now - 2000, nextRunAt: now + 60_000, run: { runId: `${now - 2000}@p`, slotted: true }, missedCount: 0 }]);
    // Answered: a later take-back (after another lost call) does not answer it a second time.
    await loseAnswer(store);
    await vi.waitFor(async () => expect(await store.now()).toBeGreaterThan(now));
    expect((await store.claimBatch('p', 30_000, 10, undefined, { commitAhead: true })).committed).toBeUndefined();
  });

  it('does not answer again a run that finished or was reaped meanwhile', async () => {
    const store = open({ commandTimeoutMs: 300 });
    const now = await store.now();
    await lostAheadCommit(store, 'done', now);
    await store.finishRuns([{ slot: { jobId: 'done', runId: `${now - 2000}@p` }, historyLimit: 0 }]);
    expect((await store.claimBatch('p', 30_000, 10, undefined, { commitAhead: true })).committed).toBeUndefined();
  });
});
