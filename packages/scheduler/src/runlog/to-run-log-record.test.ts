import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../stores/store.js';
import { boundedJson } from './bounded-json.js';
import { RUN_LOG_ERROR_MESSAGE_MAX, RUN_LOG_ERROR_STACK_MAX, RUN_LOG_RESULT_MAX_BYTES } from './run-log-record.js';
import { newRunLogId, toRunLogRecord } from './to-run-log-record.js';

const T = Date.UTC(2026, 2, 1, 9);
const run = (over: Partial<RunRecord> = {}): RunRecord => ({
  jobId: 'billing:invoice', scheduledAt: T, startedAt: T + 3, finishedAt: T + 250, status: 'succeeded', attempts: 1, owner: 'host:1:a', ...over,
});

describe('toRunLogRecord', () => {
  it('maps a history record, the job owner and the process, and computes the duration', () => {
    expect(toRunLogRecord({ record: run(), jobOwner: 'billing', runId: '0190a0b0-0000-7000-8000-000000000001' })).toEqual({
      runId: '0190a0b0-0000-7000-8000-000000000001', jobId: 'billing:invoice', owner: 'billing', outcome: 'succeeded',
      scheduledAt: T, startedAt: T + 3, finishedAt: T + 250, durationMs: 247, attempts: 1, occurrences: 1,
      errorMessage: null, errorStack: null, manual: false, requestedBy: null, process: 'host:1:a', result: null, resultOmitted: null,
    });
  });

  it('gives a skipped or missed decision the decision time as finishedAt, no start and no duration', () => {
    const skipped = toRunLogRecord({ record: run({ status: 'skipped', startedAt: null, finishedAt: null, attempts: 0 }), jobOwner: 'billing', decidedAt: T + 9 });
    expect(skipped).toMatchObject({ outcome: 'skipped', startedAt: null, finishedAt: T + 9, durationMs: null, occurrences: 1 });
    const missed = toRunLogRecord({ record: run({ status: 'missed', startedAt: null, finishedAt: null, attempts: 0 }), jobOwner: 'billing', occurrences: 40 });
    expect(missed.occurrences).toBe(40);
    expect(Math.abs(missed.finishedAt - Date.now())).toBeLessThan(5_000);
    // occurrences is only meaningful for missed
    expect(toRunLogRecord({ record: run(), jobOwner: 'b', occurrences: 40 }).occurrences).toBe(1);
  });

  it('takes message and stack from the thrown value, caps both, and survives hostile thrown values', () => {
    const error = new Error('m'.repeat(RUN_LOG_ERROR_MESSAGE_MAX + 10));
    error.stack = `Error: boom\n${'    at x (y.js:1:1)\n'.repeat(2000)}`;
    const r = toRunLogRecord({ record: run({ status: 'failed', error: 'ignored' }), jobOwner: 'b', error });
    expect(r.errorMessage).toHaveLength(RUN_LOG_ERROR_MESSAGE_MAX);
    expect(r.errorMessage!.endsWith('…')).toBe(true);
    expect(r.errorStack).toHaveLength(RUN_LOG_ERROR_STACK_MAX);
    expect(toRunLogRecord({ record: run({ status: 'failed', error: 'from history' }), jobOwner: 'b' })).toMatchObject({ errorMessage: 'from history', errorStack: null });
    expect(toRunLogRecord({ record: run({ status: 'failed' }), jobOwner: 'b', error: 'plain string' })).toMatchObject({ errorMessage: 'plain string', errorStack: null });
    const hostile = { toString() { throw new Error('no'); } };
    expect(toRunLogRecord({ record: run({ status: 'failed' }), jobOwner: 'b', error: hostile }).errorMessage).toContain('cannot be turned into text');
    expect(toRunLogRecord({ record: run({ status: 'failed' }), jobOwner: 'b', error: new Error('a\u0000b') }).errorMessage).toBe('a\uFFFDb');
  });

  it('keeps a small JSON result as its own copy, and marks the rest without walking all of it', () => {
    const value = { n: 1, list: [1, 'two', null, true], nested: { at: new Date(T) } };
    const r = toRunLogRecord({ record: run(), jobOwner: 'b', result: value });
    value.n = 2;
    expect(r.result).toEqual({ n: 1, list: [1, 'two', null, true], nested: { at: new Date(T).toISOString() } });
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    for (const bad of [() => 1, Symbol('s'), 10n, Number.NaN, new Map([[1, 2]]), cyclic, new (class Point { x = 1; })(), Buffer.from('x'), { f: () => 1 }]) {
      expect(toRunLogRecord({ record: run(), jobOwner: 'b', result: bad }), String(typeof bad)).toMatchObject({ result: null, resultOmitted: 'not_serializable' });
    }
    const huge = Array.from({ length: 2_000_000 }, (_, i) => i);
    expect(toRunLogRecord({ record: run(), jobOwner: 'b', result: huge })).toMatchObject({ result: null, resultOmitted: 'too_large' });
    expect(toRunLogRecord({ record: run(), jobOwner: 'b', result: 'é'.repeat(RUN_LOG_RESULT_MAX_BYTES / 2) })).toMatchObject({ resultOmitted: 'too_large' });
    expect(toRunLogRecord({ record: run(), jobOwner: 'b', result: null })).toMatchObject({ result: null, resultOmitted: null });
    expect(toRunLogRecord({ record: run(), jobOwner: 'b', result: { keep: 1, gone: undefined } }).result).toEqual({ keep: 1 });
  });

  it('refuses input that cannot make a valid record with XCORE_ERR_RUNLOG_RECORD_INVALID', () => {
    expect(() => toRunLogRecord({ record: run({ jobId: '' }), jobOwner: 'b' })).toThrow(expect.objectContaining({ code: 'XCORE_ERR_RUNLOG_RECORD_INVALID' }));
    expect(() => toRunLogRecord({ record: run({ scheduledAt: Number.NaN }), jobOwner: 'b' })).toThrow(/scheduledAt/);
    expect(() => toRunLogRecord({ record: run(), jobOwner: '' })).toThrow(/owner/);
  });
});

describe('newRunLogId', () => {
  it('is a lowercase UUID v7 whose first 48 bits are the time, so ids sort by time', () => {
    const a = newRunLogId(T);
    const b = newRunLogId(T + 1);
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(parseInt(a.replace('-', '').slice(0, 12), 16)).toBe(T);
    expect(a < b).toBe(true);
    expect(new Set(Array.from({ length: 1000 }, () => newRunLogId(T))).size).toBe(1000);
  });
});

describe('boundedJson', () => {
  it('renders what JSON.stringify renders for plain data', () => {
    const value = { a: [1, -0, 'x"y', { b: null }], c: true, d: undefined, e: [undefined] };
    expect(boundedJson(value, 1000)).toEqual({ ok: true, text: JSON.stringify(value) });
  });

  it('stops at the cap: a text of exactly the cap fits, one byte more does not', () => {
    expect(boundedJson('x'.repeat(8), 10)).toEqual({ ok: true, text: '"xxxxxxxx"' });
    expect(boundedJson('x'.repeat(9), 10)).toEqual({ ok: false, reason: 'too_large' });
    // Counted in UTF-8 bytes: "€€" is 8 bytes, "€€€" is 11.
    expect(boundedJson('€€', 10)).toEqual({ ok: true, text: '"€€"' });
    expect(boundedJson('€€€', 10)).toEqual({ ok: false, reason: 'too_large' });
  });
});
