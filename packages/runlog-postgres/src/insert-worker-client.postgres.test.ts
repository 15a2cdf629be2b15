/**
 * The writer thread on a real PostgreSQL: batches are stored whole with COPY (binary), a batch
 * whose run ids are partly stored already goes through the insert that skips them, errors keep
 * their SQLSTATE across the thread boundary, and a writer thread that dies fails only its batch in
 * flight and is replaced on the next insert (and is sent the run-log ring and its every text again).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { postgresUnavailable, useTestDatabase } from '../../../test/helpers/postgres.js';
import { RunLogRing, toRunLogRecord, type RunLogInput, type RunLogRecord } from '@xcore/scheduler';
import { buildRunLogRecord } from '../../scheduler/src/runlog/run-log-build.js';
import { InsertWorkerClient, WRITER_NICE_OFFSET, type BatchSql } from './insert-worker-client.js';
import { migrate } from './migrations.js';
import { copySql, insertSql, rowToRecord, type RunLogRow } from './run-log-sql.js';

const skip = await postgresUnavailable();
/** Records as the parts `PostgresRunLog` sends: UTF-8 JSON of comma-separated records. */
const parts = (...groups: RunLogRecord[][]): ArrayBuffer[] => groups.map((g) => new Uint8Array(Buffer.from(JSON.stringify(g).slice(1, -1))).buffer);
const at = Date.UTC(2026, 0, 1);
const record = (jobId: string, n: number, extra: Partial<RunLogInput> = {}): RunLogRecord =>
  toRunLogRecord({
    record: { jobId, scheduledAt: at + n, startedAt: at + n + 1, finishedAt: at + n + 2.4, status: 'succeeded', attempts: 1, owner: 'proc-1' },
    jobOwner: jobId.split(':')[0]!,
    ...extra,
  });

