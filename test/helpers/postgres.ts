/**
 * A throwaway PostgreSQL database per test file, on the server at 127.0.0.1:5432 (or
 * `XCORE_TEST_POSTGRES_URL`).
 *
 * @remarks
 * - The server is reached with an admin URL: `XCORE_TEST_POSTGRES_URL` when set, else the first of
 *   `postgres://postgres@127.0.0.1:5432/postgres` and `postgres://<OS user>@127.0.0.1:5432/postgres`
 *   that connects (trust auth, as on a developer machine or a CI service container).
 * - {@link createTestDatabase} creates `xcore_test_<label>_<random>` and `drop()` removes it (ending
 *   its connections first), so suites never touch each other's data or the shared databases.
 * - No server: with `CI=true` {@link postgresUnavailable} throws, so CI never silently skips;
 *   otherwise it prints a loud warning and returns `true` for `describe.skipIf`.
 */
import { userInfo } from 'node:os';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';

/** A database created for one test file. */
export interface TestDatabase {
  /** `postgres://…/<name>`: connect the code under test here. */
  readonly url: string;
  readonly name: string;
  /** The admin URL the database was created with (to reach the server, e.g. for pg_terminate_backend). */
  readonly adminUrl: string;
  /** Runs SQL on the test database with a short-lived connection. */
  sql<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
  /** Ends every connection to the database and drops it. Idempotent. */
  drop(): Promise<void>;
}

function candidates(): string[] {
  const env = process.env['XCORE_TEST_POSTGRES_URL'];
  if (env) return [env];
  const urls = ['postgres://postgres@127.0.0.1:5432/postgres'];
  try {
    urls.push(`postgres://${encodeURIComponent(userInfo().username)}@127.0.0.1:5432/postgres`);
  } catch {
    // no OS user name: only the postgres role is tried
  }
  return urls;
}

async function canConnect(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

let admin: Promise<string | undefined> | undefined;

/** The admin URL that connects, or `undefined` when no server answers. */
export function postgresAdminUrl(): Promise<string | undefined> {
  admin ??= (async () => {
    for (const url of candidates()) if (await canConnect(url)) return url;
    return undefined;
  })();
  return admin;
}

/**
 * `true` when PostgreSQL suites must be skipped (no server answers).
 *
 * @remarks With `CI=true` it throws instead. Use with top-level await: `const skip = await postgresUnavailable();`.
 */
export async function postgresUnavailable(): Promise<boolean> {
  if ((await postgresAdminUrl()) !== undefined) return false;
  const tried = candidates().map((u) => u.replace(/\/\/[^@]*@/, '//…@')).join(', ');
  if (process.env['CI'] === 'true') {
    throw new Error(`PostgreSQL not reachable (tried ${tried}), and CI=true: start PostgreSQL on 127.0.0.1:5432 or set XCORE_TEST_POSTGRES_URL.`);
  }
  process.stderr.write(`\n!!! WARNING: PostgreSQL not reachable (tried ${tried}): PostgreSQL suites are SKIPPED. Start it or set XCORE_TEST_POSTGRES_URL.\n\n`);
  return true;
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Creates a fresh empty database named after `label` (lowercase letters, digits, `_`). */
export async function createTestDatabase(label: string): Promise<TestDatabase> {
  const adminUrl = await postgresAdminUrl();
  if (adminUrl === undefined) throw new Error('createTestDatabase: PostgreSQL is not reachable; guard the suite with postgresUnavailable()');
  const name = `xcore_test_${label.replace(/[^a-z0-9_]/g, '_').slice(0, 30)}_${Math.random().toString(36).slice(2, 10)}`;
  await withClient(adminUrl, (c) => c.query(`CREATE DATABASE "${name}"`));
  const parsed = new URL(adminUrl);
  parsed.pathname = `/${name}`;
  const url = parsed.toString();
  let dropped = false;
  return {
    url,
    name,
    adminUrl,
    sql: (text, values) => withClient(url, (c) => c.query(text, values)),
    async drop() {
      if (dropped) return;
      dropped = true;
      await withClient(adminUrl, async (c) => {
        // WITH (FORCE) (PostgreSQL 13+) ends connections a pool opens again between a terminate and the drop.
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).catch(async () => {
          await c.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
          await c.query(`DROP DATABASE IF EXISTS "${name}"`);
        });
      });
    },
  };
}

/**
 * Registers `beforeAll`/`afterAll` that create a database for the enclosing suite and drop it.
 *
 * @returns the suite's database; its fields may be read only inside hooks and tests.
 */
export function useTestDatabase(label: string): TestDatabase {
  let db: TestDatabase | undefined;
  beforeAll(async () => {
    db = await createTestDatabase(label);
  });
  afterAll(async () => {
    await db?.drop();
  });
  const current = (): TestDatabase => {
    if (db === undefined) throw new Error('useTestDatabase: the database exists only inside hooks and tests');
    return db;
  };
  return {
    get url() { return current().url; },
    get name() { return current().name; },
    get adminUrl() { return current().adminUrl; },
    sql: (text, values) => current().sql(text, values),
    drop: () => current().drop(),
  };
}
