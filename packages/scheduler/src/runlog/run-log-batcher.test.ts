/**
 * RunLogBatcher against an in-test backend whose answers the test controls (hold, fail, refuse):
 * the batching, retry, overflow and close policies, independent of any database.
 */
import { describe, expect, it, vi } from 'vitest';
import { RunLogBatcher, recordsOfBatch, type RunLogBatcherOptions, type RunLogBatchItem, type RunLogInsertResult } from './run-log-batcher.js';
import { buildRunLogRecord, type RunLogInput } from './run-log-build.js';
import { logged } from './run-log-contract-fixtures.js';
import type { RunLogRecord } from './run-log-record.js';
import type { RunLogRing } from './run-log-ring.js';

/** A backend that stores by run id and can be made to fail, hang or refuse records. */
class TestBackend {
  readonly stored = new Map<string, RunLogRecord>();
  readonly calls: number[] = [];
  down = false;
  refuse = new Set<string>();
  private gate: Promise<void> | undefined;
  private openGate: (() => void) | undefined;

  hold(): void {
    this.gate = new Promise((resolve) => { this.openGate = resolve; });
  }

  release(): void {
    this.openGate?.();
    this.gate = undefined;
  }

  readonly insert = async (items: readonly RunLogBatchItem[], ring: RunLogRing | undefined): Promise<RunLogInsertResult> => {
    this.calls.push(items.length);
    if (this.gate !== undefined) await this.gate;
    if (this.down) throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
    const { records, refused } = recordsOfBatch(items, ring);
    const bad = records.find((r) => this.refuse.has(r.runId));
    if (bad !== undefined) throw Object.assign(new Error(`refused ${bad.runId}`), { refused: true });
    for (const r of records) this.stored.set(r.runId, r);
    return { refused };
  };
}

function logger() {
  return { warn: vi.fn(), error: vi.fn(), info: vi.fn() };
}

function make(backend: TestBackend, options: Partial<RunLogBatcherOptions> = {}) {
  const log = logger();
  const batcher = new RunLogBatcher({
    insert: backend.insert,
    classify: (e) => ((e as { refused?: boolean }).refused ? 'reject' : 'retry'),
    name: 'test run log',
    logger: log,
    retryBaseMs: 5,
    retryMaxMs: 20,
    random: () => 0.5,
    ...options,
  });
  return { batcher, log };
}

const records = (n: number, from = 0): RunLogRecord[] => Array.from({ length: n }, (_, i) => logged({ at: from + i + 1 }));

