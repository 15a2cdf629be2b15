/**
 * The operator view's run query ({@link SchedulerOperatorView.runs}): the durable run log when one
 * is configured, else one job's bounded history, filtered and paged the same way.
 *
 * @remarks
 * Both sources go through the run log's own filter ({@link parseRunLogFilter}), match and order
 * ({@link runLogMatches}, {@link compareNewestFirst}) and keyset cursor, so a client pages the same
 * way whichever answers. The history has no record ids: each record gets one derived from its
 * content (stable while it stays in the ring), and it holds no misfire decisions, error stacks or
 * return values.
 */
import { createHash } from 'node:crypto';
import { JobQueryInvalidError } from '../errors.js';
import type { RunLogRecord } from '../runlog/run-log-record.js';
import type { RunLogFilter, RunLogSink } from '../runlog/run-log-sink.js';
import { compareNewestFirst, encodeRunLogCursor, parseRunLogFilter, runLogMatches } from '../runlog/run-log-query.js';
import type { RunRecord, StoredSchedule, Store } from '../stores/store.js';
import { iso } from './operator-json.js';
import type { LoggedRun, LoggedRunPage } from './operator-types.js';

/** Most history records read for one job (the largest `historyLimit`). */
const MAX_HISTORY = 10_000;

/** What {@link queryRuns} reads from. */
export interface RunQuerySources {
  readonly runLog: RunLogSink | undefined;
  readonly store: Store;
  /** The job's schedule; throws `XCORE_ERR_JOB_NOT_FOUND`. */
  find(id: string): Promise<StoredSchedule>;
}

/** A run-log record as JSON (times as ISO 8601 text). */
export function loggedRun(r: RunLogRecord, source: LoggedRunPage['source']): LoggedRun {
  return {
    runId: source === 'runLog' ? r.runId : null,
    jobId: r.jobId,
    owner: r.owner,
    outcome: r.outcome,
    scheduledAt: iso(r.scheduledAt)!,
    startedAt: iso(r.startedAt),
    finishedAt: iso(r.finishedAt)!,
    durationMs: r.durationMs,
    attempts: r.attempts,
    occurrences: r.occurrences,
    error: r.errorMessage,
    errorStack: r.errorStack,
    manual: r.manual,
    requestedBy: r.requestedBy,
    process: r.process,
    result: r.result,
    resultOmitted: r.resultOmitted,
  };
}

/** A history record as a run-log record, with an id derived from its content (stable across pages). */
function fromHistory(record: RunRecord, owner: string): RunLogRecord {
  const key = [record.jobId, record.scheduledAt, record.startedAt, record.finishedAt, record.status, record.attempts, record.owner ?? '', record.requestId ?? ''].join('\u0000');
  const h = createHash('sha1').update(key).digest('hex');
  const finishedAt = record.finishedAt ?? record.scheduledAt;
  return {
    runId: `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`,
    jobId: record.jobId,
    owner,
    outcome: record.status,
    scheduledAt: record.scheduledAt,
    startedAt: record.startedAt,
    finishedAt,
    durationMs: record.startedAt === null || record.finishedAt === null ? null : Math.max(0, record.finishedAt - record.startedAt),
    attempts: record.attempts,
    occurrences: 1,
    errorMessage: record.error ?? null,
    errorStack: null,
    manual: record.manual === true,
    requestedBy: record.requestedBy ?? null,
    process: record.owner ?? null,
    result: null,
    resultOmitted: null,
  };
}

/**
 * One page of runs matching `filter`, newest first.
 *
 * @throws `XCORE_ERR_RUNLOG_QUERY_INVALID` for a bad filter; `XCORE_ERR_JOB_QUERY_INVALID` when no
 * run log is configured and `jobId` is missing; `XCORE_ERR_JOB_NOT_FOUND` for an unknown job then.
 */
export async function queryRuns(sources: RunQuerySources, filter: RunLogFilter = {}): Promise<LoggedRunPage> {
  if (sources.runLog !== undefined) {
    const page = await sources.runLog.query(filter);
    return { source: 'runLog', items: page.records.map((r) => loggedRun(r, 'runLog')), nextCursor: page.nextCursor };
  }
  const query = parseRunLogFilter(filter);
  if (query.jobId === null) {
    throw new JobQueryInvalidError(
      'Runs can be listed across jobs only from a run log, and none is configured: pass a job id (job=<id>) to read that job\'s bounded history, or set services.scheduler.runLog in xcore.yaml (see @xcore/runlog-postgres).',
    );
  }
  const schedule = await sources.find(query.jobId);
  const history = await sources.store.history(query.jobId, MAX_HISTORY);
  const matching = history.map((r) => fromHistory(r, schedule.definition.owner)).filter((r) => runLogMatches(query, r)).sort(compareNewestFirst(query.timeField));
  const page = matching.slice(0, query.limit);
  const last = page[page.length - 1];
  return {
    source: 'history',
    items: page.map((r) => loggedRun(r, 'history')),
    nextCursor: matching.length > query.limit && last !== undefined ? encodeRunLogCursor(query.timeField, last) : null,
  };
}
