/**
 * Options of {@link PostgresRunLog}, their defaults and their validation.
 */
import { SQL_IDENTIFIER, type RunLogLogger } from '@xcore/scheduler';
import { PostgresRunLogOptionsInvalidError } from './errors.js';

/** Options of {@link PostgresRunLog}. */
export interface PostgresRunLogOptions {
  /** `postgres://user:password@host:5432/database` (query parameters such as `sslmode` are passed to `pg`). */
  readonly url: string;
  /** Schema holding `run_log` and `run_log_migrations`; created when missing. @defaultValue `'xcore'` */
  readonly schema?: string;
  /**
   * Records per COPY (1..10000). @defaultValue `2000`
   * @remarks At 10k runs a second a batch of 2000 leaves every 200 ms (`flushMs`): against 500,
   * the writer thread spends about a third less CPU per run and PostgreSQL about 1 µs less per
   * row (fewer statements and commits; bench/README.md, run log).
   */
  readonly batchSize?: number;
  /** Longest wait before a partial batch is written, ms. @defaultValue `200` */
  readonly flushMs?: number;
  /** Most records held in memory while PostgreSQL is slow or away; past it the oldest are dropped. @defaultValue `50000` */
  readonly queueLimit?: number;
  /** Delete rows whose `finishedAt` is older than this, ms; `null` keeps them. @defaultValue `30` days */
  readonly retention?: number | null;
  /** Time between two retention sweeps, ms; the first runs one interval after start. @defaultValue `600000` (10 minutes) */
  readonly retentionIntervalMs?: number;
  /** Rows deleted per retention statement (one short transaction each). @defaultValue `5000` */
  readonly retentionBatchSize?: number;
  /**
   * Server-side `statement_timeout` of every statement, ms. A write blocked longer (a lock held by
   * someone else, an overloaded server) fails and is retried. @defaultValue `15000`
   */
  readonly statementTimeoutMs?: number;
  /** Time to open a connection before the attempt counts as failed, ms. @defaultValue `5000` */
  readonly connectTimeoutMs?: number;
  /** Most connections for queries, migrations and retention; the writer thread holds one more for inserts. @defaultValue `3` */
  readonly poolMax?: number;
  /** First retry delay after a failed write, ms; doubles per failure. @defaultValue `100` */
  readonly retryBaseMs?: number;
  /** Longest retry delay, ms. @defaultValue `30000` */
  readonly retryMaxMs?: number;
  /** Where drops, refused records and PostgreSQL trouble are reported (pino works). @defaultValue silent */
  readonly logger?: RunLogLogger;
}

/** Options with every default applied. */
export interface ResolvedPostgresRunLogOptions extends Required<Omit<PostgresRunLogOptions, 'logger'>> {
  readonly logger: RunLogLogger | undefined;
  /** `host:port/database`, for messages (never the password). */
  readonly target: string;
}

const DAY_MS = 86_400_000;

function whole(name: string, value: number | undefined, fallback: number, min: number, max: number): number {
  const v = value ?? fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new PostgresRunLogOptionsInvalidError(name, `must be a whole number from ${min} to ${max}, found ${String(v)}`);
  }
  return v;
}

/** Validates options and fills the defaults; throws {@link PostgresRunLogOptionsInvalidError} naming the option. */
export function resolveOptions(options: PostgresRunLogOptions): ResolvedPostgresRunLogOptions {
  if (typeof options !== 'object' || options === null) throw new PostgresRunLogOptionsInvalidError('options', 'must be an object with at least `url`');
  const { url } = options;
  let parsed: URL | undefined;
  try {
    parsed = typeof url === 'string' ? new URL(url) : undefined;
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined || (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') || parsed.hostname === '') {
    throw new PostgresRunLogOptionsInvalidError('url', 'must be a URL like postgres://user:password@host:5432/database');
  }
  const schema = options.schema ?? 'xcore';
  if (typeof schema !== 'string' || !SQL_IDENTIFIER.test(schema)) {
    throw new PostgresRunLogOptionsInvalidError('schema', `must be a lowercase SQL identifier (letters, digits, _; at most 63 characters), found ${JSON.stringify(schema)}`);
  }
  const retention = options.retention === undefined ? 30 * DAY_MS : options.retention;
  if (retention !== null && (typeof retention !== 'number' || !Number.isFinite(retention) || retention < 1)) {
    throw new PostgresRunLogOptionsInvalidError('retention', `must be a positive number of milliseconds or null, found ${String(retention)}`);
  }
  const batchSize = whole('batchSize', options.batchSize, 2000, 1, 10_000);
  const retryBaseMs = whole('retryBaseMs', options.retryBaseMs, 100, 1, 3_600_000);
  return {
    url,
    schema,
    batchSize,
    flushMs: whole('flushMs', options.flushMs, 200, 1, 60_000),
    queueLimit: whole('queueLimit', options.queueLimit, 50_000, batchSize + 1, 10_000_000),
    retention,
    retentionIntervalMs: whole('retentionIntervalMs', options.retentionIntervalMs, 600_000, 10, 86_400_000),
    retentionBatchSize: whole('retentionBatchSize', options.retentionBatchSize, 5_000, 1, 100_000),
    statementTimeoutMs: whole('statementTimeoutMs', options.statementTimeoutMs, 15_000, 10, 3_600_000),
    connectTimeoutMs: whole('connectTimeoutMs', options.connectTimeoutMs, 5_000, 10, 600_000),
    poolMax: whole('poolMax', options.poolMax, 3, 1, 100),
    retryBaseMs,
    retryMaxMs: whole('retryMaxMs', options.retryMaxMs, 30_000, retryBaseMs, 3_600_000),
    logger: options.logger,
    target: `${parsed.hostname}:${parsed.port || '5432'}${parsed.pathname === '' || parsed.pathname === '/' ? '' : parsed.pathname}`,
  };
}