describe('RunLogBatcher', () => {
  it('never writes on the caller\'s stack: a full batch starts on the next turn, a partial one after flushMs', async () => {
    const backend = new TestBackend();
    const { batcher } = make(backend, { batchSize: 3, flushMs: 60_000 });
    for (const r of records(3)) batcher.push(r);
    expect(backend.calls).toEqual([]);
    await vi.waitFor(() => expect(backend.stored.size).toBe(3));
    expect(backend.calls).toEqual([3]);

    const quick = make(new TestBackend(), { batchSize: 100, flushMs: 30 });
    const started = Date.now();
    quick.batcher.push(records(1)[0]!);
    await vi.waitFor(() => expect(quick.batcher.stats().written).toBe(1));
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
  });

  it('keeps records while the backend is away, retries with backoff, and stores them all when it returns', async () => {
    const backend = new TestBackend();
    backend.down = true;
    const { batcher, log } = make(backend, { batchSize: 10, flushMs: 5 });
    const rs = records(25);
    for (const r of rs) batcher.push(r);
    await vi.waitFor(() => expect(batcher.stats().failedBatches).toBeGreaterThanOrEqual(3));
    expect(batcher.stats()).toMatchObject({ written: 0, dropped: 0, queueDepth: 25, lastError: 'connect ECONNREFUSED 127.0.0.1:5432' });
    expect(log.warn).toHaveBeenCalledWith(expect.objectContaining({ failedAttempts: 1 }), expect.stringContaining('writing a batch failed'));
    expect(await batcher.flush(30)).toBe(false);
    backend.down = false;
    expect(await batcher.flush(5_000)).toBe(true);
    expect([...backend.stored.keys()].sort()).toEqual(rs.map((r) => r.runId).sort());
    expect(batcher.stats()).toMatchObject({ written: 25, dropped: 0, queueDepth: 0, lastError: null });
    expect(log.info).toHaveBeenCalledWith(expect.anything(), expect.stringContaining('writing again'));
  });

  it('when full, drops the oldest records not being written, counts and logs it, and keeps the newest', async () => {
    const backend = new TestBackend();
    backend.hold();
    const { batcher, log } = make(backend, { batchSize: 4, flushMs: 1, queueLimit: 10 });
    const rs = records(30);
    for (const r of rs.slice(0, 4)) batcher.push(r);
    await vi.waitFor(() => expect(backend.calls).toEqual([4])); // the first 4 are being written
    for (const r of rs.slice(4)) batcher.push(r);
    expect(batcher.stats()).toMatchObject({ dropped: 20, queueDepth: 10 });
    expect(log.warn).toHaveBeenCalledWith(expect.objectContaining({ queueLimit: 10 }), expect.stringContaining('dropping the oldest'));
    backend.release();
    expect(await batcher.flush(5_000)).toBe(true);
    // Kept: the batch in flight, then the newest 6 (limit 10 minus the 4 being written).
    expect([...backend.stored.keys()]).toEqual([...rs.slice(0, 4), ...rs.slice(24)].map((r) => r.runId));
    expect(batcher.stats()).toMatchObject({ written: 10, dropped: 20, queueDepth: 0 });
  });

  it('while a failed batch waits for its retry, the overflow drops from that batch first (it is the oldest)', async () => {
    const backend = new TestBackend();
    backend.down = true;
    const { batcher } = make(backend, { batchSize: 4, flushMs: 1, queueLimit: 6, retryBaseMs: 200, retryMaxMs: 200 });
    const rs = records(10);
    for (const r of rs.slice(0, 4)) batcher.push(r);
    await vi.waitFor(() => expect(batcher.stats().failedBatches).toBe(1));
    for (const r of rs.slice(4)) batcher.push(r);
    backend.down = false;
    expect(await batcher.flush(5_000)).toBe(true);
    expect([...backend.stored.keys()]).toEqual(rs.slice(4).map((r) => r.runId));
    expect(batcher.stats()).toMatchObject({ written: 6, dropped: 4 });
  });

  it('narrows a refused batch down to the refused record, stores the rest and logs the refusal', async () => {
    const backend = new TestBackend();
    const rs = records(9);
    backend.refuse.add(rs[6]!.runId);
    const { batcher, log } = make(backend, { batchSize: 9, flushMs: 1 });
    for (const r of rs) batcher.push(r);
    expect(await batcher.flush(5_000)).toBe(true);
    expect(backend.stored.size).toBe(8);
    expect(backend.stored.has(rs[6]!.runId)).toBe(false);
    expect(batcher.stats()).toMatchObject({ written: 8, rejected: 1, failedBatches: 0 });
    expect(log.error).toHaveBeenCalledWith(expect.objectContaining({ runId: rs[6]!.runId }), expect.stringContaining('refused a record'));
  });

  it('close() with the backend away drops what is unsent after its timeout, counted and logged', async () => {
    const backend = new TestBackend();
    backend.down = true;
    const { batcher, log } = make(backend, { batchSize: 5, flushMs: 1 });
    for (const r of records(12)) batcher.push(r);
    await vi.waitFor(() => expect(batcher.stats().failedBatches).toBeGreaterThanOrEqual(1));
    await batcher.close(50);
    await vi.waitFor(() => expect(batcher.stats()).toMatchObject({ written: 0, dropped: 12, queueDepth: 0 }));
    expect(log.warn).toHaveBeenCalledWith(expect.anything(), expect.stringContaining('closed with'));
  });

  it('captures a finished run when it is queued (later changes to its objects are not seen); the record is checked when written, once', async () => {
    const backend = new TestBackend();
    const { batcher, log } = make(backend, { batchSize: 10, flushMs: 60_000 });
    const result = { count: 7 };
    const finishedAt = Date.now();
    const run = (jobId: string, extra: Partial<RunLogInput> = {}): RunLogInput => ({
      record: { jobId, scheduledAt: finishedAt - 5, startedAt: finishedAt - 4, finishedAt, status: 'succeeded', attempts: 1, owner: 'proc-1', requestedBy: 'cli' },
      jobOwner: 'billing',
      ...extra,
    });
    batcher.pushRun(run('billing:ok', { result }));
    batcher.pushRun(run('')); // an empty job id: no valid record
    batcher.pushRun(run('billing:failed', { error: new TypeError('card declined') }));
    result.count = 8; // the handler's object changes after the run ended: the record keeps what it returned
    expect(batcher.stats().queueDepth).toBe(3);
    expect(await batcher.flush(5_000)).toBe(true);
    expect(batcher.stats()).toMatchObject({ written: 2, rejected: 1, dropped: 0, queueDepth: 0 });
    const stored = [...backend.stored.values()].sort((a, b) => a.jobId.localeCompare(b.jobId));
    expect(stored.map((r) => [r.jobId, r.owner, r.result, r.requestedBy, r.process])).toEqual([
      ['billing:failed', 'billing', null, 'cli', 'proc-1'],
      ['billing:ok', 'billing', { count: 7 }, 'cli', 'proc-1'],
    ]);
    expect(stored[0]!.errorStack).toContain('TypeError: card declined');
    expect(log.error).toHaveBeenCalledWith(expect.objectContaining({ field: 'jobId', refused: 1 }), expect.stringContaining('could not be made into a valid record'));
  });

  it('gives a queued run the same run id when its batch is written again after a lost answer', async () => {
    const seen: string[][] = [];
    let fail = true;
    const { batcher } = make(new TestBackend(), {
      batchSize: 5,
      flushMs: 5,
      insert: async (items, ring) => {
        seen.push(recordsOfBatch(items, ring).records.map((r) => r.runId));
        if (fail) {
          fail = false;
          throw new Error('Connection terminated unexpectedly');
        }
      },
    });
    const now = Date.now();
    for (let i = 0; i < 3; i++) batcher.pushRun({ record: { jobId: `j${i}`, scheduledAt: now, startedAt: now, finishedAt: now, status: 'succeeded', attempts: 1 }, jobOwner: 'app' });
    expect(await batcher.flush(5_000)).toBe(true);
    expect(seen).toHaveLength(2);
    expect(new Set(seen[0]).size).toBe(3);
    expect(seen[1]).toEqual(seen[0]);
    expect(batcher.stats()).toMatchObject({ written: 3, failedBatches: 1 });
  });

  it('never changes a batch being written while the queue behind it overflows many times over (its ring slots are not reused)', async () => {
    const backend = new TestBackend();
    const { batcher } = make(backend, { batchSize: 5, flushMs: 5, queueLimit: 20 });
    const run = (jobId: string, i: number): RunLogInput => ({
      record: { jobId, scheduledAt: T + i, startedAt: T + i + 1, finishedAt: T + i + 2 + (i % 7), status: i % 3 === 0 ? 'failed' : 'succeeded', attempts: 1 + (i % 4), owner: `proc-${i % 5}` },
      jobOwner: `owner-${i % 6}`,
      result: { i },
    });
    const T = Date.UTC(2026, 0, 1);
    backend.hold();
    for (let i = 0; i < 5; i++) batcher.pushRun(run(`first:${i}`, i));
    await vi.waitFor(() => expect(backend.calls).toEqual([5]));
    // The batch is in flight: 100 more runs overflow the queue behind it (the queue's front is dropped).
    for (let i = 0; i < 100; i++) batcher.pushRun(run(`later:${i}`, 1000 + i));
    backend.release();
    expect(await batcher.flush(5_000)).toBe(true);
    const kept = [...Array.from({ length: 5 }, (_, i) => [`first:${i}`, i] as const), ...Array.from({ length: 15 }, (_, k) => [`later:${85 + k}`, 1085 + k] as const)];
    expect(batcher.stats()).toMatchObject({ written: 20, dropped: 85, queueDepth: 0 });
    const byJob = new Map([...backend.stored.values()].map((r) => [r.jobId, r]));
    expect([...byJob.keys()].sort()).toEqual(kept.map(([job]) => job).sort());
    for (const [job, i] of kept) {
      const { runId: _id, ...want } = buildRunLogRecord(run(job, i));
      const { runId: _got, ...got } = byJob.get(job)!;
      expect(got, job).toEqual(want);
    }
  });

  it('holds a full batch back while the event loop is busy, and writes it once the loop is quiet', async () => {
    const backend = new TestBackend();
    let busy = 1;
    let looks = 0;
    const { batcher } = make(backend, { batchSize: 3, flushMs: 60_000, loopBusy: () => { looks++; return busy; } });
    for (const r of records(3)) batcher.push(r);
    await vi.waitFor(() => expect(looks).toBeGreaterThanOrEqual(6)); // three looks, each a start and an end
    expect(backend.calls).toEqual([]);
    busy = 0;
    await vi.waitFor(() => expect(backend.stored.size).toBe(3));
    expect(backend.calls).toEqual([3]);
  });

  it('holds a backlog back at most flushMs, then writes all of it without looking again', async () => {
    const backend = new TestBackend();
    let looks = 0;
    const { batcher } = make(backend, { batchSize: 2, flushMs: 40, loopBusy: () => { looks++; return 1; } });
    for (const r of records(6)) batcher.push(r);
    await vi.waitFor(() => expect(backend.stored.size).toBe(6));
    expect(backend.calls).toEqual([2, 2, 2]);
    const afterBacklog = looks;
    expect(afterBacklog).toBeGreaterThan(0);
    // Caught up: a new backlog is held back again.
    for (const r of records(2, 10)) batcher.push(r);
    await vi.waitFor(() => expect(backend.stored.size).toBe(8));
    expect(looks).toBeGreaterThan(afterBacklog);
  });

  it('never holds back a flush, a close, or a queue at half of queueLimit', async () => {
    const backend = new TestBackend();
    const { batcher } = make(backend, { batchSize: 2, flushMs: 60_000, loopBusy: () => 1 });
    for (const r of records(4)) batcher.push(r);
    expect(await batcher.flush()).toBe(true);
    expect(backend.stored.size).toBe(4);

    const full = make(new TestBackend(), { batchSize: 2, flushMs: 60_000, queueLimit: 8, loopBusy: () => 1 });
    for (const r of records(4)) full.batcher.push(r);
    // The first batch goes at once (4 queued: half of 8); the next 2 (below half) are held back again.
    await vi.waitFor(() => expect(full.batcher.stats().written).toBe(2));
    expect(full.batcher.stats().queueDepth).toBe(2);
    await full.batcher.close(0);

    const closing = make(new TestBackend(), { batchSize: 2, flushMs: 60_000, loopBusy: () => 1 });
    for (const r of records(2)) closing.batcher.push(r);
    await closing.batcher.close(60_000);
    expect(closing.batcher.stats()).toMatchObject({ written: 2, dropped: 0 });
  });

  it('refuses options outside their ranges with XCORE_ERR_RUNLOG_OPTIONS_INVALID', () => {
    const insert = new TestBackend().insert;
    for (const bad of [{ batchSize: 0 }, { batchSize: 1.5 }, { flushMs: 0 }, { queueLimit: 500 }, { batchSize: 10, queueLimit: 10 }, { retryBaseMs: 100, retryMaxMs: 50 }]) {
      expect(() => new RunLogBatcher({ insert, name: 'x', ...bad }), JSON.stringify(bad)).toThrow(expect.objectContaining({ code: 'XCORE_ERR_RUNLOG_OPTIONS_INVALID' }));
    }
  });
});
