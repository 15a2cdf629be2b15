import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../stores/store.js';
import { boundedJson, jsonFits } from './bounded-json.js';
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

  it('turns a NUL in a string into U+FFFD (jsonb cannot hold it), or refuses it with rejectNul; literal "\\u0000" text is kept', () => {
    expect(boundedJson({ k: 'a\u0000b' }, 100)).toEqual({ ok: true, text: '{"k":"a\\uFFFDb"}' });
    expect(JSON.parse((boundedJson({ k: 'a\u0000b' }, 100) as { text: string }).text)).toEqual({ k: 'a\uFFFDb' });
    expect(boundedJson({ k: 'a\u0000b' }, 100, { rejectNul: true })).toEqual({ ok: false, reason: 'not_serializable' });
    const literal = 'C:\\u0000dir'; // a backslash followed by the letters u0000, not a NUL
    expect(JSON.parse((boundedJson([literal, '\u0000'], 100) as { text: string }).text)).toEqual([literal, '\uFFFD']);
  });

  it('answers small flat values (taken without the walk) as the walk does: odd values, getters, NUL keys, null prototypes', () => {
    const bare = Object.assign(Object.create(null) as object, { n: 1, s: 'x' });
    const throwing = { get boom(): number { throw new Error('getter'); } };
    expect(boundedJson({ processed: 3, ok: true, none: null, skip: undefined }, 100)).toEqual({ ok: true, text: '{"processed":3,"ok":true,"none":null}' });
    expect(boundedJson(bare, 100)).toEqual({ ok: true, text: '{"n":1,"s":"x"}' });
    expect(boundedJson('flat', 100)).toEqual({ ok: true, text: '"flat"' });
    expect(boundedJson(42, 100)).toEqual({ ok: true, text: '42' });
    expect(boundedJson({ ['k\u0000']: 1 }, 100)).toEqual({ ok: true, text: '{"k\\uFFFD":1}' });
    for (const odd of [{ n: Number.NaN }, { f: () => 1 }, { s: Symbol('s') }, { b: 1n }, throwing, new (class Point { x = 1; })(), Number.POSITIVE_INFINITY, undefined]) {
      expect(boundedJson(odd, 100), String(odd)).toEqual({ ok: false, reason: 'not_serializable' });
    }
    expect(boundedJson({ a: 'y'.repeat(40) }, 20)).toEqual({ ok: false, reason: 'too_large' });
  });

  it('agrees with JSON.stringify on what fits, for random values around the cap (jsonFits too)', () => {
    let seed = 7;
    const rand = (): number => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const leaf = (): unknown => pick([
      () => rand() * 1e6 - 5e5, () => Math.floor(rand() * 100), () => rand() < 0.5, () => null,
      () => 'é€"\\\n'.repeat(Math.floor(rand() * 8)) + 'x'.repeat(Math.floor(rand() * 40)), () => new Date(Math.floor(rand() * 4e12)),
    ])();
    const value = (depth: number): unknown => {
      if (depth > 3 || rand() < 0.3) return leaf();
      const n = Math.floor(rand() * 12);
      if (rand() < 0.5) return Array.from({ length: n }, () => value(depth + 1));
      return Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}${'é'.repeat(Math.floor(rand() * 3))}`, value(depth + 1)]));
    };
    let fits = 0;
    for (let i = 0; i < 400; i++) {
      const v = value(0);
      const bytes = Buffer.byteLength(JSON.stringify(v));
      const cap = Math.max(2, bytes + Math.floor(rand() * 40) - 20);
      const got = boundedJson(v, cap);
      expect(got.ok, `cap ${cap}, ${bytes} bytes`).toBe(bytes <= cap);
      if (got.ok) expect(got.text).toBe(JSON.stringify(v));
      expect(jsonFits(v, cap).ok).toBe(bytes <= cap);
      if (bytes <= cap) fits++;
    }
    expect(fits).toBeGreaterThan(50);
    expect(fits).toBeLessThan(350);
  });
});

