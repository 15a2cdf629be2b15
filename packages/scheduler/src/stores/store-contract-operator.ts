/**
 * Store contract, the operator view's part: `listPage` (keyset paging by id with filters), run
 * requests (exactly one taker) and process presence.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { scheduleHash } from './schedule-hash.js';
import { def, record, SHORT_LEASE_MS, type StoreContractContext } from './store-contract-context.js';
import type { Store, StoreChange } from './store.js';
import type { ProcessInfo, ScheduleFilter } from './store-operator.js';

const INFO: ProcessInfo = { host: 'h', pid: 1, since: 0, plugins: ['plugin-a'], jobs: [], jobsTruncated: false };

/** Every id `listPage` returns from the start with `filter`, `limit` at a time, following `next`. */
async function pageThrough(store: Store, limit: number, filter?: ScheduleFilter): Promise<{ ids: string[]; calls: number }> {
  const ids: string[] = [];
  let after: string | null = null;
  let calls = 0;
  do {
    const page = await store.listPage(after, limit, filter);
    calls++;
    expect(page.items.length).toBeLessThanOrEqual(limit);
    ids.push(...page.items.map((s) => s.definition.id));
    after = page.next;
  } while (after !== null && calls < 1000);
  return { ids, calls };
}

/** Registers the operator part of the contract. */
export function describeOperatorContract(ctx: StoreContractContext): void {
  describe('listPage', () => {
    it('pages every schedule once, in code point order, whatever the page size', async () => {
      const names = ['b', 'a:2', 'a:10', 'A', 'z', '\u{1F600}x', '\uFF61y', 'a', 'a:1'];
      for (const id of names) await ctx.add(def(id), Date.now() + 60_000);
      const expected = [...names].sort((x, y) => (Buffer.compare(Buffer.from(x), Buffer.from(y))));
      for (const limit of [1, 2, 4, 100]) expect((await pageThrough(ctx.store, limit)).ids, `limit ${limit}`).toEqual(expected);
      const first = await ctx.store.listPage(null, 3);
      expect(first.items.map((s) => s.definition.id)).toEqual(expected.slice(0, 3));
      expect(first.next).toBe(expected[2]);
      expect((await ctx.store.listPage(expected[expected.length - 1]!, 10)).items).toEqual([]);
    });

    it('is stable under inserts and removals between pages: nothing repeats or is skipped', async () => {
      for (const id of ['j1', 'j3', 'j5', 'j7']) await ctx.add(def(id), Date.now() + 60_000);
      const first = await ctx.store.listPage(null, 2);
      expect(first.items.map((s) => s.definition.id)).toEqual(['j1', 'j3']);
      await ctx.add(def('j0'), Date.now() + 60_000); // before the cursor: belongs to an earlier page
      await ctx.add(def('j4'), Date.now() + 60_000); // after it: shows up
      await ctx.store.remove('j5');
      const rest = await pageThrough(ctx.store, 2);
      const second = await ctx.store.listPage(first.next, 10);
      expect(second.items.map((s) => s.definition.id)).toEqual(['j4', 'j7']);
      expect(second.next).toBeNull();
      expect(rest.ids).toEqual(['j0', 'j1', 'j3', 'j4', 'j7']);
    });

    it('filters by owner, pause state, next run, a failing last run and an id substring', async () => {
      const soon = Date.now() + 60_000;
      await ctx.add(def('a:ok', { owner: 'a' }), soon);
      await ctx.add(def('a:broken', { owner: 'a' }), soon);
      await ctx.add(def('a:slow', { owner: 'a' }), soon);
      await ctx.add(def('b:done', { owner: 'b' }), null);
      await ctx.add(def('b:held', { owner: 'b' }), soon);
      await ctx.store.pause('b:held');
      await ctx.store.recordRun(record('a:ok', 1), 10);
      await ctx.store.recordRun(record('a:broken', 1, { status: 'failed', error: 'boom' }), 10);
      await ctx.store.recordRun(record('a:slow', 1, { status: 'timed_out' }), 10);
      const ids = async (filter: ScheduleFilter): Promise<string[]> => (await pageThrough(ctx.store, 2, filter)).ids;
      expect(await ids({ owner: 'a' })).toEqual(['a:broken', 'a:ok', 'a:slow']);
      expect(await ids({ paused: true })).toEqual(['b:held']);
      expect(await ids({ paused: false, owner: 'b' })).toEqual(['b:done']);
      expect(await ids({ hasNext: false })).toEqual(['b:done']);
      expect(await ids({ failing: true })).toEqual(['a:broken', 'a:slow']);
      expect(await ids({ failing: false })).toEqual(['a:ok', 'b:done', 'b:held']);
      expect(await ids({ idContains: ':' + 'd' })).toEqual(['b:done']);
      expect(await ids({ idContains: 'o', owner: 'a', failing: false })).toEqual(['a:ok']);
      expect(await ids({ owner: 'nobody' })).toEqual([]);
      const [broken] = (await ctx.store.listPage(null, 1, { failing: true })).items;
      expect(broken).toMatchObject({ definition: { id: 'a:broken', owner: 'a' }, state: { lastRun: { status: 'failed', error: 'boom' } } });
    });

    it('counts schedules, paused ones and failing ones (countSchedules, summed until next is null)', async () => {
      const soon = Date.now() + 60_000;
      for (const id of ['c1', 'c2', 'c3', 'c4']) await ctx.add(def(id), soon);
      await ctx.store.pause('c2');
      await ctx.store.recordRun(record('c3', 1, { status: 'failed' }), 5);
      await ctx.store.recordRun(record('c4', 1), 5);
      let after: string | null = null;
      const total = { schedules: 0, paused: 0, failing: 0 };
      do {
        const counts = await ctx.store.countSchedules(after);
        total.schedules += counts.schedules;
        total.paused += counts.paused;
        total.failing += counts.failing;
        if (counts.running !== undefined) expect(counts.running).toBe(0);
        after = counts.next;
      } while (after !== null);
      expect(total).toEqual({ schedules: 4, paused: 1, failing: 1 });
      expect(await ctx.store.countSchedules('c2')).toMatchObject({ schedules: 2, paused: 0, failing: 1, next: null });
    });

    it('lists and counts the schedules restore put back, in their place, like the ones upsert created', async () => {
      const soon = Date.now() + 60_000;
      for (const id of ['r1', 'r3']) await ctx.add(def(id), soon);
      expect((await pageThrough(ctx.store, 10)).ids).toEqual(['r1', 'r3']); // the index is read (and merged) once
      const lost = def('r2');
      expect((await ctx.store.restore([{ definition: lost, hash: scheduleHash(lost), nextRunAt: soon, anchor: soon - 60_000 }])).created).toEqual(['r2']);
      expect((await pageThrough(ctx.store, 1)).ids).toEqual(['r1', 'r2', 'r3']);
      expect(await ctx.store.countSchedules(null)).toMatchObject({ schedules: 3, next: null });
    });

    it('refuses a limit below 1 with XCORE_ERR_STORE_INVALID_INPUT', async () => {
      await expect(ctx.store.listPage(null, 0)).rejects.toMatchObject({ code: 'XCORE_ERR_STORE_INVALID_INPUT' });
    });
  });

  describe('run requests', () => {
    let hints: StoreChange[];
    beforeEach(() => {
      hints = [];
      ctx.store.onChange((change) => hints.push(change));
    });

    it('are taken by exactly one of several racing owners, then finished with their record', async () => {
      await ctx.add(def('job'), null);
      const made = await ctx.store.requestRun({ requestId: 'r-1', jobId: 'job', args: [1, { x: 'y' }], requestedBy: 'token:ops', ttlMs: 60_000 });
      expect(made).toMatchObject({ status: 'pending', request: { requestId: 'r-1', jobId: 'job', args: [1, { x: 'y' }], requestedBy: 'token:ops' } });
      expect(made.request.expiresAt - made.request.requestedAt).toBe(60_000);
      await vi.waitFor(() => expect(hints.some((h) => h.kind === 'run-request' && h.id === 'job')).toBe(true));
      expect((await ctx.store.pendingRunRequests(10)).map((r) => r.requestId)).toEqual(['r-1']);

      const taken = await Promise.all(['p1', 'p2', 'p3', 'p4'].map((owner) => ctx.store.takeRunRequest(owner, 'r-1')));
      const winners = taken.filter((r) => r !== null);
      expect(winners).toHaveLength(1);
      expect(winners[0]).toMatchObject({ requestId: 'r-1', jobId: 'job', args: [1, { x: 'y' }] });
      expect(await ctx.store.pendingRunRequests(10)).toEqual([]);
      const running = await ctx.store.runRequest('r-1');
      expect(running).toMatchObject({ status: 'running', takenBy: expect.stringMatching(/^p[1-4]$/) });

      const done = record('job', made.request.requestedAt, { manual: true, requestedBy: 'token:ops', requestId: 'r-1' });
      await ctx.store.finishRunRequest('r-1', done);
      expect(await ctx.store.runRequest('r-1')).toMatchObject({ status: 'finished', record: done });
      await vi.waitFor(() => expect(hints.some((h) => h.kind === 'run-finished' && h.id === 'job')).toBe(true));
      expect(await ctx.store.takeRunRequest('p5', 'r-1')).toBeNull();
      expect(await ctx.store.runRequest('never-made')).toBeNull();
    });

    it('list oldest first and expire untaken at their ttl', async () => {
      await ctx.store.requestRun({ requestId: 'old', jobId: 'a', requestedBy: 'x', ttlMs: SHORT_LEASE_MS });
      await ctx.store.requestRun({ requestId: 'new', jobId: 'b', requestedBy: 'x', ttlMs: 60_000 });
      expect((await ctx.store.pendingRunRequests(10)).map((r) => r.requestId)).toEqual(['old', 'new']);
      expect((await ctx.store.pendingRunRequests(1)).map((r) => r.requestId)).toEqual(['old']);
      const { request } = (await ctx.store.runRequest('old'))!;
      expect(request.args).toBeUndefined();
      await ctx.waitUntilStoreTime(request.expiresAt);
      expect(await ctx.store.takeRunRequest('p1', 'old')).toBeNull();
      expect((await ctx.store.pendingRunRequests(10)).map((r) => r.requestId)).toEqual(['new']);
      expect(await ctx.store.runRequest('old')).toMatchObject({ status: 'expired' });
    });

    it('keep the requester and request id on a manual run record in the history', async () => {
      await ctx.add(def('job'), null);
      const manual = record('job', 5, { manual: true, requestedBy: 'jwt:alice', requestId: 'r-9', owner: 'p1' });
      await ctx.store.recordRun(record('job', 1, { owner: 'p1' }), 10);
      await ctx.store.recordRun(manual, 10);
      expect(await ctx.store.history('job', 10)).toEqual([manual, record('job', 1, { owner: 'p1' })]);
    });
  });

  describe('process presence', () => {
    it('lists announced processes until they leave or their presence lapses', async () => {
      await ctx.store.announce('p1', INFO, 60_000);
      await ctx.store.announce('p2', { ...INFO, plugins: [], jobs: ['nightly'] }, SHORT_LEASE_MS);
      const live = await ctx.store.processes();
      expect(live.map((p) => [p.owner, p.info.plugins])).toEqual([['p1', ['plugin-a']], ['p2', []]]);
      await ctx.store.announce('p1', { ...INFO, plugins: ['plugin-a', 'plugin-b'] }, 60_000);
      await ctx.store.leave('p3');
      expect((await ctx.store.processes()).find((p) => p.owner === 'p1')?.info.plugins).toEqual(['plugin-a', 'plugin-b']);
      await ctx.waitUntilStoreTime(live[1]!.expiresAt);
      expect((await ctx.store.processes()).map((p) => p.owner)).toEqual(['p1']);
      await ctx.store.leave('p1');
      expect(await ctx.store.processes()).toEqual([]);
    });
  });
}
