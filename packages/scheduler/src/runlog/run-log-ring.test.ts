/**
 * RunLogRing: a run written into a slot is read back (by the writer, or by a reader on the same
 * shared memory given the writer's texts) as the record `buildRunLogRecord` makes of it, through
 * the columns or the side channel; slots are taken and given back exactly; a lost text is an error.
 */
import { describe, expect, it } from 'vitest';
import { boundedJson } from './bounded-json.js';
import { assembleRunLogRecord, buildRunLogRecord, runLogIdFrom, type RunLogInput } from './run-log-build.js';
import { runLogRecordProblem } from './run-log-check.js';
import { RUN_LOG_RING_NULL, RUN_LOG_RING_STRINGS_MAX, RunLogRing, emptySlotFields, recordsOfBatch } from './run-log-ring.js';
import { RUN_LOG_OUTCOMES, type RunLogRecord } from './run-log-record.js';

const T = Date.UTC(2026, 0, 1);

function run(extra: Omit<Partial<RunLogInput>, 'record'> & { readonly record?: Partial<RunLogInput['record']> } = {}): RunLogInput {
  const { record, ...rest } = extra;
  return {
    record: { jobId: 'billing:invoice', scheduledAt: T - 20.4, startedAt: T - 10.6, finishedAt: T + 0.5, status: 'succeeded', attempts: 1, owner: 'host-a:1', ...record },
    jobOwner: 'billing',
    ...rest,
  };
}

/** Inputs through the columns (the first ones) and through the side channel (the rest). */
const INPUTS: readonly RunLogInput[] = [
  run({ result: { processed: 3 } }),
  run({ result: 'é€ 日本', record: { status: 'timed_out', attempts: 3, manual: true, requestedBy: 'admin:alice' } }),
  run({ result: { big: 'x'.repeat(5000) }, requestedBy: 'cli' }),
  run({ result: new Map(), record: { owner: undefined } }),
  run({ result: { blob: 'y'.repeat(9000) } }),
  run({ record: { status: 'skipped', startedAt: null, finishedAt: null, attempts: 0 }, decidedAt: T + 7.7 }),
  run({ record: { status: 'missed', startedAt: null, finishedAt: null, attempts: 0 }, occurrences: 42, decidedAt: T + 9 }),
  run({ record: { scheduledAt: -0.2, startedAt: -0.1, finishedAt: 0.3 } }),
  // The side channel: errors, a given run id, odd field types, long or NUL texts.
  run({ error: new TypeError('card declined'), result: { tried: [1, 2] } }),
  run({ record: { status: 'failed', error: 'recorded only' } }),
  run({ runId: '0190a0a0-0000-7000-8000-000000000001' }),
  run({ requestedBy: 'has\u0000nul' }),
  run({ requestedBy: 'r'.repeat(600) }),
  run({ record: { jobId: 'j'.repeat(600) } }),
  run({ record: { attempts: Number.NaN } }),
  run({ record: { scheduledAt: Number.POSITIVE_INFINITY } }),
  run({ record: { status: 'exploded' as 'failed' } }),
];

/** The record without its (random) run id, as JSON carries it to a backend (`NaN` is `null`, `-0` is `0`). */
const withoutId = (r: RunLogRecord): unknown => {
  const { runId: _runId, ...rest } = r;
  return JSON.parse(JSON.stringify(rest));
};

