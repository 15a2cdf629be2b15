/**
 * The writer thread on a real PostgreSQL: batches arrive whole, errors keep their SQLSTATE across
 * the thread boundary, and a writer thread that dies fails only its batch in flight and is
 * replaced on the next insert (and is sent the run-log ring and its every text again).
 */
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { postgresUnavailable, useTestDatabase } from '../../../test/helpers/postgres.js';
import { RunLogRing, type RunLogInput } from '@xcore/scheduler';
import { buildRunLogRecord } from '../../scheduler/src/runlog/run-log-build.js';
import { InsertWorkerClient } from './insert-worker-client.js';

const skip = await postgresUnavailable();
const parts = (...texts: string[]): ArrayBuffer[] => texts.map((t) => new Uint8Array(Buffer.from(t)).buffer);

describe.skipIf(skip)('InsertWorkerClient', () => {
  const db = useTestDatabase('writer');
  const client = (): InsertWorkerClient => new InsertWorkerClient({
    connectionString: db.url, statement_timeout: 5_000, query_timeout: 10_000, connectionTimeoutMillis: 5_000, keepAlive: true, application_name: 'xcore-runlog-test',
  }, () => undefined);
  const INSERT = 'INSERT INTO items SELECT value FROM json_array_elements($1::json)';

  it('writes the JSON array made of the parts, transferring them', async () => {
    await db.sql('CREATE TABLE items (v jsonb)');
    const writer = client();
    const sent = parts('{"n":1},{"n":2}', '{"n":"é€"}');
    await writer.insert(INSERT, sent);
    expect(sent[0]!.byteLength).toBe(0); // moved to the thread, not copied
    const { rows } = await db.sql<{ v: unknown }>('SELECT v FROM items');
    expect(rows.map((r) => r.v)).toEqual([{ n: 1 }, { n: 2 }, { n: 'é€' }]);
    await writer.close(5_000);
  });

  it('rejects with PostgreSQL\'s message and SQLSTATE', async () => {
    const writer = client();
    await expect(writer.insert('INSERT INTO missing_table SELECT 1 WHERE $1::json IS NOT NULL', parts('1'))).rejects.toMatchObject({ code: '42P01', message: expect.stringContaining('missing_table') });
    await writer.close(5_000);
  });

  it('fails the batch in flight when the thread dies, and starts a new thread for the next one', async () => {
    await db.sql('CREATE TABLE IF NOT EXISTS items (v jsonb)');
    const writer = client();
    const inFlight = writer.insert('SELECT pg_sleep(2) WHERE $1::json IS NOT NULL', parts('1'));
    await new Promise((r) => setTimeout(r, 200));
    await (writer as unknown as { worker: Worker }).worker.terminate();
    await expect(inFlight).rejects.toThrow(/writer thread exited/);
    await writer.insert(INSERT, parts('{"after":true}'));
    const { rows } = await db.sql("SELECT 1 FROM items WHERE v = '{\"after\":true}'");
    expect(rows).toHaveLength(1);
    await writer.close(5_000);
  });

  it('makes the records of ring slots on its thread, and sends a new thread the ring and every text again', async () => {
    await db.sql('CREATE TABLE runs (v jsonb)');
    const INSERT_RUNS = 'INSERT INTO runs SELECT value FROM json_array_elements($1::json)';
    const at = Date.UTC(2026, 0, 1);
    const input = (jobId: string, result?: unknown): RunLogInput => ({
      record: { jobId, scheduledAt: at, startedAt: at + 1, finishedAt: at + 2, status: 'succeeded', attempts: 1, owner: 'proc-1' },
      jobOwner: jobId.split(':')[0]!,
      ...(result === undefined ? {} : { result }),
    });
    const inputs = [input('a:1', { n: 1 }), input('a:2'), input('a:1', { n: 2 }), input('b:1', 'é'), input('b:2', { e: new Error('not JSON') })];
    const writer = client();
    const ring = new RunLogRing(8);
    const first = [ring.write(inputs[0]!), ring.write(inputs[1]!)];
    expect(await writer.insert(INSERT_RUNS, [], { ring, slots: first })).toEqual([]);
    const old = (writer as unknown as { worker: Worker }).worker;
    const exited = new Promise((resolve) => old.once('exit', resolve));
    await old.terminate();
    await exited;
    // The new thread knows neither the ring nor the texts 'a', 'a:1', 'proc-1': both are sent again.
    const second = [ring.write(inputs[2]!), ring.write(inputs[3]!), ring.write(inputs[4]!)];
    expect(await writer.insert(INSERT_RUNS, parts(), { ring, slots: second })).toEqual([]);
    await writer.close(5_000);
    const { rows } = await db.sql<{ v: Record<string, unknown> }>('SELECT v FROM runs');
    const strip = (r: object): unknown => {
      const { runId: _runId, ...rest } = r as { runId: string };
      return rest;
    };
    expect(rows.map((r) => strip(r.v))).toEqual(inputs.map((i) => strip(buildRunLogRecord(i))));
  });
});
