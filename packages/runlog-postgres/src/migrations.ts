/**
 * Applies the SQL files in `migrations/` in order, once per schema, recording each in
 * `<schema>.run_log_migrations`.
 *
 * @remarks
 * Safe when several processes start at once: the whole run happens in one transaction that first
 * takes a transaction-scoped advisory lock derived from the schema name, so a second process waits,
 * then finds the migrations recorded and applies nothing. Each file runs with `search_path` set to
 * the schema, so the files name tables unqualified. A failure rolls everything back.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { Pool, PoolClient } from 'pg';
import { PostgresRunLogMigrationError } from './errors.js';
import { quoteIdent } from './run-log-sql.js';

/** One migration file. */
export interface Migration {
  /** `001`, `002`, ...: the order, and the key recorded once applied. */
  readonly version: number;
  /** The file name, e.g. `001_create_run_log.sql`. */
  readonly name: string;
  readonly sql: string;
}

const MIGRATIONS_DIR = new URL('../migrations/', import.meta.url);
const FILE = /^(\d{3})_[a-z0-9_]+\.sql$/;

let cached: readonly Migration[] | undefined;

/** The migrations shipped with the package, in order (read from disk once). */
export function shippedMigrations(): readonly Migration[] {
  cached ??= readdirSync(MIGRATIONS_DIR)
    .filter((name) => FILE.test(name))
    .sort()
    .map((name) => ({ version: Number(FILE.exec(name)![1]), name, sql: readFileSync(new URL(name, MIGRATIONS_DIR), 'utf8') }));
  return cached;
}

async function inTransaction<T>(client: PoolClient, work: () => Promise<T>): Promise<T> {
  await client.query('BEGIN');
  try {
    const result = await work();
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/**
 * Brings `schema` up to the shipped migrations.
 *
 * @param target - `host:port/database`, for error messages.
 * @returns the names of the migrations this call applied (empty when already up to date).
 * @throws {@link PostgresRunLogMigrationError} when a migration's SQL fails (rolled back); the
 * `pg` error itself when the connection or the lock fails (the caller decides whether to retry).
 */
export async function migrate(pool: Pool, schema: string, target: string, migrations: readonly Migration[] = shippedMigrations()): Promise<string[]> {
  const client = await pool.connect();
  let broken = false;
  try {
    return await inTransaction(client, async () => {
      await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`xcore.runlog.migrate:${schema}`]);
      const exists = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
      // Checked first: CREATE SCHEMA IF NOT EXISTS needs the CREATE privilege even when the schema exists.
      if (exists.rowCount === 0) await client.query(`CREATE SCHEMA ${quoteIdent(schema)}`);
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${quoteIdent(schema)}.run_log_migrations ` +
          '(version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())',
      );
      const done = await client.query<{ version: number }>(`SELECT version FROM ${quoteIdent(schema)}.run_log_migrations`);
      const applied = new Set(done.rows.map((r) => r.version));
      const names: string[] = [];
      for (const m of migrations) {
        if (applied.has(m.version)) continue;
        await client.query(`SET LOCAL search_path TO ${quoteIdent(schema)}`);
        try {
          await client.query(m.sql);
        } catch (error) {
          throw new PostgresRunLogMigrationError(m.name, target, error instanceof Error ? error.message : String(error), { cause: error });
        }
        await client.query(`INSERT INTO ${quoteIdent(schema)}.run_log_migrations (version, name) VALUES ($1, $2)`, [m.version, m.name]);
        names.push(m.name);
      }
      return names;
    });
  } catch (error) {
    broken = !(error instanceof PostgresRunLogMigrationError);
    throw error;
  } finally {
    client.release(broken);
  }
}
