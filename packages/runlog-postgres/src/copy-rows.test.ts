/**
 * The writer thread's COPY data (`worker/copy-rows.mjs`): a batch of queued runs encoded straight
 * from the ring's columns (`copyBatch`) is, byte for byte, the COPY data of the records the
 * scheduler builds and checks of them (`recordsOfBatch`, then `copyRows`), refusing the same runs
 * with the same problems, whatever the runs hold and with written records in the same batch.
 */
import { describe, expect, it } from 'vitest';
import { RunLogRing, recordsOfBatch } from '@xcore/scheduler/run-log-kit';
import { buildRunLogRecord } from '../../scheduler/src/runlog/run-log-build.js';
import { RingFields, copyBatch, copyRows } from '../worker/copy-rows.mjs';
import { variedRuns } from './varied-runs.fixture.js';

describe('copyBatch', () => {
  it('writes the rows of the records the runs make, byte for byte, and refuses the runs the check refuses', () => {
    const runs = variedRuns(2000, Date.UTC(2026, 5, 1));
    const ring = new RunLogRing(runs.length);
    const slots = runs.map((input) => ring.write(input));
    const reader = new RunLogRing(ring.shared);
    reader.receive(0, ring.stringsFrom(0), slots, ring.textsOf(slots));
    const fields = new RingFields(reader);
    const written = [buildRunLogRecord({ ...runs[1]!, runId: '0190a0a0-0000-7000-8000-000000000003' })];
    let batches = 0;
    let refusedRuns = 0;
    for (let at = 0; at < slots.length; at += 97) {
      const batch = Int32Array.from(slots.slice(at, at + 97));
      const got = copyBatch(batches % 2 === 0 ? written : [], fields, batch);
      const want = recordsOfBatch(Array.from(batch), reader);
      const records = batches % 2 === 0 ? [...written, ...want.records] : want.records;
      expect(got.refused, `batch ${batches}`).toEqual(want.refused);
      expect(got.rows, `batch ${batches}`).toBe(records.length);
      expect(Buffer.compare(got.data, copyRows(records)), `batch ${batches}`).toBe(0);
      refusedRuns += want.refused.length;
      batches++;
    }
    // The runs were varied enough to take every path: columns, side channel, refused.
    expect(refusedRuns).toBeGreaterThan(0);
    expect(refusedRuns).toBeLessThan(runs.length / 2);
  });

  it('needs the ring for slots', () => {
    expect(() => copyBatch([], undefined, Int32Array.of(0))).toThrow(/no ring was given/);
  });
});
