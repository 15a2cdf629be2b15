/**
 * How the CLI's human output shows the admin API's values: instants in UTC, durations, a job's
 * state, a run's status with its colour. Pure: no I/O.
 */
import type { Cell, CellStyle } from './table.js';

/** Minimal shape of a job for {@link jobState}. */
interface JobLike {
  readonly paused: boolean;
  readonly running: number;
  readonly nextRunAt: string | null;
}

/** An ISO instant as `2026-12-06 17:03:00` (UTC, seconds); `-` for none. */
export function utc(iso: string | null | undefined): string {
  if (iso === null || iso === undefined) return '-';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toISOString().slice(0, 19).replace('T', ' ');
}

/** A duration in ms as `850ms`, `12.3s`, `4m 05s`, `2h 10m`; `-` for none. */
export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '-';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.round(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/**
 * The state a job is in, in the words of the admin API's `state` filter: `paused`, `running`
 * (a run in progress), `done` (its trigger is exhausted) or `scheduled`.
 */
export function jobState(job: JobLike): string {
  if (job.paused) return 'paused';
  if (job.running > 0) return 'running';
  if (job.nextRunAt === null) return 'done';
  return 'scheduled';
}

const STATE_STYLE: Readonly<Record<string, CellStyle>> = { paused: 'yellow', running: 'green', done: 'dim' };

/** {@link jobState} as a cell. */
export function jobStateCell(job: JobLike): Cell {
  const state = jobState(job);
  return { text: job.running > 0 && !job.paused ? `running (${job.running})` : state, style: STATE_STYLE[state] };
}

const STATUS_STYLE: Readonly<Record<string, CellStyle>> = { succeeded: 'green', failed: 'red', timed_out: 'red', aborted: 'red', missed: 'yellow', skipped: 'yellow', expired: 'red' };

/** A run status (or run request status) as a cell. */
export function statusCell(status: string | undefined, detail?: string): Cell {
  if (status === undefined) return '-';
  return { text: detail === undefined ? status : `${status} ${detail}`, style: STATUS_STYLE[status] };
}

/** A plugin state as a cell. */
export function pluginStateCell(state: string): Cell {
  return { text: state, style: state === 'started' ? 'green' : state === 'failed' ? 'red' : 'yellow' };
}
