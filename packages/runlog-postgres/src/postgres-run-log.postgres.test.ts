/**
 * PostgresRunLog on a real PostgreSQL: the RunLogSink contract, the rows as stored, and the plans
 * of the query shapes (each served by its index, with no sort).
 */
import { describe, expect, it } from 'vitest';
import { newRunLogId } from '@xcore/scheduler';
import { describeRunLogContract } from '../../scheduler/src/runlog/run-log-contract.js';
import { T0, logged, writeAll } from '../../scheduler/src/runlog/run-log-contract-fixtures.js';
import { postgresUnavailable, useTestDatabase } from '../../../test/helpers/postgres.js';
import { PostgresRunLog } from './postgres-run-log.js';
import { selectSql } from './run-log-sql.js';
import { parseRunLogFilter, type RunLogFilter } from '@xcore/scheduler';

const skip = await postgresUnavailable();

describe.skipIf(skip)('PostgresRunLog', () => {
  const db = useTestDatabase('runlog');
  let n = 0;

  describeRunLogContract('PostgresRunLog', async () => {
    const schema = `contract_${++n}`;
    const sink = await PostgresRunLog.open({ url: db.url, schema, retention: null, flushMs: 5, poolMax: 2 });
    return {
      sink,
      async teardown() {
        await sink.close();
        await db.sql(`DROP SCHEMA ${schema} CASCADE`);
      },
    };
  });

  it('stores times as exact instants, the result as jsonb and the outcome as text', async () => {
    const sink = await PostgresRunLog.open({ url: db.url, schema: 'rows', retention: null, flushMs: 5 });
    const r = logged({ at: 61, scheduled: 60, result: { count: 7 }, error: new Error('x'), outcome: 'failed' });
    await writeAll(sink, [r]);
    await sink.close();
    const { rows } = await db.sql(
      "SELECT outcome, to_char(finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS') AS finished, " +
        "(extract(epoch FROM scheduled_at) * 1000)::bigint AS scheduled_ms, jsonb_typeof(result) AS result_type, result->>'count' AS count, " +
        'duration_ms, attempts, occurrences FROM rows.run_log WHERE run_id = $1',
      [r.runId],
    );
    expect(rows).toEqual([{
      outcome: 'failed', finished: new Date(r.finishedAt).toISOString().slice(0, 23), scheduled_ms: String(r.scheduledAt),
      result_type: 'object', count: '7', duration_ms: r.durationMs, attempts: 1, occurrences: 1,
    }]);
  });

  it('makes the records of queued runs on its writer thread: stored with their result and stack, a run that makes no valid record refused and counted', async () => {
    const sink = await PostgresRunLog.open({ url: db.url, schema: 'runs', retention: null, flushMs: 5 });
    const at = Date.now();
    const run = (jobId: string) => ({ jobId, scheduledAt: at - 20, startedAt: at - 10, finishedAt: at, status: 'failed' as const, attempts: 2, owner: 'proc-1', manual: true, requestedBy: 'admin:alice' });
    sink.writeRun({ record: run('billing:invoice'), jobOwner: 'billing', error: new TypeError('card declined'), result: { tried: [1, 2] } });
    sink.writeRun({ record: run('x'.repeat(600)), jobOwner: 'billing' }); // jobId over 512 characters
    expect(await sink.flush({ timeoutMs: 15_000 })).toBe(true);
    expect(sink.stats()).toMatchObject({ written: 1, rejected: 1, dropped: 0, queueDepth: 0 });
    const { records } = await sink.query({ owner: 'billing' });
    await sink.close();
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      jobId: 'billing:invoice', owner: 'billing', outcome: 'failed', scheduledAt: at - 20, startedAt: at - 10, finishedAt: at, durationMs: 10,
      attempts: 2, errorMessage: 'card declined', manual: true, requestedBy: 'admin:alice', process: 'proc-1', result: { tried: [1, 2] }, resultOmitted: null,
    });
    expect(records[0]!.errorStack).toContain('TypeError: card declined');
    expect(records[0]!.runId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('answers every query shape from an index, newest first, without a sort but for one job by scheduledAt', async () => {
    const sink = await PostgresRunLog.open({ url: db.url, schema: 'plans', retention: null });
    await writeAll(sink, Array.from({ length: 50 }, (_, i) => logged({ at: i, outcome: i % 5 === 0 ? 'failed' : 'succeeded', jobId: `p:j${i % 4}` })));
    await sink.close();
    const cursor = Buffer.from(`v1|finishedAt|${T0 + 20_000}|${newRunLogId(T0)}`).toString('base64url');
    // [filter, the plan's scan, whether it sorts]
    const shapes: [RunLogFilter, string, boolean][] = [
      [{}, 'Index Scan Backward using run_log_finished_idx', false],
      [{ from: T0 + 10_000, to: T0 + 40_000, cursor }, 'Index Scan Backward using run_log_finished_idx', false],
      [{ jobId: 'p:j1', cursor }, 'Index Scan Backward using run_log_job_finished_idx', false],
      // No owner index (migration 003): the time index read newest first, filtered.
      [{ owner: 'p', from: T0 }, 'Index Scan Backward using run_log_finished_idx', false],
      [{ outcome: 'failed', cursor }, 'Index Scan Backward using run_log_outcome_finished_idx', false],
      [{ timeField: 'scheduledAt', from: T0 }, 'Index Scan Backward using run_log_scheduled_idx', false],
      // No (job_id, scheduled_at) index (migration 003): that job's rows, sorted (a top-N sort).
      [{ timeField: 'scheduledAt', jobId: 'p:j2' }, 'using run_log_job_finished_idx', true],
    ];
    for (const [filter, scan, sorts] of shapes) {
      const { text, values } = selectSql('plans', parseRunLogFilter(filter));
      // A 50-row table is read fastest by a scan: forbid it, so the plan shows which index fits the shape.
      const plan = await db.sql(`BEGIN; SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off; EXPLAIN ${text.replace(/\$(\d+)/g, (_, i: string) => literal(values[Number(i) - 1]))}; COMMIT;`);
      const lines = (plan as unknown as { rows: { 'QUERY PLAN': string }[] }[]).flatMap((r) => r.rows ?? []).map((r) => r['QUERY PLAN']).join('\n');
      expect(lines, JSON.stringify(filter)).toContain(scan);
      if (sorts) expect(lines, JSON.stringify(filter)).toMatch(/\bSort\b/);
      else expect(lines, JSON.stringify(filter)).not.toMatch(/\bSort\b/);
    }
  });
});

/** A parameter as an SQL literal, for EXPLAIN (which cannot take parameters in a multi-statement text). */
function literal(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (Array.isArray(value)) return `ARRAY[${value.map(literal).join(',')}]`;
  return `'${String(value).replaceAll("'", "''")}'`;
}
