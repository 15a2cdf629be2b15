/**
 * Every SQL statement the sink sends, built in one place from the (validated) schema name.
 *
 * @remarks
 * - **Copy**: one `COPY ... FROM STDIN (FORMAT binary)` per batch, the rows encoded on the writer
 *   thread (`worker/copy-rows.mjs`): PostgreSQL parses no JSON and no timestamp text, about half
 *   the backend CPU per row of the insert below (`bench/runlog-pg-cost.mjs`).
 * - **Insert**: the fallback when a `COPY` meets a run id already stored (COPY has no
 *   `ON CONFLICT`; it then stores nothing): the rows in a single JSON parameter unpacked by
 *   `json_to_recordset`, `ON CONFLICT (run_id) DO NOTHING`, so a batch retried after a lost answer
 *   stores nothing twice.
 * - **Select**: only the conditions a filter uses, so the planner sees the index for its shape;
 *   keyset paging by the row comparison `(time, run_id) < (cursor time, cursor id)`, newest first.
 * - **Retention**: deletes at most `batch` of the oldest expired rows per statement (`SKIP LOCKED`,
 *   so processes sweeping at once share the work instead of waiting on each other).
 */
import type { RunLogQuery, RunLogRecord } from '@xcore/scheduler';

/** One row of `run_log` as `pg` returns it. */
export interface RunLogRow {
  readonly run_id: string;
  readonly job_id: string;
  readonly owner: string;
  readonly outcome: RunLogRecord['outcome'];
  readonly scheduled_at: Date;
  readonly started_at: Date | null;
  readonly finished_at: Date;
  readonly duration_ms: number | null;
  readonly attempts: number;
  readonly occurrences: number;
  readonly error_message: string | null;
  readonly error_stack: string | null;
  readonly manual: boolean;
  readonly requested_by: string | null;
  readonly process: string | null;
  readonly result: RunLogRecord['result'];
  readonly result_omitted: RunLogRecord['resultOmitted'];
}

const COLUMNS =
  'run_id, job_id, owner, outcome, scheduled_at, started_at, finished_at, duration_ms, attempts, occurrences, ' +
  'error_message, error_stack, manual, requested_by, process, result, result_omitted';

const TIME_COLUMN = { finishedAt: 'finished_at', scheduledAt: 'scheduled_at' } as const;

/** A quoted identifier; `name` is already checked against `SQL_IDENTIFIER`. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** The `run_log` table of a schema, quoted. */
export function runLogTable(schema: string): string {
  return `${quoteIdent(schema)}.run_log`;
}

/**
 * The `COPY` of one batch, its rows in binary format (`worker/copy-rows.mjs` writes them in this
 * column order). What the writer thread sends first: PostgreSQL parses no text for it.
 */
export function copySql(schema: string): string {
  return `COPY ${runLogTable(schema)} (${COLUMNS}) FROM STDIN (FORMAT binary)`;
}

/**
 * The multi-row insert of one batch; its one parameter is `JSON.stringify(records)`. The writer
 * thread sends it only when the batch's `COPY` met a run id already stored (a retry after a lost
 * answer): it skips those rows.
 */
export function insertSql(schema: string): string {
  const ms = (field: string): string => `to_timestamp(r."${field}" / 1000.0)`;
  return (
    `INSERT INTO ${runLogTable(schema)} (${COLUMNS}) ` +
    `SELECT r."runId", r."jobId", r.owner, r.outcome, ${ms('scheduledAt')}, ${ms('startedAt')}, ${ms('finishedAt')}, ` +
    'r."durationMs", r.attempts, r.occurrences, r."errorMessage", r."errorStack", r.manual, r."requestedBy", r.process, ' +
    'r.result, r."resultOmitted" ' +
    'FROM json_to_recordset($1::json) AS r("runId" uuid, "jobId" text, owner text, outcome text, "scheduledAt" float8, ' +
    '"startedAt" float8, "finishedAt" float8, "durationMs" float8, attempts integer, occurrences integer, "errorMessage" text, ' +
    '"errorStack" text, manual boolean, "requestedBy" text, process text, result jsonb, "resultOmitted" text) ' +
    'ON CONFLICT (run_id) DO NOTHING'
  );
}

/** The select of one page: `limit + 1` rows, so the sink knows whether another page follows. */
export function selectSql(schema: string, q: RunLogQuery): { text: string; values: unknown[] } {
  const values: unknown[] = [];
  const param = (value: unknown, cast = ''): string => {
    values.push(value);
    return `$${values.length}${cast}`;
  };
  const time = TIME_COLUMN[q.timeField];
  const where: string[] = [];
  if (q.jobId !== null) where.push(`job_id = ${param(q.jobId)}`);
  if (q.owner !== null) where.push(`owner = ${param(q.owner)}`);
  if (q.outcomes !== null) where.push(q.outcomes.length === 1 ? `outcome = ${param(q.outcomes[0])}` : `outcome = ANY(${param(q.outcomes, '::text[]')})`);
  if (q.manual !== null) where.push(`manual = ${param(q.manual)}`);
  if (q.from !== null) where.push(`${time} >= ${param(new Date(q.from).toISOString(), '::timestamptz')}`);
  if (q.to !== null) where.push(`${time} < ${param(new Date(q.to).toISOString(), '::timestamptz')}`);
  if (q.after !== null) {
    where.push(`(${time}, run_id) < (${param(new Date(q.after.time).toISOString(), '::timestamptz')}, ${param(q.after.runId, '::uuid')})`);
  }
  const text =
    `SELECT ${COLUMNS} FROM ${runLogTable(schema)}` +
    (where.length === 0 ? '' : ` WHERE ${where.join(' AND ')}`) +
    ` ORDER BY ${time} DESC, run_id DESC LIMIT ${param(q.limit + 1)}`;
  return { text, values };
}

/** Deletes up to `$2` rows finished before `$1` (timestamptz), oldest first. */
export function retentionSql(schema: string): string {
  const table = runLogTable(schema);
  return (
    `WITH doomed AS (SELECT run_id FROM ${table} WHERE finished_at < $1::timestamptz ORDER BY finished_at LIMIT $2 FOR UPDATE SKIP LOCKED) ` +
    `DELETE FROM ${table} AS t USING doomed WHERE t.run_id = doomed.run_id`
  );
}

/** A row as a {@link RunLogRecord}. */
export function rowToRecord(row: RunLogRow): RunLogRecord {
  return {
    runId: row.run_id,
    jobId: row.job_id,
    owner: row.owner,
    outcome: row.outcome,
    scheduledAt: row.scheduled_at.getTime(),
    startedAt: row.started_at === null ? null : row.started_at.getTime(),
    finishedAt: row.finished_at.getTime(),
    durationMs: row.duration_ms,
    attempts: row.attempts,
    occurrences: row.occurrences,
    errorMessage: row.error_message,
    errorStack: row.error_stack,
    manual: row.manual,
    requestedBy: row.requested_by,
    process: row.process,
    result: row.result ?? null,
    resultOmitted: row.result_omitted,
  };
}