describe.skipIf(skip)('InsertWorkerClient', () => {
  const db = useTestDatabase('writer');
  const client = (): InsertWorkerClient => new InsertWorkerClient({
    connectionString: db.url, statement_timeout: 5_000, query_timeout: 10_000, connectionTimeoutMillis: 5_000, keepAlive: true, application_name: 'xcore-runlog-test',
  }, () => undefined);
  /** A schema with the shipped migrations, and the statements of its run_log. */
  const schema = async (name: string): Promise<BatchSql> => {
    const pool = new pg.Pool({ connectionString: db.url, max: 1 });
    await migrate(pool, name, 'test');
    await pool.end();
    return { copy: copySql(name), insert: insertSql(name) };
  };
  const stored = async (name: string): Promise<RunLogRecord[]> =>
    (await db.sql<RunLogRow>(`SELECT * FROM "${name}".run_log ORDER BY finished_at, run_id`)).rows.map(rowToRecord);

  it('stores the records made of the parts with COPY, transferring the parts', async () => {
    const sql = await schema('copy');
    const writer = client();
    const records = [
      record('a:1', 1, { result: { n: 1, text: 'é€ 日本' } }),
      record('a:2', 2, { error: new TypeError('card declined'), requestedBy: 'admin:üser', jobOwner: 'plügin' }),
      toRunLogRecord({ record: { jobId: 'b:1', scheduledAt: at, startedAt: null, finishedAt: at + 3, status: 'missed', attempts: 0 }, jobOwner: 'b', occurrences: 7 }),
    ];
    const sent = parts(records.slice(0, 2), records.slice(2));
    // The insert is never needed here: a statement that would fail shows COPY stored the batch.
    expect(await writer.insert({ copy: sql.copy, insert: 'SELECT no_such_function($1::json)' }, sent)).toEqual([]);
    expect(sent[0]!.byteLength).toBe(0); // moved to the thread, not copied
    expect(await stored('copy')).toEqual([...records].sort((x, y) => x.finishedAt - y.finishedAt || (x.runId < y.runId ? -1 : 1)));
    await writer.close(5_000);
  });

  it('stores a batch whose run ids are partly stored already with the insert that skips them', async () => {
    const sql = await schema('retry');
    const writer = client();
    const first = [record('a:1', 1), record('a:2', 2)];
    const second = [record('a:3', 3)];
    await writer.insert(sql, parts(first));
    // The same records again (a retry after a lost answer) with a new one: COPY refuses it whole.
    expect(await writer.insert(sql, parts([...first, ...second]))).toEqual([]);
    expect(await stored('retry')).toEqual([...first, ...second]);
    await writer.close(5_000);
  });

  it('rejects with PostgreSQL\'s message and SQLSTATE', async () => {
    await db.sql('CREATE SCHEMA IF NOT EXISTS missing');
    const writer = client();
    await expect(writer.insert({ copy: copySql('missing'), insert: insertSql('missing') }, parts([record('a:1', 1)]))).rejects.toMatchObject({ code: '42P01', message: expect.stringContaining('missing') });
    await writer.close(5_000);
  });

  it('fails the batch in flight when the thread dies, and starts a new thread for the next one', async () => {
    const sql = await schema('dies');
    const locker = new pg.Client({ connectionString: db.url });
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE dies.run_log IN ACCESS EXCLUSIVE MODE');
    const writer = client();
    const inFlight = writer.insert(sql, parts([record('a:1', 1)]));
    // Wait until the writer's COPY waits for the lock, then end its thread.
    for (;;) {
      const { rows } = await db.sql("SELECT 1 FROM pg_stat_activity WHERE application_name = 'xcore-runlog-test' AND wait_event_type = 'Lock'");
      if (rows.length > 0) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    await (writer as unknown as { worker: Worker }).worker.terminate();
    await expect(inFlight).rejects.toThrow(/writer thread exited/);
    await locker.query('ROLLBACK');
    await locker.end();
    const after = record('a:2', 2);
    await writer.insert(sql, parts([after]));
    expect(await stored('dies')).toEqual([after]);
    await writer.close(5_000);
  });

  it('makes the records of ring slots on its thread, and sends a new thread the ring and every text again', async () => {
    const sql = await schema('ring');
    const input = (jobId: string, n: number, result?: unknown): RunLogInput => ({
      record: { jobId, scheduledAt: at + n, startedAt: at + n + 1, finishedAt: at + n + 2, status: 'succeeded', attempts: 1, owner: 'proc-1' },
      jobOwner: jobId.split(':')[0]!,
      ...(result === undefined ? {} : { result }),
    });
    const inputs = [input('a:1', 1, { n: 1 }), input('a:2', 2), input('a:1', 3, { n: 2 }), input('b:1', 4, 'é'), input('b:2', 5, { e: new Error('not JSON') })];
    const writer = client();
    const ring = new RunLogRing(8);
    const first = [ring.write(inputs[0]!), ring.write(inputs[1]!)];
    expect(await writer.insert(sql, [], { ring, slots: first })).toEqual([]);
    const old = (writer as unknown as { worker: Worker }).worker;
    const exited = new Promise((resolve) => old.once('exit', resolve));
    await old.terminate();
    await exited;
    // The new thread knows neither the ring nor the texts 'a', 'a:1', 'proc-1': both are sent again.
    const second = [ring.write(inputs[2]!), ring.write(inputs[3]!), ring.write(inputs[4]!)];
    expect(await writer.insert(sql, parts(), { ring, slots: second })).toEqual([]);
    await writer.close(5_000);
    const strip = (r: RunLogRecord): unknown => {
      const { runId: _runId, ...rest } = r;
      return rest;
    };
    expect((await stored('ring')).map(strip)).toEqual(inputs.map((i) => strip(buildRunLogRecord(i))));
  });

  /** Nice of each thread of this process (Linux /proc), by thread id. */
  const threadNices = (): Map<number, number> =>
    new Map(readdirSync('/proc/self/task').map((tid) => [Number(tid), Number(readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1]!.split(' ')[16])]));

  it.skipIf(process.platform !== 'linux')('runs its thread alone at a lower priority: the process\'s nice plus WRITER_NICE_OFFSET', async () => {
    const main = threadNices().get(process.pid)!;
    const sql = await schema('nice');
    const writer = client();
    await writer.insert(sql, parts([record('a:1', 1)]));
    const after = threadNices();
    expect(after.get(process.pid)).toBe(main); // the event loop's thread keeps its priority
    const lowered = [...after.values()].filter((n) => n > main);
    expect(lowered).toEqual(main >= 19 ? [] : [Math.min(19, main + WRITER_NICE_OFFSET)]);
    await writer.close(5_000);
  });
});
