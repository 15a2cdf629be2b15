/**
 * Query filters made concrete: {@link parseRunLogFilter} validates a {@link RunLogFilter} into a
 * {@link RunLogQuery} every sink executes the same way, and the keyset cursor is encoded here, once.
 *
 * @remarks
 * The cursor is opaque to callers: base64url of `v1|<timeField>|<epoch ms>|<runId>` — the sort key
 * of the last record of a page. The next page holds the records strictly after it in the order
 * (`time` descending, then `runId` descending), which an index on `(time, run_id)` answers directly.
 */
import { RunLogQueryInvalidError } from './run-log-errors.js';
import { RUN_LOG_ID_MAX, RUN_LOG_OUTCOMES, type RunLogOutcome, type RunLogRecord } from './run-log-record.js';
import type { RunLogFilter, RunLogTimeField } from './run-log-sink.js';
import { RUN_ID_PATTERN } from './validate-run-log-record.js';

/** Records per page when a filter gives no `limit`. */
export const RUN_LOG_DEFAULT_LIMIT = 50;
/** Most records one page may hold. */
export const RUN_LOG_MAX_LIMIT = 1000;

/** The position after which the next page starts. */
export interface RunLogCursor {
  readonly timeField: RunLogTimeField;
  readonly time: number;
  readonly runId: string;
}

/** A validated filter: what a sink runs. */
export interface RunLogQuery {
  readonly jobId: string | null;
  readonly owner: string | null;
  /** `null` = any outcome; otherwise a non-empty list without repeats. */
  readonly outcomes: readonly RunLogOutcome[] | null;
  readonly manual: boolean | null;
  readonly timeField: RunLogTimeField;
  /** Inclusive, epoch ms. */
  readonly from: number | null;
  /** Exclusive, epoch ms. */
  readonly to: number | null;
  readonly limit: number;
  readonly after: RunLogCursor | null;
}

const KEYS: ReadonlySet<string> = new Set(['jobId', 'owner', 'outcome', 'manual', 'timeField', 'from', 'to', 'limit', 'cursor']);

function fail(key: string, detail: string): never {
  throw new RunLogQueryInvalidError(key, detail);
}

function idFilter(key: string, value: unknown): string | null {
  if (value === undefined) return null;
  if (typeof value !== 'string' || value.length === 0 || value.length > RUN_LOG_ID_MAX || value.includes('\u0000')) {
    fail(key, `must be a non-empty string of at most ${RUN_LOG_ID_MAX} characters, found ${typeof value === 'string' ? `a string of ${value.length}` : typeof value}`);
  }
  return value;
}

function timeFilter(key: string, value: unknown): number | null {
  if (value === undefined) return null;
  const ms = value instanceof Date ? value.getTime() : typeof value === 'number' ? value : typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(ms)) fail(key, `must be epoch milliseconds, a Date or ISO 8601 text like "2026-01-31T09:00:00Z", found ${typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : String(value)}`);
  return ms;
}

function outcomesFilter(value: unknown): readonly RunLogOutcome[] | null {
  if (value === undefined) return null;
  const list: unknown[] = Array.isArray(value) ? value : [value];
  if (list.length === 0) fail('outcome', `must name at least one of ${RUN_LOG_OUTCOMES.join(', ')} (omit it for any outcome)`);
  for (const item of list) {
    if (!RUN_LOG_OUTCOMES.includes(item as RunLogOutcome)) fail('outcome', `must be one or more of ${RUN_LOG_OUTCOMES.join(', ')}, found ${JSON.stringify(item) ?? String(item)}`);
  }
  return [...new Set(list as RunLogOutcome[])];
}

/** Encodes the cursor that starts the page after `record`. */
export function encodeRunLogCursor(timeField: RunLogTimeField, record: RunLogRecord): string {
  return Buffer.from(`v1|${timeField}|${record[timeField]}|${record.runId}`, 'utf8').toString('base64url');
}

