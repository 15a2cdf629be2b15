/**
 * RunLogSink contract, writes: `write` returns at once, records read back field for field, a
 * repeated run id is stored once, malformed records are refused before anything is queued, and a
 * closed sink says so.
 */
import { describe, expect, it } from 'vitest';
import { RUN_LOG_OUTCOMES, RUN_LOG_RESULT_MAX_BYTES, type RunLogRecord } from './run-log-record.js';
import type { RunLogSink } from './run-log-sink.js';
import { T0, logged, readAll, writeAll } from './run-log-contract-fixtures.js';

/** Registers the write tests; `sink()` is the running test's fresh sink. */
export function describeRunLogWriteContract(sink: () => RunLogSink): void {
  describe('write', () => {
    it('returns synchronously (no promise), and the record reads back field for field after flush', async () => {
      const failure = new TypeError('invoice 42: amount is negative');
      const records = [
        logged({ outcome: 'succeeded', at: 1, result: { sent: 3, ids: ['a', 'b'], at: new Date(T0) } }),
        logged({ outcome: 'failed', at: 2, error: failure, manual: true, requestedBy: 'admin:alice' }),
        logged({ outcome: 'missed', at: 3, occurrences: 86_400 }),
        logged({ outcome: 'skipped', at: 4, process: 'host-b:7:zz' }),
        logged({ outcome: 'succeeded', at: 5, result: () => 1 }),
        logged({ outcome: 'failed', at: 6, result: { note: 'nul\u0000here' }, error: new Error('bad\u0000byte') }),
      ];
      for (const r of records) expect(sink().write(r)).toBeUndefined();
      expect(await sink().flush()).toBe(true);
      const back = await readAll(sink());
      expect(back).toHaveLength(records.length);
      for (const r of records) expect(back.find((b) => b.runId === r.runId)).toEqual(r);
      const ok = back.find((b) => b.runId === records[0]!.runId)!;
      expect(ok.result).toEqual({ sent: 3, ids: ['a', 'b'], at: new Date(T0).toISOString() });
      const failed = back.find((b) => b.runId === records[1]!.runId)!;
      expect(failed).toMatchObject({ outcome: 'failed', errorMessage: failure.message, manual: true, requestedBy: 'admin:alice' });
      expect(failed.errorStack).toContain('TypeError: invoice 42');
      expect(back.find((b) => b.runId === records[2]!.runId)).toMatchObject({ outcome: 'missed', occurrences: 86_400, startedAt: null, durationMs: null, attempts: 0 });
      expect(back.find((b) => b.runId === records[4]!.runId)).toMatchObject({ result: null, resultOmitted: 'not_serializable' });
      expect(back.find((b) => b.runId === records[5]!.runId)).toMatchObject({ result: { note: 'nul\uFFFDhere' }, errorMessage: 'bad\uFFFDbyte' });
    });

    it('stores every outcome', async () => {
      const records = RUN_LOG_OUTCOMES.map((outcome, i) => logged({ outcome, at: i + 1, jobId: `jobs:${outcome}` }));
      await writeAll(sink(), records);
      for (const outcome of RUN_LOG_OUTCOMES) {
        const { records: found } = await sink().query({ outcome });
        expect(found.map((r) => r.jobId)).toEqual([`jobs:${outcome}`]);
      }
    });

    it('keeps a result up to the cap and marks a larger one too_large', async () => {
      const fits = 'x'.repeat(RUN_LOG_RESULT_MAX_BYTES - 2); // its JSON text adds two quotes
      const records = [logged({ at: 1, result: fits }), logged({ at: 2, result: `${fits}x` })];
      await writeAll(sink(), records);
      const back = await readAll(sink());
      expect(back.find((r) => r.runId === records[0]!.runId)).toMatchObject({ result: fits, resultOmitted: null });
      expect(back.find((r) => r.runId === records[1]!.runId)).toMatchObject({ result: null, resultOmitted: 'too_large' });
    });

    it('stores a record written twice with the same runId once', async () => {
      const r = logged({ at: 1 });
      sink().write(r);
      await sink().flush();
      sink().write(r);
      await writeAll(sink(), [logged({ at: 2 })]);
      expect((await readAll(sink())).filter((b) => b.runId === r.runId)).toHaveLength(1);
      // Ignored, not refused: a batch retried after a lost answer is not an error.
      expect(sink().stats()).toMatchObject({ rejected: 0, dropped: 0 });
    });

    it('refuses a malformed record synchronously with XCORE_ERR_RUNLOG_RECORD_INVALID and stores nothing', async () => {
      const good = logged({ at: 1 });
      const bad: [string, Record<string, unknown>][] = [
        ['runId', { runId: 'not-a-uuid' }],
        ['runId', { runId: good.runId.toUpperCase() }],
        ['jobId', { jobId: '' }],
        ['jobId', { jobId: 'a\u0000b' }],
        ['owner', { owner: 42 }],
        ['outcome', { outcome: 'exploded' }],
        ['finishedAt', { finishedAt: Number.NaN }],
        ['finishedAt', { finishedAt: T0 + 0.5 }],
        ['scheduledAt', { scheduledAt: '2026-01-01' }],
        ['startedAt', { startedAt: good.finishedAt + 1 }],
        ['durationMs', { startedAt: null }],
        ['attempts', { attempts: -1 }],
        ['occurrences', { occurrences: 2 }],
        ['errorMessage', { errorMessage: 'x'.repeat(5000) }],
        ['manual', { manual: 'yes' }],
        ['result', { result: { big: 'x'.repeat(RUN_LOG_RESULT_MAX_BYTES) } }],
        ['result', { result: new Map() }],
        ['result', { result: 1, resultOmitted: 'too_large' }],
        ['resultOmitted', { resultOmitted: 'huge' }],
      ];
      for (const [field, change] of bad) {
        const record = { ...good, ...change } as unknown as RunLogRecord;
        let thrown: unknown;
        try {
          sink().write(record);
        } catch (error) {
          thrown = error;
        }
        expect(thrown, `${field} ${JSON.stringify(change).slice(0, 60)}`).toMatchObject({ code: 'XCORE_ERR_RUNLOG_RECORD_INVALID' });
        expect((thrown as Error).message).toContain(field);
      }
      expect(() => sink().write(null as unknown as RunLogRecord)).toThrow(expect.objectContaining({ code: 'XCORE_ERR_RUNLOG_RECORD_INVALID' }));
      await sink().flush();
      expect(await readAll(sink())).toEqual([]);
      expect(sink().stats()).toMatchObject({ written: 0, queueDepth: 0 });
    });

    it('counts what it stored, and holds nothing queued after flush', async () => {
      await writeAll(sink(), [logged({ at: 1 }), logged({ at: 2 }), logged({ at: 3 })]);
      // A sink may report more counters than the contract's.
      expect(sink().stats()).toMatchObject({ written: 3, dropped: 0, rejected: 0, failedBatches: 0, queueDepth: 0, lastError: null });
      expect(await sink().flush({ timeoutMs: 1000 })).toBe(true);
    });

    it('after close(), write throws and query rejects with XCORE_ERR_RUNLOG_CLOSED; close is idempotent', async () => {
      await writeAll(sink(), [logged({ at: 1 })]);
      await sink().close();
      await sink().close();
      expect(() => sink().write(logged({ at: 2 }))).toThrow(expect.objectContaining({ code: 'XCORE_ERR_RUNLOG_CLOSED' }));
      await expect(sink().query({})).rejects.toMatchObject({ code: 'XCORE_ERR_RUNLOG_CLOSED' });
    });
  });
}
