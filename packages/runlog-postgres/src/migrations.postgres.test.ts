/**
 * Migrations on a real PostgreSQL: applied once and recorded, idempotent, safe when several
 * instances (each with its own connections, as separate processes would be) migrate at once,
 * atomic when one fails; and what `open` does with a database that refuses or is not there.
 */
import pg from 'pg';
import { describe, expect, it, vi } from 'vitest';
import { logged, readAll, writeAll } from '../../scheduler/src/runlog/run-log-contract-fixtures.js';
import { postgresUnavailable, useTestDatabase } from '../../../test/helpers/postgres.js';
import { freePort } from '../../../test/helpers/redis-server.js';
import { migrate, shippedMigrations } from './migrations.js';
import { PostgresRunLog } from './postgres-run-log.js';

const skip = await postgresUnavailable();

describe.skipIf(skip)('run log migrations', () => {
  const db = useTestDatabase('migrations');

  const recorded = async (schema: string): Promise<string[]> =>
    (await db.sql<{ name: string }>(`SELECT name FROM ${schema}.run_log_migrations ORDER BY version`)).rows.map((r) => r.name);
  const indexesOf = async (schema: string): Promise<string[]> =>
    (await db.sql<{ indexname: string }>("SELECT indexname FROM pg_indexes WHERE schemaname = $1 AND tablename = 'run_log' ORDER BY indexname", [schema])).rows.map((r) => r.indexname);

  it('creates the schema, the table and its indexes once, and records the migration', async () => {
    const first = new PostgresRunLog({ url: db.url, schema: 'once', retention: null });
    expect(await first.migrate()).toEqual(shippedMigrations().map((m) => m.name));
    expect(await first.migrate()).toEqual([]);
    await first.close();
    const again = new PostgresRunLog({ url: db.url, schema: 'once', retention: null });
    expect(await again.migrate()).toEqual([]);
    await again.close();
    expect(await recorded('once')).toEqual(['001_create_run_log.sql', '002_executor_outcomes.sql', '003_fewer_indexes.sql']);
    expect(await indexesOf('once')).toEqual(['run_log_finished_idx', 'run_log_job_finished_idx', 'run_log_outcome_finished_idx', 'run_log_pkey', 'run_log_scheduled_idx']);
  });

  it('drops the two indexes of 003 from a table made by 001 and 002, keeping its rows', async () => {
    const pool = new pg.Pool({ connectionString: db.url, max: 1 });
    await migrate(pool, 'older', 'test', shippedMigrations().filter((m) => m.version <= 2));
    await pool.end();
    expect(await indexesOf('older')).toContain('run_log_owner_finished_idx');
    for (const at of [1, 2]) {
      await db.sql(
        "INSERT INTO older.run_log (run_id, job_id, owner, outcome, scheduled_at, finished_at, attempts) VALUES (gen_random_uuid(), 'p:j', 'p', 'skipped', to_timestamp($1), to_timestamp($1), 0)",
        [at],
      );
    }
    const old = new PostgresRunLog({ url: db.url, schema: 'older', retention: null });
    expect(await old.migrate()).toEqual(['003_fewer_indexes.sql']);
    expect(await indexesOf('older')).toEqual(['run_log_finished_idx', 'run_log_job_finished_idx', 'run_log_outcome_finished_idx', 'run_log_pkey', 'run_log_scheduled_idx']);
    expect(await readAll(old)).toHaveLength(2);
    await old.close();
  });

  it('applies each migration exactly once when six instances migrate the same fresh schema at once', async () => {
    const instances = Array.from({ length: 6 }, () => new PostgresRunLog({ url: db.url, schema: 'race', retention: null, poolMax: 1 }));
    const results = await Promise.all(instances.map((i) => i.migrate()));
    expect(results.flat()).toEqual(['001_create_run_log.sql', '002_executor_outcomes.sql', '003_fewer_indexes.sql']);
    expect(await recorded('race')).toEqual(['001_create_run_log.sql', '002_executor_outcomes.sql', '003_fewer_indexes.sql']);
    // and every instance can write at once into the one table
    await Promise.all(instances.map((i, k) => writeAll(i, [logged({ at: k + 1 })])));
    expect(await readAll(instances[0]!)).toHaveLength(6);
    await Promise.all(instances.map((i) => i.close()));
  });

  it('rolls a failing migration back entirely and names the file', async () => {
    const pool = new pg.Pool({ connectionString: db.url, max: 1 });
    const broken = [...shippedMigrations(), { version: 2, name: '002_broken.sql', sql: 'ALTER TABLE run_log ADD COLUMN oops nonexistent_type' }];
    const error = await migrate(pool, 'atomic', 'test', broken).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'XCORE_ERR_RUNLOG_POSTGRES_MIGRATION' });
    expect((error as Error).message).toContain('002_broken.sql');
    expect((error as Error).message).toContain('nonexistent_type');
    const tables = await db.sql("SELECT 1 FROM pg_namespace WHERE nspname = 'atomic'");
    expect(tables.rowCount).toBe(0); // 001 and the schema went with it
    await pool.end();
  });

  it('creates the table again when it was dropped under a running sink', async () => {
    const sink = await PostgresRunLog.open({ url: db.url, schema: 'dropped', retention: null, flushMs: 5, retryBaseMs: 5, retryMaxMs: 50 });
    await writeAll(sink, [logged({ at: 1 })]);
    await db.sql('DROP SCHEMA dropped CASCADE');
    await writeAll(sink, [logged({ at: 2 })]);
    expect(await readAll(sink)).toHaveLength(1);
    expect(sink.stats().failedBatches).toBeGreaterThanOrEqual(1);
    await sink.close();
  });

  it('open() fails at once when the database does not exist, naming it', async () => {
    const url = new URL(db.url);
    url.pathname = '/xcore_no_such_database';
    const error = await PostgresRunLog.open({ url: url.toString() }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'XCORE_ERR_RUNLOG_POSTGRES_CONNECT' });
    expect((error as Error).message).toContain('xcore_no_such_database');
  });

  it('open() with PostgreSQL unreachable returns a sink that queues, warns, and cannot be queried', async () => {
    const port = await freePort();
    const warn = vi.fn();
    const sink = await PostgresRunLog.open({ url: `postgres://postgres@127.0.0.1:${port}/x`, logger: { warn, error: vi.fn() }, connectTimeoutMs: 1000 });
    expect(warn).toHaveBeenCalledWith(expect.anything(), expect.stringContaining('unreachable at start'));
    sink.write(logged({ at: 1 }));
    expect(sink.stats().queueDepth).toBe(1);
    await expect(sink.query()).rejects.toMatchObject({ code: 'XCORE_ERR_RUNLOG_POSTGRES_QUERY' });
    await sink.close({ timeoutMs: 50 });
    expect(sink.stats()).toMatchObject({ written: 0, dropped: 1, queueDepth: 0 });
  });
});