/** Decodes a cursor; throws {@link RunLogQueryInvalidError} when it is not one this code made. */
export function decodeRunLogCursor(cursor: unknown): RunLogCursor {
  if (typeof cursor !== 'string' || cursor.length === 0 || cursor.length > 200) fail('cursor', 'must be the nextCursor of a previous page');
  const [version, field, time, runId, ...rest] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const ms = Number(time);
  if (version !== 'v1' || (field !== 'finishedAt' && field !== 'scheduledAt') || !Number.isFinite(ms) || runId === undefined || !RUN_ID_PATTERN.test(runId) || rest.length > 0) {
    fail('cursor', 'is malformed; pass the nextCursor of a previous page unchanged');
  }
  return { timeField: field, time: ms, runId };
}

/**
 * Validates a filter.
 *
 * @throws {@link RunLogQueryInvalidError} naming the key: an unknown key, a wrong type, an unknown
 * outcome, a time that is not a date, `from` not before `to`, a limit outside 1..{@link RUN_LOG_MAX_LIMIT},
 * a malformed cursor or one made for another `timeField`.
 */
export function parseRunLogFilter(filter: RunLogFilter = {}): RunLogQuery {
  if (typeof filter !== 'object' || filter === null || Array.isArray(filter)) fail('filter', 'must be an object');
  for (const key of Object.keys(filter)) {
    if (!KEYS.has(key)) fail(key, `is not a filter key; use ${[...KEYS].join(', ')}`);
  }
  const f = filter as Record<keyof RunLogFilter, unknown>;
  const timeField = f.timeField ?? 'finishedAt';
  if (timeField !== 'finishedAt' && timeField !== 'scheduledAt') fail('timeField', `must be "finishedAt" or "scheduledAt", found ${JSON.stringify(timeField) ?? String(timeField)}`);
  if (f.manual !== undefined && typeof f.manual !== 'boolean') fail('manual', `must be true or false, found ${typeof f.manual}`);
  const limit = f.limit ?? RUN_LOG_DEFAULT_LIMIT;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > RUN_LOG_MAX_LIMIT) {
    fail('limit', `must be a whole number from 1 to ${RUN_LOG_MAX_LIMIT}, found ${String(limit)}`);
  }
  const from = timeFilter('from', f.from);
  const to = timeFilter('to', f.to);
  if (from !== null && to !== null && from >= to) fail('from', `must be before to (from is inclusive, to exclusive), found from ${from} and to ${to}`);
  const after = f.cursor === undefined ? null : decodeRunLogCursor(f.cursor);
  if (after !== null && after.timeField !== timeField) fail('cursor', `was made for timeField "${after.timeField}" but this query uses "${timeField}"; keep the timeField when paging`);
  return {
    jobId: idFilter('jobId', f.jobId),
    owner: idFilter('owner', f.owner),
    outcomes: outcomesFilter(f.outcome),
    manual: f.manual === undefined ? null : (f.manual as boolean),
    timeField,
    from,
    to,
    limit,
    after,
  };
}

/** `true` when `record` matches every condition of `query` (the cursor included). */
export function runLogMatches(query: RunLogQuery, record: RunLogRecord): boolean {
  if (query.jobId !== null && record.jobId !== query.jobId) return false;
  if (query.owner !== null && record.owner !== query.owner) return false;
  if (query.outcomes !== null && !query.outcomes.includes(record.outcome)) return false;
  if (query.manual !== null && record.manual !== query.manual) return false;
  const t = record[query.timeField];
  if (query.from !== null && t < query.from) return false;
  if (query.to !== null && t >= query.to) return false;
  if (query.after !== null && (t > query.after.time || (t === query.after.time && record.runId >= query.after.runId))) return false;
  return true;
}

/** Sort order of query results: newest first by `timeField`, then `runId` descending. */
export function compareNewestFirst(timeField: RunLogTimeField): (a: RunLogRecord, b: RunLogRecord) => number {
  return (a, b) => b[timeField] - a[timeField] || (a.runId < b.runId ? 1 : a.runId > b.runId ? -1 : 0);
}
