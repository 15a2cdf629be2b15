/**
 * The operator view's JSON: stored schedules, run records, triggers and scheduler events as plain
 * JSON values, and the opaque paging cursors. Pure, no I/O.
 */
import { JobQueryInvalidError } from '../errors.js';
import type { RunRecord, StoredSchedule } from '../stores/store.js';
import { describeTrigger } from '../triggers/describe-trigger.js';
import type { TriggerSpec } from '../triggers/trigger.js';
import type { OperatorEvent, OperatorJob, OperatorJobDetail, OperatorRun, RunningScope, TriggerJson } from './operator-types.js';

/** ISO 8601 text of epoch ms, or `null`; an instant outside the Date range is shown as its number. */
export function iso(ms: number | null | undefined): string | null {
  if (ms === null || ms === undefined) return null;
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? String(ms) : date.toISOString();
}

/** A stored trigger in the shape a YAML `trigger` takes. */
export function triggerJson(spec: TriggerSpec): TriggerJson {
  if (spec.type === 'date') return { type: 'date', runDate: iso(spec.runDate)! };
  const bounds = {
    ...(spec.startDate === undefined ? {} : { startDate: iso(spec.startDate)! }),
    ...(spec.endDate === undefined ? {} : { endDate: iso(spec.endDate)! }),
    ...(spec.maxRuns === undefined ? {} : { maxRuns: spec.maxRuns }),
  };
  if (spec.type === 'interval') return { type: 'interval', milliseconds: spec.everyMs, ...bounds };
  return { type: 'cron', expression: spec.expression, timezone: spec.timezone, ...bounds };
}

/** A run record as JSON. */
export function operatorRun(run: RunRecord): OperatorRun {
  return {
    status: run.status,
    scheduledAt: iso(run.scheduledAt)!,
    startedAt: iso(run.startedAt),
    finishedAt: iso(run.finishedAt),
    durationMs: run.startedAt === null || run.finishedAt === null ? null : run.finishedAt - run.startedAt,
    attempts: run.attempts,
    ...(run.error === undefined ? {} : { error: run.error }),
    ...(run.owner === undefined ? {} : { owner: run.owner }),
    ...(run.manual === undefined ? {} : { manual: run.manual }),
    ...(run.requestedBy === undefined ? {} : { requestedBy: run.requestedBy }),
    ...(run.requestId === undefined ? {} : { requestId: run.requestId }),
  };
}

/** What this process knows about a job besides the store: runs in progress, handler, holders. */
export interface JobPresence {
  readonly running: number;
  readonly runningScope: RunningScope;
  readonly attached: boolean;
  readonly heldBy: readonly string[];
}

/** A stored schedule as a listed job. */
export function operatorJob(schedule: StoredSchedule, presence: JobPresence): OperatorJob {
  const { definition, state } = schedule;
  return {
    id: definition.id,
    owner: definition.owner,
    trigger: describeTrigger(definition.trigger),
    triggerSpec: triggerJson(definition.trigger),
    nextRunAt: iso(state.nextRunAt),
    lastRun: state.lastRun === null ? null : operatorRun(state.lastRun),
    paused: state.paused,
    ...presence,
    removable: definition.removable === true,
  };
}

/** A stored schedule with its policy, args and bookkeeping. */
export function operatorJobDetail(schedule: StoredSchedule, presence: JobPresence): OperatorJobDetail {
  const { definition, state } = schedule;
  return {
    ...operatorJob(schedule, presence),
    policy: { ...definition.policy },
    args: definition.args,
    runs: state.runs,
    createdAt: iso(state.createdAt)!,
    updatedAt: iso(state.updatedAt)!,
  };
}

/** A value as JSON: dates as ISO text, errors as their message, anything unserialisable as text. */
function jsonValue(value: unknown): unknown {
  if (value instanceof Date) return iso(value.getTime());
  if (value instanceof Error) return { name: value.name, message: value.message, ...('code' in value ? { code: String(value.code) } : {}) };
  if (value === undefined || value === null || typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
  try {
    return JSON.parse(JSON.stringify(value)) as unknown;
  } catch {
    return String(value);
  }
}

/** A scheduler event (`job.paused`, `scheduler.degraded`, ...) as an {@link OperatorEvent}. */
export function operatorEvent(type: string, payload: object, time: number): OperatorEvent {
  const { jobId, owner, ...rest } = payload as { jobId?: unknown; owner?: unknown } & Record<string, unknown>;
  const data: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(rest)) {
    if (key === 'record' && value !== null && typeof value === 'object') data[key] = operatorRun(value as RunRecord);
    else if (key === 'error') data[key] = value instanceof Error ? value.message : jsonValue(value);
    else data[key] = jsonValue(value);
  }
  return {
    type,
    time: iso(time)!,
    ...(typeof jobId === 'string' ? { jobId } : {}),
    ...(typeof owner === 'string' ? { owner } : {}),
    data,
  };
}

/** An opaque cursor holding `value` (base64url JSON with a version tag). */
export function encodeCursor(kind: 'jobs' | 'runs', value: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify({ ...value, v: 1, t: kind }), 'utf8').toString('base64url');
}

/**
 * The value of a cursor made by {@link encodeCursor} for `kind`.
 *
 * @throws `XCORE_ERR_JOB_QUERY_INVALID` for anything else.
 */
export function decodeCursor(kind: 'jobs' | 'runs', cursor: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = /^[A-Za-z0-9_-]{1,4096}$/.test(cursor) ? JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) : undefined;
  } catch {
    value = undefined;
  }
  const tagged = value as { v?: unknown; t?: unknown } | undefined;
  if (tagged === null || typeof tagged !== 'object' || tagged.v !== 1 || tagged.t !== kind) {
    throw new JobQueryInvalidError(`The cursor "${cursor.length > 60 ? `${cursor.slice(0, 60)}...` : cursor}" was not issued by this ${kind === 'jobs' ? 'job listing' : 'history'}. Pass the nextCursor of the previous page, or none for the first page.`);
  }
  return tagged as Record<string, unknown>;
}
