/**
 * `PostgresRunLog`: the durable {@link RunLogSink}, on PostgreSQL through `pg` (node-postgres).
 *
 * @remarks
 * Writes go through the scheduler's {@link RunLogBatcher}: `write` validates and enqueues; `writeRun`,
 * the scheduler's path, captures the finished run into the batcher's ring (shared memory) and
 * enqueues its slot. A writer thread ({@link InsertWorkerClient}) reads the slots of each batch,
 * makes, checks and inserts the records (written records are serialised a slice per event-loop
 * turn and handed over as bytes), so neither blocks the caller's loop; retried with backoff while PostgreSQL is away, with
 * the oldest queued records dropped (counted, logged) past `queueLimit`. Queries read the table
 * directly with the indexes of migration 001. Retention deletes expired rows in bounded batches on
 * a timer. See the package README for the table, the queries and the failure behaviour.
 */
import pg from 'pg';
import {
  RunLogBatcher, RunLogClosedError, encodeRunLogCursor, parseRunLogFilter, validateRunLogRecord,
  type RunLogBatchItem, type RunLogRing, type RunLogFilter, type RunLogFlushOptions, type RunLogInput, type RunLogInsertResult, type RunLogLogger, type RunLogPage, type RunLogRecord, type RunLogSink, type RunLogStats,
} from '@xcore/scheduler';
import { isXcoreError } from '@xcore/core';
import { PostgresRunLogConnectError, PostgresRunLogMigrationError, PostgresRunLogQueryError } from './errors.js';
import { InsertWorkerClient, type BatchSql } from './insert-worker-client.js';
import { migrate } from './migrations.js';
import { classifyPgError, firstLine, isLastingAtStart, isTableGone } from './pg-errors.js';
import { resolveOptions, type PostgresRunLogOptions, type ResolvedPostgresRunLogOptions } from './postgres-run-log-options.js';
import { copySql, insertSql, retentionSql, rowToRecord, selectSql, type RunLogRow } from './run-log-sql.js';

/** {@link RunLogStats} plus what retention removed. */
export interface PostgresRunLogStats extends RunLogStats {
  /** Rows deleted by retention sweeps of this sink. */
  readonly deletedByRetention: number;
}

const NO_LOGGER: RunLogLogger = { warn() {}, error() {} };

/**
 * Records serialised per turn of the event loop. `JSON.stringify` of 500 records takes 1-2 ms,
 * long enough to make a 1 ms timer late; 50 at a time keeps each piece near 0.1-0.2 ms. (Queued
 * runs, the scheduler's path, are not serialised here: the writer thread reads them from the ring.)
 */
const ENCODE_SLICE = 50;

/**
 * Written records as UTF-8 JSON pieces (each a comma-separated run of records, no brackets), one
 * slice per turn of the event loop. Bytes, so they move to the writer thread without a copy.
 */
async function encodeBatch(items: readonly RunLogRecord[]): Promise<ArrayBuffer[]> {
  const parts: ArrayBuffer[] = [];
  for (let i = 0; i < items.length; i += ENCODE_SLICE) {
    if (i > 0) await new Promise<void>((resolve) => setImmediate(resolve));
    const text = JSON.stringify(items.slice(i, i + ENCODE_SLICE));
    const bytes = Buffer.from(text.slice(1, -1), 'utf8');
    // A buffer of its own (not a slice of Node's shared pool), so it can be transferred.
    parts.push(bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? (bytes.buffer as ArrayBuffer) : new Uint8Array(bytes).buffer);
  }
  return parts;
}

/**
 * A run log in a PostgreSQL table (see the module remarks).
 *
 * @example
 * ```ts
 * const runLog = await PostgresRunLog.open({ url: process.env.RUNLOG_DATABASE_URL!, logger });
 * runLog.write(toRunLogRecord({ record, jobOwner: 'billing' }));
 * const { records } = await runLog.query({ jobId: 'billing:invoice', outcome: 'failed' });
 * await runLog.close();
 * ```
 */
export class PostgresRunLog implements RunLogSink {
  private readonly options: ResolvedPostgresRunLogOptions;
  private readonly logger: RunLogLogger;
  private readonly pool: pg.Pool;
  private readonly writer: InsertWorkerClient;
  private readonly batcher: RunLogBatcher;
  private readonly batchSql: BatchSql;
  private readonly retentionText: string;
  private ready = false;
  private migrating: Promise<string[]> | undefined;
  private sweeping: Promise<number> | undefined;
  private retentionTimer: NodeJS.Timeout | undefined;
  private deletedByRetention = 0;
  private closed = false;

