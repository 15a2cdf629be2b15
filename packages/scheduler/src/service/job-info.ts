/**
 * Builds the public {@link JobInfo} view of a stored schedule. Pure.
 *
 * @remarks
 * Never throws, whatever the store holds (a Redis store may hold data an older version or a hand
 * edit wrote): an instant no `Date` can hold is shown as `null` where the field allows it.
 */
import type { RunRecord, StoredSchedule } from '../stores/store.js';
import type { JobInfo, LastRunInfo } from './scheduler-service.js';
import { describeTrigger } from '../triggers/describe-trigger.js';

/** A `Date` for an instant, or `null` when there is none or a Date cannot hold it. */
function dateOrNull(ms: number | null | undefined): Date | null {
  if (typeof ms !== 'number') return null;
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** The public view of one run record. */
export function toLastRunInfo(run: RunRecord): LastRunInfo {
  const base = {
    status: run.status,
    scheduledAt: new Date(run.scheduledAt),
    finishedAt: dateOrNull(run.finishedAt),
    durationMs: run.startedAt === null || run.finishedAt === null ? null : run.finishedAt - run.startedAt,
  };
  return run.error === undefined ? base : { ...base, error: run.error };
}

/** The public view of a stored schedule, given this process's running count and handler presence. */
export function toJobInfo(schedule: StoredSchedule, running: number, attached: boolean): JobInfo {
  const { definition, state } = schedule;
  return {
    id: definition.id,
    owner: definition.owner,
    trigger: describeTrigger(definition.trigger),
    nextRunAt: dateOrNull(state.nextRunAt),
    lastRun: state.lastRun === null || state.lastRun === undefined ? null : toLastRunInfo(state.lastRun),
    paused: state.paused,
    running,
    attached,
  };
}
