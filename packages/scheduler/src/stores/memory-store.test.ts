import { describe, expect, it } from 'vitest';
import { isXcoreError } from '@xcore/core';
import { MemoryStore } from './memory-store.js';
import { scheduleHash } from './schedule-hash.js';
import { describeStoreContract } from './store-contract.js';
import type { ScheduleDefinition, SchedulePolicy } from './store.js';
import { seededRandom } from './random.fixtures.js';

describeStoreContract('MemoryStore', async () => ({ store: new MemoryStore(), teardown: async () => {} }));

const POLICY: SchedulePolicy = {
  misfireGraceTimeMs: null, coalesce: 'all', maxCatchUp: 10, maxInstances: 1, overlap: 'skip',
  jitterMs: 0, timeoutMs: null, retries: 0, retryDelayMs: 0, recover: false,
};

function def(id: string, owner = 'p'): ScheduleDefinition {
  return { id, owner, trigger: { type: 'interval', everyMs: 1000 }, policy: POLICY, args: [{ n: 1 }] };
}

/** A store on a hand-moved clock starting at T0. */
function fixture(): { store: MemoryStore; clock: { now: number } } {
  const clock = { now: Date.UTC(2026, 0, 1, 12, 0, 0) };
  return { store: new MemoryStore({ clock: () => clock.now }), clock };
}

async function add(store: MemoryStore, d: ScheduleDefinition, nextRunAt: number | null): Promise<void> {
  await store.upsert({ definition: d, hash: scheduleHash(d), nextRunAt, anchor: await store.now(), replaceExisting: false });
}

