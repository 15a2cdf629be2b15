/**
 * PostgresRunLog when PostgreSQL goes away or stalls, on a real server: the port closed (a TCP proxy
 * taken down), connections terminated by the server, the queue bound reached, and a table locked
 * by another session. Records are retried and stored up to the bound; `write` never waits.
 */
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RunLogRecord } from '@xcore/scheduler';
import { logged } from '../../scheduler/src/runlog/run-log-contract-fixtures.js';
import { createTestDatabase, postgresUnavailable, type TestDatabase } from '../../../test/helpers/postgres.js';
import { startTcpProxy, type TcpProxy } from '../../../test/helpers/tcp-proxy.js';
import { PostgresRunLog } from './postgres-run-log.js';
import type { PostgresRunLogOptions } from './postgres-run-log-options.js';

const skip = await postgresUnavailable();

describe.skipIf(skip)('PostgresRunLog when PostgreSQL is away or stalled', () => {
  let db: TestDatabase;
  let proxy: TcpProxy;
  let schemaNo = 0;
  const open: PostgresRunLog[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('outage');
    proxy = await startTcpProxy(Number(new URL(db.url).port || 5432), new URL(db.url).hostname);
  });
  afterEach(async () => {
    await proxy.start().catch(() => undefined); // listening again if a test left it down
    await Promise.all(open.splice(0).map((s) => s.close({ timeoutMs: 1000 })));
  });
  afterAll(async () => {
    await proxy?.stop();
    await db?.drop();
  });

  const viaProxy = (): string => {
    const url = new URL(db.url);
    url.port = String(proxy.port);
    return url.toString();
  };
  const sink = async (options: Partial<PostgresRunLogOptions> = {}): Promise<{ log: PostgresRunLog; schema: string; warn: ReturnType<typeof vi.fn> }> => {
    const schema = `outage_${++schemaNo}`;
    const warn = vi.fn();
    const log = await PostgresRunLog.open({
      url: viaProxy(), schema, retention: null, flushMs: 5, retryBaseMs: 20, retryMaxMs: 200, connectTimeoutMs: 2000,
      logger: { warn, error: vi.fn(), info: vi.fn() }, ...options,
    });
    open.push(log);
    return { log, schema, warn };
  };
  const storedIds = async (schema: string): Promise<Set<string>> =>
    new Set((await db.sql<{ run_id: string }>(`SELECT run_id FROM ${schema}.run_log`)).rows.map((r) => r.run_id));
  const records = (n: number, from: number): RunLogRecord[] => Array.from({ length: n }, (_, i) => logged({ at: from + i }));

  it('keeps writing while the port is closed, retries, and stores every record once it is back', async () => {
    const { log, schema, warn } = await sink();
    const before = records(200, 0);
    for (const r of before) log.write(r);
    expect(await log.flush({ timeoutMs: 15_000 })).toBe(true);

    await proxy.stop();
    const during = records(300, 1000);
    for (const r of during.slice(0, 150)) log.write(r);
    await vi.waitFor(() => expect(log.stats().failedBatches).toBeGreaterThanOrEqual(2), { timeout: 10_000 });
    for (const r of during.slice(150)) log.write(r);
    expect(log.stats()).toMatchObject({ written: 200, dropped: 0, queueDepth: 300 });
    expect(log.stats().lastError).toMatch(/ECONNREFUSED|terminated|closed|timeout/i);
    expect(warn).toHaveBeenCalledWith(expect.anything(), expect.stringContaining('writing a batch failed'));

    await proxy.start();
    expect(await log.flush({ timeoutMs: 20_000 })).toBe(true);
    const ids = await storedIds(schema);
    expect(ids.size).toBe(500);
    for (const r of [...before, ...during]) expect(ids.has(r.runId)).toBe(true);
    expect(log.stats()).toMatchObject({ dropped: 0, queueDepth: 0, lastError: null });
  });

  it('loses nothing when the server terminates its connections mid-stream', async () => {
    const { log, schema } = await sink({ batchSize: 20, poolMax: 2 });
    const all = records(600, 0);
    const terminate = async (): Promise<number> => {
      const admin = new pg.Client({ connectionString: db.adminUrl });
      await admin.connect();
      const { rowCount } = await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND application_name = 'xcore-runlog'", [db.name]);
      await admin.end();
      return rowCount ?? 0;
    };
    let terminated = 0;
    for (let i = 0; i < all.length; i += 50) {
      for (const r of all.slice(i, i + 50)) log.write(r);
      if (i % 200 === 100) terminated += await terminate();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(terminated).toBeGreaterThan(0);
    expect(await log.flush({ timeoutMs: 20_000 })).toBe(true);
    expect((await storedIds(schema)).size).toBe(600);
    expect(log.stats()).toMatchObject({ dropped: 0, rejected: 0 });
  });

  it('holds at most queueLimit records while away: the oldest are dropped, counted and logged, the newest stored', async () => {
    const { log, schema, warn } = await sink({ batchSize: 10, queueLimit: 100 });
    await proxy.stop();
    const all = records(250, 0);
    for (const r of all) log.write(r);
    expect(log.stats()).toMatchObject({ dropped: 150, queueDepth: 100 });
    expect(warn).toHaveBeenCalledWith(expect.objectContaining({ queueLimit: 100 }), expect.stringContaining('dropping the oldest'));
    await proxy.start();
    expect(await log.flush({ timeoutMs: 20_000 })).toBe(true);
    const ids = await storedIds(schema);
    expect(ids.size).toBe(100);
    // The newest 90 always survive; up to one batch (10) of older ones may have been mid-write when the queue filled.
    for (const r of all.slice(-90)) expect(ids.has(r.runId)).toBe(true);
    expect(log.stats()).toMatchObject({ written: 100, dropped: 150, queueDepth: 0 });
  });

  it('write returns at once while the table is locked by another session, and the records land after the lock goes', async () => {
    const { log, schema } = await sink({ batchSize: 100, statementTimeoutMs: 60_000 });
    await db.sql(`SELECT 1 FROM ${schema}.run_log`); // table exists (open migrated it)
    const locker = new pg.Client({ connectionString: db.url });
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query(`LOCK TABLE ${schema}.run_log IN ACCESS EXCLUSIVE MODE`);
    try {
      const all = records(2000, 0);
      for (const r of all) expect(log.write(r)).toBeUndefined();
      // The insert is now waiting on the lock inside PostgreSQL...
      await vi.waitFor(async () => {
        const waiting = await db.sql("SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND application_name = 'xcore-runlog' AND wait_event_type = 'Lock'", [db.name]);
        expect(waiting.rowCount).toBeGreaterThan(0);
      }, { timeout: 10_000 });
      // ...while this process keeps running timers and accepting writes.
      const extra = records(500, 5000);
      await new Promise((resolve) => setTimeout(resolve, 100));
      for (const r of extra) expect(log.write(r)).toBeUndefined();
      expect(log.stats()).toMatchObject({ written: 0, queueDepth: 2500, dropped: 0 });
      expect(await log.flush({ timeoutMs: 200 })).toBe(false);
    } finally {
      await locker.query('COMMIT');
      await locker.end();
    }
    expect(await log.flush({ timeoutMs: 20_000 })).toBe(true);
    expect((await storedIds(schema)).size).toBe(2500);
  });

  it('a write blocked past statement_timeout fails, is counted and retried', async () => {
    const { log, schema } = await sink({ statementTimeoutMs: 300 });
    const locker = new pg.Client({ connectionString: db.url });
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query(`LOCK TABLE ${schema}.run_log IN ACCESS EXCLUSIVE MODE`);
    const r = logged({ at: 1 });
    log.write(r);
    await vi.waitFor(() => expect(log.stats().failedBatches).toBeGreaterThanOrEqual(1), { timeout: 10_000 });
    expect(log.stats().lastError).toMatch(/statement timeout/);
    await locker.query('COMMIT');
    await locker.end();
    expect(await log.flush({ timeoutMs: 20_000 })).toBe(true);
    expect(await storedIds(schema)).toEqual(new Set([r.runId]));
  });
});