describe('RunLogRing', () => {
  it('gives back each run as the record buildRunLogRecord makes, to the writer and to a reader of its memory', () => {
    const ring = new RunLogRing(64);
    const reader = new RunLogRing(ring.shared);
    const slots = INPUTS.map((input) => ring.write(input));
    reader.receive(0, ring.stringsFrom(0), slots, ring.textsOf(slots));
    for (let i = 0; i < INPUTS.length; i++) {
      const want = withoutId(buildRunLogRecord(INPUTS[i]!));
      const byReader = assembleRunLogRecord(reader.capture(slots[i]!));
      const byWriter = assembleRunLogRecord(ring.capture(slots[i]!));
      expect(withoutId(byReader), `input ${i}`).toEqual(want);
      // The run id is drawn once, by the first reader, and kept: every later read makes the same.
      expect(byWriter.runId, `input ${i}`).toBe(byReader.runId);
      expect(assembleRunLogRecord(reader.capture(slots[i]!)).runId).toBe(byReader.runId);
    }
    expect(assembleRunLogRecord(ring.capture(slots[10]!)).runId).toBe('0190a0a0-0000-7000-8000-000000000001');
  });

  it('reads its objects when written: a result changed afterwards is not seen', () => {
    const ring = new RunLogRing(4);
    const result = { count: 1 };
    const slot = ring.write(run({ result }));
    result.count = 2;
    expect(assembleRunLogRecord(ring.capture(slot)).result).toEqual({ count: 1 });
  });

  it('takes each free slot once, gives it back on release, and refuses a write when none is free', () => {
    const ring = new RunLogRing(3);
    const slots = [ring.write(run()), ring.write(run()), ring.write(run())];
    expect(new Set(slots).size).toBe(3);
    expect(ring.free).toBe(0);
    expect(() => ring.write(run())).toThrow(RangeError);
    expect(ring.free).toBe(0);
    ring.release(slots[1]!);
    // The freed slot is reused and holds the new run only (no result left from before).
    const again = ring.write(run({ record: { jobId: 'other:job' } }));
    expect(again).toBe(slots[1]);
    expect(assembleRunLogRecord(ring.capture(again))).toMatchObject({ jobId: 'other:job', result: null, resultOmitted: null });
  });

  it('gives a slot back when the run cannot be read (a hostile requester), and throws what capturing throws', () => {
    const ring = new RunLogRing(2);
    expect(() => ring.write(run({ requestedBy: null as unknown as string, record: { requestedBy: null as unknown as string } }))).toThrow(TypeError);
    expect(ring.free).toBe(2);
  });

  it('sends each text of the string table once, and takes the side channel once the table is full', () => {
    const ring = new RunLogRing(8);
    const reader = new RunLogRing(ring.shared);
    const first = ring.write(run());
    const sent = ring.stringCount;
    reader.receive(0, ring.stringsFrom(0), [first], ring.textsOf([first]));
    expect(ring.stringsFrom(sent)).toEqual([]);
    ring.release(first);
    for (let i = ring.stringCount; i < RUN_LOG_RING_STRINGS_MAX; i++) ring.release(ring.write(run({ requestedBy: `fill:${i}` })));
    expect(ring.stringCount).toBe(RUN_LOG_RING_STRINGS_MAX);
    const input = run({ requestedBy: 'one more', result: { n: 1 } });
    const slot = ring.write(input);
    expect(ring.stringCount).toBe(RUN_LOG_RING_STRINGS_MAX);
    reader.receive(sent, ring.stringsFrom(sent), [slot], ring.textsOf([slot]));
    expect(withoutId(assembleRunLogRecord(reader.capture(slot)))).toEqual(withoutId(buildRunLogRecord(input)));
  });

  it('refuses texts that do not follow those it has, and a slot whose text was not received', () => {
    const ring = new RunLogRing(4);
    const reader = new RunLogRing(ring.shared);
    const slot = ring.write(run({ result: { n: 1 } }));
    expect(() => reader.receive(1, ring.stringsFrom(1), [], ring.textsOf([]))).toThrow(/texts from 1 received, but 0 are known/);
    reader.receive(0, ring.stringsFrom(0), [], ring.textsOf([]));
    expect(() => reader.capture(slot)).toThrow(/texts of slot/);
    expect(() => reader.receive(ring.stringCount, [], [slot, slot], ring.textsOf([slot]))).toThrow(/2 slots received with 1 job ids/);
  });

  it('recordsOfBatch makes and checks the records of slots, keeps written records, and needs the ring for slots', () => {
    const ring = new RunLogRing(4);
    const good = ring.write(run());
    const bad = ring.write(run({ record: { jobId: '' } }));
    const written = buildRunLogRecord(run({ runId: '0190a0a0-0000-7000-8000-000000000002' }));
    const { records, refused } = recordsOfBatch([written, good, bad], ring);
    expect(records.map((r) => r.jobId)).toEqual(['billing:invoice', 'billing:invoice']);
    expect(records[0]).toBe(written);
    expect(refused).toEqual([expect.objectContaining({ field: 'jobId' })]);
    expect(() => recordsOfBatch([good])).toThrow(/no ring was given/);
  });

  it('readValid reads the fields of the record a slot makes, only when the record check would pass it', () => {
    // Through the columns but refused by the check: the writer must assemble and check these.
    const refusedByCheck: readonly RunLogInput[] = [
      run({ jobOwner: '' }),
      run({ record: { scheduledAt: -5000 } }),
      run({ record: { startedAt: T + 50 } }),
      run({ record: { attempts: -1 } }),
      run({ record: { attempts: 1.5 } }),
      run({ record: { finishedAt: 253_402_300_800_000 } }),
      run({ record: { status: 'missed', startedAt: null, finishedAt: null, attempts: 0 }, occurrences: 0, decidedAt: T }),
    ];
    const inputs = [...INPUTS, ...refusedByCheck];
    const ring = new RunLogRing(64);
    const reader = new RunLogRing(ring.shared);
    const slots = inputs.map((input) => ring.write(input));
    reader.receive(0, ring.stringsFrom(0), slots, ring.textsOf(slots));
    const f = emptySlotFields();
    const text = (id: number): string | null => (id === RUN_LOG_RING_NULL ? null : reader.stringAt(id));
    const read: number[] = [];
    for (let i = 0; i < inputs.length; i++) {
      if (!reader.readValid(slots[i]!, f)) continue;
      read.push(i);
      const record = assembleRunLogRecord(reader.capture(slots[i]!));
      expect(runLogRecordProblem(record), `input ${i}`).toBeNull();
      expect({
        runId: runLogIdFrom(f.finishedAt, f.idHigh, f.idLow), jobId: f.jobId, owner: reader.stringAt(f.owner), outcome: RUN_LOG_OUTCOMES[f.outcome],
        scheduledAt: f.scheduledAt, startedAt: f.startedAt, finishedAt: f.finishedAt,
        durationMs: f.startedAt === null ? null : Math.max(0, f.finishedAt - f.startedAt), attempts: f.attempts, occurrences: f.occurrences,
        errorMessage: null, errorStack: null, manual: f.manual, requestedBy: text(f.requestedBy), process: text(f.process),
        result: f.resultJson === null ? null : JSON.parse(f.resultJson), resultOmitted: f.resultOmitted,
      }, `input ${i}`).toEqual(record);
    }
    // Every run the columns hold with a valid record is read; the side channel and the refused are not.
    expect(read).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    for (let i = INPUTS.length; i < inputs.length; i++) expect(runLogRecordProblem(assembleRunLogRecord(reader.capture(slots[i]!))), `input ${i}`).not.toBeNull();
  });

  it('readValid leaves out a slot whose texts were not received', () => {
    const ring = new RunLogRing(4);
    const reader = new RunLogRing(ring.shared);
    const slot = ring.write(run({ result: { n: 1 } }));
    reader.receive(0, ring.stringsFrom(0), [], ring.textsOf([]));
    expect(reader.readValid(slot, emptySlotFields())).toBe(false);
  });

  it('makes the JSON of a small result when its batch is sent, as boundedJson made it when the run was written', () => {
    const nullProto = Object.assign(Object.create(null) as Record<string, unknown>, { b: 2, a: 1 });
    const throwing = Object.defineProperty({}, 'bad', { enumerable: true, get: () => { throw new Error('no'); } });
    const wide = Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`k${i}`, 'w'.repeat(256)]));
    const results: unknown[] = [
      0, -0, 1.5, 1e21, true, false, null, '', 'é€ 日本', 'x'.repeat(256), 'x'.repeat(257), 'a\u0000b', '\ud800 lone',
      { a: 1, b: 'two', c: null, d: undefined, e: true }, { 2: 'b', 1: 'a', z: 1 }, JSON.parse('{"__proto__":1,"x":2}'), nullProto,
      { nested: {} }, [1, 2], throwing, wide, { ...wide, k16: 1 }, { s: 'a\u0000b' }, new Date(Date.UTC(2026, 0, 1)), Number.NaN,
    ];
    const ring = new RunLogRing(64);
    const reader = new RunLogRing(ring.shared);
    const inputs = results.map((result) => run({ result }));
    const want = inputs.map((input) => buildRunLogRecord(input));
    const slots = inputs.map((input) => ring.write(input));
    // Changed after the run was written: the snapshot, not the object, is what is stored.
    (results[13] as Record<string, unknown>).a = 99;
    nullProto.a = 99;
    reader.receive(0, ring.stringsFrom(0), slots, ring.textsOf(slots));
    for (let i = 0; i < results.length; i++) {
      for (const [who, r] of [['writer', ring], ['reader', reader]] as const) {
        const got = assembleRunLogRecord(r.capture(slots[i]!));
        expect({ result: got.result, resultOmitted: got.resultOmitted }, `${who}, result ${i}`).toEqual({ result: want[i]!.result, resultOmitted: want[i]!.resultOmitted });
      }
    }
  });

  it('keeps a result of a few numbers, booleans or null in the slot, its JSON made by the reader as boundedJson made it at write time', () => {
    const nullProto = Object.assign(Object.create(null) as Record<string, unknown>, { b: 2, a: 1 });
    const mutated = { k: 1.5 };
    const results: unknown[] = [
      { processed: 3 }, { processed: 4 }, { ok: true, n: -0, x: null, f: false }, { processed: 5 }, { 2: 1, 1: 2, a: 3 },
      1e21, -0, null, true, false, 7.25, -1.5e-7, nullProto, mutated, { '\u0001k': 1 }, { a: 1, b: 2, c: 3, d: 4, e: 5 },
      { a: 1, b: 'two' }, { a: Number.NaN }, { a: undefined }, { ['k'.repeat(65)]: 1 }, { processed: 6 },
    ];
    const want = results.map((r) => boundedJson(r, 8192));
    const ring = new RunLogRing(64);
    const reader = new RunLogRing(ring.shared);
    const slots = results.map((result) => ring.write(run({ result })));
    mutated.k = 99;
    nullProto.a = 99;
    const texts = ring.textsOf(slots);
    // A result kept in the slot's memory travels as no text: the reader makes its JSON.
    expect(texts.texts.split('\u0000')[0]).toBe('');
    reader.receive(0, ring.stringsFrom(0), slots, texts);
    for (let i = 0; i < results.length; i++) {
      const expected = want[i]!.ok ? (want[i] as { text: string }).text : null;
      for (const [who, r] of [['writer', ring], ['reader', reader]] as const) {
        const fields = emptySlotFields();
        if (r.readValid(slots[i]!, fields)) {
          expect(fields.resultJson, `${who}, result ${i}`).toBe(expected === 'null' ? null : expected);
        } else {
          expect(assembleRunLogRecord(r.capture(slots[i]!)).result, `${who}, result ${i}`).toEqual(expected === null ? null : JSON.parse(expected));
        }
      }
    }
  });

  it('gives results whose keys change from run to run their JSON, past the most shapes it keeps', () => {
    const ring = new RunLogRing(4096);
    const reader = new RunLogRing(ring.shared);
    const results = Array.from({ length: 1500 }, (_, i) => ({ [`k${i}`]: i, ok: i % 2 === 0 }));
    const slots = results.map((result) => ring.write(run({ result })));
    reader.receive(0, ring.stringsFrom(0), slots, ring.textsOf(slots));
    const fields = emptySlotFields();
    for (let i = 0; i < results.length; i++) {
      expect(reader.readValid(slots[i]!, fields), `result ${i}`).toBe(true);
      expect(fields.resultJson, `result ${i}`).toBe(JSON.stringify(results[i]));
    }
    // The owners and processes of later runs still fit the string table.
    const later = ring.write(run({ jobOwner: 'another-owner', result: { x: 1 } }));
    expect(ring.readValid(later, fields)).toBe(true);
    expect(ring.stringAt(fields.owner)).toBe('another-owner');
  });
});