  /**
   * Creates the sink and runs the migrations once.
   *
   * @remarks
   * A lasting refusal (wrong credentials, a missing database, no privilege to create the schema)
   * or a failing migration throws, so a misconfigured app fails at boot. PostgreSQL merely
   * unreachable does not: the sink is returned, records queue, and the migrations run again before
   * the first insert (logged as a warning).
   *
   * @throws {@link PostgresRunLogConnectError}, {@link PostgresRunLogMigrationError}, or
   * {@link PostgresRunLogOptionsInvalidError} for bad options.
   */
  static async open(options: PostgresRunLogOptions): Promise<PostgresRunLog> {
    const log = new PostgresRunLog(options);
    try {
      await log.migrate();
    } catch (error) {
      if (error instanceof PostgresRunLogMigrationError || isLastingAtStart(error)) {
        await log.close({ timeoutMs: 0 });
        if (error instanceof PostgresRunLogMigrationError) throw error;
        throw new PostgresRunLogConnectError(log.options.target, `PostgreSQL refused: ${firstLine(error)}; fix the url's user, password or database, or grant CREATE on the database`, { cause: error });
      }
      log.logger.warn(
        { err: error, target: log.options.target },
        'postgres run log: PostgreSQL is unreachable at start; records queue (up to queueLimit) and the migrations run before the first write',
      );
    }
    return log;
  }

  /** Creates the sink without touching PostgreSQL; the migrations run before the first insert or query. */
  constructor(options: PostgresRunLogOptions) {
    this.options = resolveOptions(options);
    const o = this.options;
    this.logger = o.logger ?? NO_LOGGER;
    const connection = {
      connectionString: o.url,
      connectionTimeoutMillis: o.connectTimeoutMs,
      statement_timeout: o.statementTimeoutMs,
      // A backstop for a server gone silent (no RST): the client gives up a little after the server would have.
      query_timeout: o.statementTimeoutMs + 5_000,
      keepAlive: true,
      application_name: 'xcore-runlog',
    };
    const idleClosed = (err: unknown): void => this.logger.warn({ err, target: o.target }, 'postgres run log: an idle connection was closed by the server; it is replaced on next use');
    this.pool = new pg.Pool({ ...connection, max: o.poolMax, idleTimeoutMillis: 30_000 });
    // An idle connection the server ends (restart, pg_terminate_backend) is reported here; without a listener it would crash the process.
    this.pool.on('error', idleClosed);
    this.writer = new InsertWorkerClient(connection, (message) => idleClosed(new Error(message)));
    this.batchSql = { copy: copySql(o.schema), insert: insertSql(o.schema) };
    this.retentionText = retentionSql(o.schema);
    this.batcher = new RunLogBatcher({
      insert: (items, ring) => this.insert(items, ring),
      classify: classifyPgError,
      batchSize: o.batchSize,
      flushMs: o.flushMs,
      queueLimit: o.queueLimit,
      retryBaseMs: o.retryBaseMs,
      retryMaxMs: o.retryMaxMs,
      logger: this.logger,
      name: `postgres run log (${o.target}, schema ${o.schema})`,
    });
    if (o.retention !== null) {
      this.retentionTimer = setInterval(() => {
        this.sweepRetention().catch((err: unknown) => this.logger.warn({ err, target: o.target }, 'postgres run log: retention sweep failed; it runs again at the next interval'));
      }, o.retentionIntervalMs);
      this.retentionTimer.unref();
    }
  }

  /**
   * Applies the shipped migrations that `schema` lacks (idempotent; safe from several processes).
   * @returns the names of the migrations applied now.
   */
  migrate(): Promise<string[]> {
    this.migrating ??= migrate(this.pool, this.options.schema, this.options.target)
      .then((names) => {
        this.ready = true;
        if (names.length > 0) this.logger.info?.({ migrations: names, schema: this.options.schema }, 'postgres run log: migrations applied');
        return names;
      })
      .finally(() => {
        this.migrating = undefined;
      });
    return this.migrating;
  }