describe('MemoryStore with an injected clock', () => {
  it('uses the injected clock for now, createdAt and leases', async () => {
    const { store, clock } = fixture();
    const t0 = clock.now;
    await add(store, def('a'), t0 + 1000);
    expect((await store.get('a'))?.state).toMatchObject({ createdAt: t0, updatedAt: t0, anchor: t0 });
    clock.now = t0 + 1000;
    expect(await store.now()).toBe(t0 + 1000);
    const [claim] = await store.claimDue('o', 500, 10);
    expect(claim?.leaseUntil).toBe(t0 + 1500);
    expect(await store.nextWakeup()).toBe(t0 + 1500);
  });

  it('a schedule becomes due exactly at nextRunAt, and a lease lapses exactly at leaseUntil', async () => {
    const { store, clock } = fixture();
    const t0 = clock.now;
    await add(store, def('a'), t0 + 1000);
    clock.now = t0 + 999;
    expect(await store.claimDue('o', 500, 10)).toEqual([]);
    clock.now = t0 + 1000;
    const [first] = await store.claimDue('o', 500, 10);
    expect(first?.token).toBe(1);
    clock.now = t0 + 1499;
    expect(await store.claimDue('o2', 500, 10)).toEqual([]);
    clock.now = t0 + 1500;
    const [second] = await store.claimDue('o2', 500, 10);
    expect(second?.token).toBe(2);
    expect(second?.leaseUntil).toBe(t0 + 2000);
  });

  it('slots expire exactly at leaseUntil and renew from the store clock', async () => {
    const { store, clock } = fixture();
    const t0 = clock.now;
    const slot = { jobId: 'j', runId: 'r', scheduledAt: t0, owner: 'o', leaseUntil: t0 + 100 };
    await store.acquireSlot(slot, 1);
    clock.now = t0 + 99;
    expect(await store.reapExpiredSlots(10)).toEqual([]);
    expect(await store.renewSlots('o', [{ jobId: 'j', runId: 'r' }], 100)).toEqual(['r']);
    clock.now = t0 + 198;
    expect(await store.reapExpiredSlots(10)).toEqual([]);
    clock.now = t0 + 199;
    // First pass: suspect, extended by its 100 ms lease; the second pass at its end reaps it.
    expect(await store.reapExpiredSlots(10)).toEqual([]);
    clock.now = t0 + 298;
    expect(await store.reapExpiredSlots(10)).toEqual([]);
    clock.now = t0 + 299;
    expect(await store.reapExpiredSlots(10)).toEqual([{ ...slot, leaseUntil: t0 + 299 }]);
  });

  it('hands out the stored definition, deeply frozen, instead of copies', async () => {
    const { store, clock } = fixture();
    const d = def('a');
    await add(store, d, clock.now);
    const [claim] = await store.claimDue('o', 1000, 10);
    expect(claim?.schedule.definition).toBe(d);
    expect((await store.get('a'))?.definition).toBe(d);
    expect(Object.isFrozen(d.args[0])).toBe(true);
    expect(Object.isFrozen(d.trigger)).toBe(true);
  });

  it('refuses occurrences at or before the highest one accepted (watermark), accepts later ones', async () => {
    const { store, clock } = fixture();
    const t0 = clock.now;
    await add(store, def('a'), t0);
    let [claim] = await store.claimDue('o', 1000, 10);
    let [r] = await store.commit('o', [{ id: 'a', token: claim!.token, fire: [t0, t0 + 2000], missedCount: 0, nextRunAt: t0 }]);
    expect(r).toEqual({ id: 'a', ok: true, accepted: [t0, t0 + 2000] });
    [claim] = await store.claimDue('o', 1000, 10);
    [r] = await store.commit('o', [{ id: 'a', token: claim!.token, fire: [t0 + 1000, t0 + 2000, t0 + 3000], missedCount: 0, nextRunAt: null }]);
    expect(r).toEqual({ id: 'a', ok: true, accepted: [t0 + 3000] });
    expect((await store.get('a'))?.state.runs).toBe(3);
  });

  it('returns the caller\'s fire array as accepted when all are new (no copy)', async () => {
    const { store, clock } = fixture();
    await add(store, def('a'), clock.now);
    const [claim] = await store.claimDue('o', 1000, 10);
    const fire = [clock.now];
    const [r] = await store.commit('o', [{ id: 'a', token: claim!.token, fire, missedCount: 0, nextRunAt: null }]);
    expect(r?.ok && r.accepted).toBe(fire);
  });

  it('keeps the heap consistent through many random updates, removals and claims', async () => {
    const { store, clock } = fixture();
    const t0 = clock.now;
    const rand = seededRandom(42);
    const expected = new Map<string, number>();
    for (let i = 0; i < 500; i++) {
      const id = `s${rand(200)}`;
      const op = rand(4);
      if (op === 0 && expected.has(id)) {
        await store.remove(id);
        expected.delete(id);
      } else if (expected.has(id)) {
        const next = t0 + rand(10_000);
        await store.setNextRunAt(id, next);
        expected.set(id, next);
      } else {
        const next = t0 + rand(10_000);
        await add(store, def(id), next);
        expected.set(id, next);
      }
    }
    const min = Math.min(...expected.values());
    expect(await store.nextWakeup()).toBe(min);
    clock.now = t0 + 5000;
    const claims = await store.claimDue('o', 60_000, 100_000);
    const dueTimes = [...expected.values()].filter((t) => t <= clock.now).sort((a, b) => a - b);
    expect(claims.map((c) => c.schedule.state.nextRunAt)).toEqual(dueTimes);
  });

  it('agrees with a plain model through random claims, commits, releases, pauses and moves', async () => {
    const { store, clock } = fixture();
    const t0 = clock.now;
    const rand = seededRandom(2026);
    interface Model { next: number | null; paused: boolean; owner: string | null; lease: number; token: number }
    const model = new Map<string, Model>();
    const claimableAt = (m: Model): number | null =>
      m.paused || m.next === null ? null : m.owner !== null ? m.lease : m.next;
    for (let step = 0; step < 3000; step++) {
      const id = `s${rand(40)}`;
      const m = model.get(id);
      const op = rand(9);
      if (m === undefined) {
        const next = rand(10) === 0 ? null : clock.now + rand(2000) - 1000;
        await add(store, def(id), next);
        model.set(id, { next, paused: false, owner: null, lease: 0, token: 0 });
      } else if (op === 0) {
        await store.pause(id);
        m.paused = true;
      } else if (op === 1) {
        const next = clock.now + rand(2000);
        await store.resume(id, next);
        if (m.paused) Object.assign(m, { paused: false, owner: null, next });
      } else if (op === 2) {
        const next = clock.now + rand(2000) - 500;
        await store.setNextRunAt(id, next);
        Object.assign(m, { owner: null, next });
      } else if (op === 3 && m.owner !== null) {
        const next = rand(8) === 0 ? null : clock.now + rand(3000);
        const [r] = await store.commit(m.owner, [{ id, token: m.token, fire: [], missedCount: 0, nextRunAt: next }]);
        expect(r?.ok).toBe(true);
        Object.assign(m, { owner: null, next });
      } else if (op === 4 && m.owner !== null) {
        await store.release(m.owner, [{ id, token: m.token }]);
        m.owner = null;
      } else if (op === 5) {
        await store.remove(id);
        model.delete(id);
      } else if (op === 6) {
        clock.now += rand(300);
      } else if (op === 7) {
        const owner = `o${rand(3)}`;
        const lease = 1 + rand(1500);
        const exclude = rand(3) === 0 ? new Set([`s${rand(40)}`, `s${rand(40)}`]) : undefined;
        const limit = 1 + rand(6);
        const eligible = [...model.entries()]
          .filter(([k, v]) => !exclude?.has(k) && (claimableAt(v) ?? Infinity) <= clock.now)
          .map(([k, v]) => ({ k, at: claimableAt(v) as number }))
          .sort((a, b) => a.at - b.at);
        const claims = await store.claimDue(owner, lease, limit, exclude);
        expect(claims.length).toBe(Math.min(limit, eligible.length));
        const cutoff = eligible[claims.length - 1]?.at ?? -Infinity;
        for (const c of claims) {
          const k = c.schedule.definition.id;
          const e = eligible.find((x) => x.k === k);
          expect(e !== undefined && e.at <= cutoff).toBe(true);
          const mm = model.get(k) as Model;
          Object.assign(mm, { owner, lease: clock.now + lease, token: mm.token + 1 });
          expect(c.token).toBe(mm.token);
        }
      }
      const exclude = step % 7 === 0 ? new Set([`s${rand(40)}`]) : undefined;
      const times = [...model.entries()]
        .filter(([k]) => !exclude?.has(k))
        .map(([, v]) => claimableAt(v))
        .filter((t): t is number => t !== null);
      expect(await store.nextWakeup(exclude)).toBe(times.length === 0 ? null : Math.min(...times));
    }
    expect(clock.now).toBeGreaterThan(t0);
  });

  it('validates inputs with XCORE_ERR_STORE_INVALID_INPUT', async () => {
    const { store } = fixture();
    const codeOf = (p: Promise<unknown>): Promise<unknown> => p.then(() => null, (e: unknown) => (isXcoreError(e) ? e.code : e));
    expect(await codeOf(store.claimDue('o', 0, 10))).toBe('XCORE_ERR_STORE_INVALID_INPUT');
    expect(await codeOf(store.claimDue('o', 100, 0))).toBe('XCORE_ERR_STORE_INVALID_INPUT');
    expect(await codeOf(store.setNextRunAt('a', Number.NaN))).toBe('XCORE_ERR_STORE_INVALID_INPUT');
    const d = def('a');
    expect(await codeOf(store.upsert({ definition: d, hash: '', nextRunAt: 1, anchor: 1, replaceExisting: false }))).toBe('XCORE_ERR_STORE_INVALID_INPUT');
  });

  it('reports a throwing listener to the logger', async () => {
    const logged: { obj: object; msg: string }[] = [];
    const store = new MemoryStore({ logger: { error: (obj, msg) => logged.push({ obj, msg }) } });
    const boom = new Error('boom');
    store.onChange(() => {
      throw boom;
    });
    await add(store, def('a'), 1);
    expect(logged).toEqual([{ obj: { err: boom, change: { kind: 'upsert', id: 'a' } }, msg: 'store change listener threw; the store is unaffected' }]);
  });

  it('records each run on its own job whatever the order runs finish in, and drops runs of removed jobs', async () => {
    const { store, clock } = fixture();
    const t0 = clock.now;
    for (const [k, id] of ['a', 'b', 'c', 'd'].entries()) await add(store, def(id), t0 - 10 + k);
    const claims = await store.claimDue('o', 30_000, 10);
    expect(claims.map((c) => c.schedule.definition.id)).toEqual(['a', 'b', 'c', 'd']);
    await store.remove('c');
    const run = (id: string, k: number) => ({ jobId: id, scheduledAt: t0, startedAt: t0 + k, finishedAt: t0 + k, status: 'succeeded' as const, attempts: 1, owner: 'o' });
    for (const [id, k] of [['b', 1], ['a', 2], ['c', 3], ['d', 4], ['a', 5], ['x', 6]] as const) await store.recordRun(run(id, k), 5);
    expect((await store.history('a', 5)).map((r) => r.startedAt)).toEqual([t0 + 5, t0 + 2]);
    expect((await store.history('b', 5)).map((r) => r.startedAt)).toEqual([t0 + 1]);
    expect((await store.history('d', 5)).map((r) => r.startedAt)).toEqual([t0 + 4]);
    expect(await store.history('c', 5)).toEqual([]);
    expect((await store.get('a'))?.state.lastRun).toEqual(run('a', 5));
    expect((await store.get('d'))?.state.lastRun).toEqual(run('d', 4));
  });

  it('keeps lastRun with historyLimit 0 (no history)', async () => {
    const { store, clock } = fixture();
    await add(store, def('a'), clock.now);
    const record = { jobId: 'a', scheduledAt: clock.now, startedAt: null, finishedAt: null, status: 'skipped' as const, attempts: 0 };
    await store.recordRun({ ...record, scheduledAt: clock.now - 1000 }, 3);
    await store.recordRun(record, 0);
    expect(await store.history('a', 5)).toEqual([]);
    expect((await store.get('a'))?.state.lastRun).toEqual(record);
  });

  it('gives a claim the lastRun of claim time while the history ring holds it, null once pushed out (read lazily, see claimed-state.ts)', async () => {
    const { store, clock } = fixture();
    const t0 = clock.now;
    await add(store, def('a'), t0 - 10);
    await add(store, def('z'), t0 - 5);
    const run = (id: string, k: number) => ({ jobId: id, scheduledAt: t0 + k * 1000, startedAt: t0 + k * 1000 + 1, finishedAt: t0 + k * 1000 + 2, status: 'succeeded' as const, attempts: 1, owner: 'o' });
    await store.recordRun(run('a', 0), 3);
    await store.recordRun(run('a', 1), 3);
    await store.recordRun({ ...run('z', 0), status: 'skipped', startedAt: null, finishedAt: null }, 0);
    const [a, z] = await store.claimDue('o', 30_000, 10);
    await store.recordRun(run('a', 2), 3);
    await store.recordRun(run('z', 1), 0);
    expect(a?.schedule.state.lastRun).toEqual(run('a', 1));
    expect(z?.schedule.state.lastRun).toEqual({ ...run('z', 0), status: 'skipped', startedAt: null, finishedAt: null });
    expect((await store.get('a'))?.state.lastRun).toEqual(run('a', 2));
    expect((await store.get('z'))?.state.lastRun).toEqual(run('z', 1));
    // The ring of three still holds it after a3, and drops it with a4.
    await store.recordRun(run('a', 3), 3);
    expect(a?.schedule.state.lastRun).toEqual(run('a', 1));
    await store.recordRun(run('a', 4), 3);
    expect(a?.schedule.state.lastRun).toBeNull();
  });

  it('reuses the slots of removed schedules', async () => {
    const { store, clock } = fixture();
    await add(store, def('keep'), clock.now - 30);
    await add(store, def('a'), clock.now - 20);
    const first = new Map((await store.claimDue('o', 30_000, 10)).map((c) => [c.schedule.definition.id, c.slot]));
    expect(first.get('a')).toBeTypeOf('number');
    expect(first.get('a')).not.toBe(first.get('keep'));
    await store.remove('a');
    await add(store, def('b'), clock.now - 10);
    clock.now += 31_000; // the lease on "keep" lapses: it is due again beside "b"
    const second = new Map((await store.claimDue('o', 30_000, 10)).map((c) => [c.schedule.definition.id, c.slot]));
    expect(second.get('keep')).toBe(first.get('keep'));
    expect(second.get('b')).toBe(first.get('a'));
    expect((await store.get('b'))?.state).toMatchObject({ runs: 0, paused: false });
  });
});

