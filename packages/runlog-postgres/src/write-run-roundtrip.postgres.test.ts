/**
 * Every queued run comes back from PostgreSQL as the record the scheduler would build of it
 * ({@link buildRunLogRecord}: the same fields `toRunLogRecord` makes), field by field: many runs
 * with varied fields (every outcome, results small and large, non-ASCII, unserialisable, errors
 * with stacks, long texts, NUL characters, many job ids), through `writeRun` with a small queue so
 * the sink's buffers are reused many times over. A lost, duplicated or corrupted record fails it.
 */
import { describe, expect, it } from 'vitest';
import { runLogRecordProblem, type RunLogRecord } from '@xcore/scheduler';
import { buildRunLogRecord } from '../../scheduler/src/runlog/run-log-build.js';
import { postgresUnavailable, useTestDatabase } from '../../../test/helpers/postgres.js';
import { PostgresRunLog } from './postgres-run-log.js';
import { variedRuns } from './varied-runs.fixture.js';

const skip = await postgresUnavailable();

/** The record without its run id (random), for comparing what was stored with what was expected. */
function withoutId(record: RunLogRecord): Omit<RunLogRecord, 'runId'> {
  const { runId: _runId, ...rest } = record;
  return rest;
}

describe.skipIf(skip)('PostgresRunLog.writeRun round trip', () => {
  const db = useTestDatabase('roundtrip');

  it('stores every queued run as the record built from it, field by field, and refuses only the invalid ones', async () => {
    const at = Date.UTC(2026, 5, 1);
    const runs = variedRuns(3000, at);
    // Built before writing: a record is made of the run as it was when written.
    const expected = runs.map((input) => buildRunLogRecord(input));
    const valid = expected.filter((r) => runLogRecordProblem(r) === null);
    const sink = await PostgresRunLog.open({ url: db.url, schema: 'roundtrip', retention: null, batchSize: 97, flushMs: 5, queueLimit: 400 });
    for (let i = 0; i < runs.length; i++) {
      sink.writeRun(runs[i]!);
      // Let batches go now and then, so the queue's slots are reused while others are written.
      if (i % 350 === 349) expect(await sink.flush({ timeoutMs: 30_000 })).toBe(true);
    }
    expect(await sink.flush({ timeoutMs: 30_000 })).toBe(true);
    expect(sink.stats()).toMatchObject({ written: valid.length, rejected: runs.length - valid.length, dropped: 0, queueDepth: 0 });

    const stored: RunLogRecord[] = [];
    let cursor: string | null = null;
    do {
      const page = await sink.query({ limit: 1000, timeField: 'scheduledAt', ...(cursor === null ? {} : { cursor }) });
      stored.push(...page.records);
      cursor = page.nextCursor;
    } while (cursor !== null);
    await sink.close();

    expect(stored).toHaveLength(valid.length);
    expect(new Set(stored.map((r) => r.runId)).size).toBe(valid.length);
    for (const r of stored) {
      // A UUID v7 whose time is the record's finish time.
      expect(r.runId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(parseInt(r.runId.replace('-', '').slice(0, 12), 16)).toBe(r.finishedAt);
    }
    // Compared as multisets of whole records (job ids repeat): sorted by their JSON.
    const key = (r: Omit<RunLogRecord, 'runId'>): string => JSON.stringify(r, (_k, v: unknown) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))) : v));
    const unmatched = new Map<string, number>();
    for (const k of valid.map(withoutId).map(key)) unmatched.set(k, (unmatched.get(k) ?? 0) + 1);
    const extra: string[] = [];
    for (const k of stored.map(withoutId).map(key)) {
      const left = unmatched.get(k) ?? 0;
      if (left === 0) extra.push(k);
      else if (left === 1) unmatched.delete(k);
      else unmatched.set(k, left - 1);
    }
    const short = (ks: Iterable<string>): string[] => [...ks].slice(0, 3).map((k) => k.replace(/"errorStack":"(?:[^"\\]|\\.)*"/, '"errorStack":"…"').slice(0, 600));
    expect({ missing: short(unmatched.keys()), extra: short(extra) }).toEqual({ missing: [], extra: [] });
  }, 60_000);
});
