/**
 * Builds the public {@link JobInfo} view of a stored schedule. Pure.
 */
import type { RunRecord, StoredSchedule } from '../stores/store.js';
import type { JobInfo, LastRunInfo } from './scheduler-service.js';
import { describeTrigger } from '../triggers/describe-trigger.js';

/** The public view of one run record. */
export function toLastRunInfo(run: RunRecord): LastRunInfo {
  const base = {
    status: run.status,
    scheduledAt: new Date(run.scheduledAt),
    finishedAt: run.finishedAt === null ? null : new Date(run.finishedAt),
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
    nextRunAt: state.nextRunAt === null ? null : new Date(state.nextRunAt),
    lastRun: state.lastRun === null ? null : toLastRunInfo(state.lastRun),
    paused: state.paused,
    running,
    attached,
  };
}