describe('MemoryStore.fireDueNow (the fused claim-plan-commit pass)', () => {
  /** A visitor firing each schedule's `nextRunAt` and planning the next one period later, recording what it saw. */
  function visitor(options: { refuse?: ReadonlySet<string>; throwOn?: string; fire?: (nextRunAt: number) => number[] } = {}) {
    const planned: string[] = [];
    const accepted: number[][] = [];
    return {
      planned,
      accepted,
      plan(definition: ScheduleDefinition, nextRunAt: number, state: { anchor: number; runs: number }) {
        if (definition.id === options.throwOn) throw new Error(`plan of ${definition.id} failed`);
        if (options.refuse?.has(definition.id)) return null;
        planned.push(`${definition.id} runs=${state.runs}`);
        return { fire: options.fire?.(nextRunAt) ?? [nextRunAt], nextRunAt: nextRunAt + 1000 };
      },
      committed(occurrences: readonly number[]) {
        accepted.push([...occurrences]);
      },
    };
  }

  it('fires what is due earliest first up to the limit, skipping excluded ids, and commits as commit does', async () => {
    const { store, clock } = fixture();
    const t0 = clock.now;
    await add(store, def('a'), t0 + 20);
    await add(store, def('b'), t0 + 10);
    await add(store, def('c'), t0 + 30);
    await add(store, def('later'), t0 + 5000);
    await add(store, def('skip'), t0);
    clock.now = t0 + 100;
    const v = visitor();
    const first = store.fireDueNow('o', 30_000, 2, new Set(['skip']), v);
    expect(v.planned).toEqual(['b runs=0', 'a runs=0']);
    expect(v.accepted).toEqual([[t0 + 10], [t0 + 20]]);
    // `limit` reached: c is still due (the wakeup leaves excluded `skip` out).
    expect(first).toEqual({ count: 2, taken: 2, now: t0 + 100, nextWakeup: t0 + 30, unhandled: undefined });
    const second = store.fireDueNow('o', 30_000, 10, new Set(['skip']), v);
    expect(second).toMatchObject({ count: 1, taken: 1, nextWakeup: t0 + 1010 });
    expect((await store.get('a'))?.state).toMatchObject({ nextRunAt: t0 + 1020, runs: 1 });
    expect((await store.get('skip'))?.state).toMatchObject({ nextRunAt: t0, runs: 0 });
    // Nothing committed twice: the next pass finds nothing due until t0 + 1010.
    expect(store.fireDueNow('o', 30_000, 10, new Set(['skip']), v)).toMatchObject({ count: 0, taken: 0 });
    const [claim] = await store.claimDue('p', 30_000, 10);
    expect(claim?.schedule.definition.id).toBe('skip');
  });

  it('hands the visitor the slots of the pass, in plan order, once before the first plan', async () => {
    const { store, clock } = fixture();
    const t0 = clock.now;
    for (const [id, at] of [['a', t0 + 20], ['b', t0 + 10], ['skip', t0], ['c', t0 + 30]] as const) await add(store, def(id), at);
    clock.now = t0 + 100;
    const events: string[] = [];
    const v = visitor();
    const pass = { ...v, plan: (definition: ScheduleDefinition, nextRunAt: number, state: { anchor: number; runs: number }, slot: number) => {
      events.push(`plan ${definition.id} ${slot}`);
      return v.plan(definition, nextRunAt, state);
    }, gather: (slots: Int32Array, count: number) => void events.push(`gather ${[...slots.subarray(0, count)].join(',')}`) };
    store.fireDueNow('o', 30_000, 2, new Set(['skip']), pass);
    store.fireDueNow('o', 30_000, 10, new Set(['skip']), pass);
    // Slots are given in registration order here: a 0, b 1, skip 2, c 3.
    expect(events).toEqual(['gather 1,0', 'plan b 1', 'plan a 0', 'gather 3', 'plan c 3']);
  });

  it('accepts an occurrence once: one at or before the last accepted one is refused', async () => {
    const { store, clock } = fixture();
    const t0 = clock.now;
    await add(store, def('a'), t0);
    store.fireDueNow('o', 30_000, 10, undefined, visitor());
    // Moved back to the occurrence it already fired (as an operator's setNextRunAt could).
    await store.setNextRunAt('a', t0);
    const v = visitor({ fire: (at) => [at, at + 500] });
    store.fireDueNow('o', 30_000, 10, undefined, v);
    expect(v.accepted).toEqual([[t0 + 500]]);
    expect((await store.get('a'))?.state.runs).toBe(2);
  });

  it('leaves a schedule the visitor cannot run due for another owner, and reports its id', async () => {
    const { store, clock } = fixture();
    await add(store, def('elsewhere'), clock.now);
    await add(store, def('here'), clock.now);
    const result = store.fireDueNow('o', 30_000, 10, undefined, visitor({ refuse: new Set(['elsewhere']) }));
    expect(result).toMatchObject({ count: 1, taken: 2, unhandled: ['elsewhere'] });
    const claims = await store.claimDue('other', 30_000, 10);
    expect(claims.map((c) => c.schedule.definition.id)).toEqual(['elsewhere']);
  });

  it('fences off a lapsed claim of another owner: its commit is refused as stale', async () => {
    const { store, clock } = fixture();
    await add(store, def('a'), clock.now);
    const [claim] = await store.claimDue('other', 500, 10);
    clock.now += 600;
    expect(store.fireDueNow('o', 30_000, 10, undefined, visitor())).toMatchObject({ count: 1 });
    const [result] = await store.commit('other', [{ id: 'a', token: claim!.token, fire: [claim!.schedule.state.nextRunAt!], missedCount: 0, nextRunAt: clock.now + 1000 }]);
    expect(result).toMatchObject({ ok: false, reason: 'stale' });
    // An unexpired claim of another owner is not taken.
    await add(store, def('b'), clock.now);
    await store.claimDue('other', 30_000, 10);
    expect(store.fireDueNow('o', 30_000, 10, undefined, visitor())).toMatchObject({ count: 0, taken: 0 });
  });

  it('when a plan throws: keeps what it committed before, leases the failed schedule to the owner, puts the rest back, then throws', async () => {
    const { store, clock } = fixture();
    const t0 = clock.now;
    await add(store, def('a'), t0);
    await add(store, def('b'), t0 + 1);
    await add(store, def('c'), t0 + 2);
    clock.now = t0 + 10;
    const v = visitor({ throwOn: 'b' });
    expect(() => store.fireDueNow('o', 500, 10, undefined, v)).toThrow('plan of b failed');
    expect(v.accepted).toEqual([[t0]]);
    expect((await store.get('a'))?.state).toMatchObject({ nextRunAt: t0 + 1000, runs: 1 });
    // c is still due; b is leased to 'o' until t0 + 510.
    expect((await store.claimDue('other', 30_000, 10)).map((c) => c.schedule.definition.id)).toEqual(['c']);
    clock.now = t0 + 509;
    expect(await store.claimDue('other', 500, 10)).toEqual([]);
    clock.now = t0 + 510;
    expect((await store.claimDue('other', 500, 10)).map((c) => c.schedule.definition.id)).toEqual(['b']);
  });

  it('validates its numbers and refuses on a closed store', async () => {
    const { store } = fixture();
    expect(() => store.fireDueNow('o', 0, 10, undefined, visitor())).toThrow(/leaseMs/);
    expect(() => store.fireDueNow('o', 1000, 0, undefined, visitor())).toThrow(/limit/);
    await store.close();
    let error: unknown;
    try {
      store.fireDueNow('o', 1000, 10, undefined, visitor());
    } catch (caught) {
      error = caught;
    }
    expect(isXcoreError(error)).toBe(true);
  });
});