  /** See {@link RunLogSink.write}: validates, enqueues, returns. */
  write(record: RunLogRecord): void {
    if (this.closed) throw new RunLogClosedError('postgres', 'write');
    validateRunLogRecord(record);
    this.batcher.push(record);
  }

  /** See {@link RunLogSink.writeRun}: captures the run into the batcher's ring and queues it; its record is built and validated on the writer thread. */
  writeRun(input: RunLogInput): void {
    if (this.closed) throw new RunLogClosedError('postgres', 'write');
    this.batcher.pushRun(input);
  }

  /** See {@link RunLogSink.query}. @throws {@link PostgresRunLogQueryError} when PostgreSQL cannot answer. */
  async query(filter?: RunLogFilter): Promise<RunLogPage> {
    if (this.closed) throw new RunLogClosedError('postgres', 'query');
    const q = parseRunLogFilter(filter);
    try {
      if (!this.ready) await this.migrate();
      const { text, values } = selectSql(this.options.schema, q);
      const { rows } = await this.pool.query<RunLogRow>(text, values);
      const records = rows.slice(0, q.limit).map(rowToRecord);
      const last = records[records.length - 1];
      return { records, nextCursor: rows.length > q.limit && last !== undefined ? encodeRunLogCursor(q.timeField, last) : null };
    } catch (error) {
      if (isTableGone(error)) this.ready = false;
      if (isXcoreError(error)) throw error;
      throw new PostgresRunLogQueryError(this.options.target, firstLine(error), { cause: error });
    }
  }

  /** See {@link RunLogSink.flush}. */
  flush(options: RunLogFlushOptions = {}): Promise<boolean> {
    return this.batcher.flush(options.timeoutMs);
  }

  /** See {@link RunLogSink.close}: flushes up to `timeoutMs` (default 5 s), then ends the pool. */
  async close(options: RunLogFlushOptions = {}): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const timeoutMs = options.timeoutMs ?? 5_000;
    const deadline = Date.now() + timeoutMs;
    if (this.retentionTimer !== undefined) clearInterval(this.retentionTimer);
    await this.batcher.close(timeoutMs);
    await this.writer.close(Math.max(0, deadline - Date.now()));
    // pool.end() waits for statements in flight; past the deadline they finish (or time out) on their own.
    const ended = this.pool.end().catch(() => undefined);
    const left = Math.max(0, deadline - Date.now());
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([ended, new Promise<void>((resolve) => { timer = setTimeout(resolve, left); })]);
    clearTimeout(timer);
  }

  /** See {@link RunLogSink.stats}, plus the rows retention deleted. */
  stats(): PostgresRunLogStats {
    return { ...this.batcher.stats(), deletedByRetention: this.deletedByRetention };
  }

  /**
   * Deletes rows whose `finishedAt` is older than `retention` before `now`, in statements of at
   * most `retentionBatchSize` rows, until none is left. Runs on its timer; callable directly.
   * Overlapping calls share one sweep.
   *
   * @returns the rows deleted (0 with `retention: null`).
   */
  sweepRetention(now: number = Date.now()): Promise<number> {
    const { retention } = this.options;
    if (retention === null || this.closed) return Promise.resolve(0);
    this.sweeping ??= this.sweep(new Date(now - retention).toISOString()).finally(() => {
      this.sweeping = undefined;
    });
    return this.sweeping;
  }

  private async sweep(cutoff: string): Promise<number> {
    if (!this.ready) await this.migrate();
    const batch = this.options.retentionBatchSize;
    let total = 0;
    for (;;) {
      const { rowCount } = await this.pool.query(this.retentionText, [cutoff, batch]);
      const n = rowCount ?? 0;
      total += n;
      this.deletedByRetention += n;
      if (n < batch || this.closed) return total;
    }
  }

  private async insert(items: readonly RunLogBatchItem[], ring: RunLogRing | undefined): Promise<RunLogInsertResult> {
    if (!this.ready) await this.migrate();
    const records: RunLogRecord[] = [];
    const slots: number[] = [];
    for (const item of items) {
      if (typeof item === 'number') slots.push(item);
      else records.push(item);
    }
    try {
      const parts = records.length === 0 ? [] : await encodeBatch(records);
      return { refused: await this.writer.insert(this.batchSql, parts, ring === undefined || slots.length === 0 ? undefined : { ring, slots }) };
    } catch (error) {
      if (isTableGone(error)) this.ready = false;
      throw error;
    }
  }
}
