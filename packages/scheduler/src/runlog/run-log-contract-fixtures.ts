/**
 * Record builders and read helpers shared by the parts of the RunLogSink contract suite.
 */
import { expect } from 'vitest';
import type { RunRecord } from '../stores/store.js';
import type { RunLogOutcome, RunLogRecord } from './run-log-record.js';
import type { RunLogFilter, RunLogSink, RunLogTimeField } from './run-log-sink.js';
import { newRunLogId, toRunLogRecord, type RunLogInput } from './to-run-log-record.js';

/** 2026-01-01T00:00:00Z: every contract record lies in the hour after it. */
export const T0 = Date.UTC(2026, 0, 1);

/** What {@link logged} takes: the outcome and times, plus any {@link RunLogInput} field. */
export interface LoggedOptions extends Partial<Omit<RunLogInput, 'record'>> {
  readonly jobId?: string;
  readonly outcome?: RunLogOutcome;
  /** Seconds after {@link T0} the run finished. @defaultValue `0` */
  readonly at?: number;
  /** Seconds after {@link T0} of the occurrence. @defaultValue `at - 1` */
  readonly scheduled?: number;
  readonly manual?: boolean;
  readonly process?: string;
}

/** A record built the way the scheduler builds one (through {@link toRunLogRecord}). */
export function logged(options: LoggedOptions = {}): RunLogRecord {
  const outcome = options.outcome ?? 'succeeded';
  const finishedAt = T0 + (options.at ?? 0) * 1000;
  const scheduledAt = T0 + (options.scheduled ?? (options.at ?? 0) - 1) * 1000;
  const started = outcome !== 'skipped' && outcome !== 'missed';
  const record: RunRecord = {
    jobId: options.jobId ?? 'billing:invoice',
    scheduledAt,
    startedAt: started ? Math.min(finishedAt, scheduledAt + 10) : null,
    finishedAt: started ? finishedAt : null,
    status: outcome,
    attempts: started ? 1 : 0,
    owner: options.process ?? 'host-a:101:x1',
    ...(options.manual === true ? { manual: true } : {}),
  };
  const { jobOwner, at: _at, scheduled: _s, outcome: _o, jobId: _j, manual: _m, process: _p, ...rest } = options;
  return toRunLogRecord({
    record,
    jobOwner: jobOwner ?? (record.jobId.includes(':') ? record.jobId.split(':')[0]! : 'config'),
    decidedAt: finishedAt,
    runId: options.runId ?? newRunLogId(finishedAt),
    ...rest,
  });
}

/** Writes records, flushes, and checks the flush completed. */
export async function writeAll(sink: RunLogSink, records: readonly RunLogRecord[]): Promise<void> {
  for (const r of records) sink.write(r);
  expect(await sink.flush({ timeoutMs: 15_000 })).toBe(true);
}

/** Every record matching `filter`, following `nextCursor` page by page. */
export async function readAll(sink: RunLogSink, filter: RunLogFilter = {}): Promise<RunLogRecord[]> {
  const out: RunLogRecord[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 10_000; page++) {
    const result = await sink.query({ ...filter, ...(cursor === undefined ? {} : { cursor }) });
    out.push(...result.records);
    if (result.nextCursor === null) return out;
    cursor = result.nextCursor;
  }
  throw new Error('readAll: more than 10000 pages');
}

/** The contract's order, written independently of the sinks: `field` descending, then `runId` descending. */
export function newestFirst(records: readonly RunLogRecord[], field: RunLogTimeField = 'finishedAt'): RunLogRecord[] {
  return [...records].sort((a, b) => {
    if (a[field] !== b[field]) return a[field] > b[field] ? -1 : 1;
    return a.runId === b.runId ? 0 : a.runId > b.runId ? -1 : 1;
  });
}

/** The run ids of records, for compact comparisons. */
export function ids(records: readonly RunLogRecord[]): string[] {
  return records.map((r) => r.runId);
}
