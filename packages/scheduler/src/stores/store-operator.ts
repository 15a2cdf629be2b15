/**
 * The parts of the Store contract the operator view needs: paged listing by id, run requests (a
 * run asked for by an operator, taken by exactly one process that has the job's handler), and the
 * presence of the processes sharing the store.
 *
 * @remarks
 * The methods are declared on `Store` (`store.ts`); their inputs and outputs live here. Times are
 * epoch ms on the store's clock.
 */
import type { RunRecord, StoredSchedule } from './store.js';

/** How long a store keeps a finished or expired run request readable ({@link Store.runRequest}). */
export const RUN_REQUEST_RETENTION_MS = 3_600_000;

/** What {@link Store.listPage} keeps; every field optional, fields combine with AND. */
export interface ScheduleFilter {
  /** Only schedules of this owner (a plugin name, `config` or `app`). */
  readonly owner?: string;
  /** Only paused (`true`) or unpaused (`false`) schedules. */
  readonly paused?: boolean;
  /** Only schedules whose last run failed or timed out (`true`), or whose last run did not (`false`, never run included). */
  readonly failing?: boolean;
  /** Only schedules with (`true`) or without (`false`, trigger exhausted) a next run. */
  readonly hasNext?: boolean;
  /** Only ids containing this text (case-sensitive; a prefix is a substring too). */
  readonly idContains?: string;
}

/** One schedule of a {@link SchedulePage}. */
export interface PagedSchedule extends StoredSchedule {
  /**
   * Runs of it in progress in every process sharing the store (its counted run slots), when the
   * store counts them; `undefined` for a process-local store, where the scheduler counts them.
   */
  readonly running?: number;
}

/** What {@link Store.listPage} returns. */
export interface SchedulePage {
  /** Matching schedules, in id order (by code point, which is UTF-8 byte order). */
  readonly items: readonly PagedSchedule[];
  /**
   * The id to pass as `after` to continue, or `null` once every id was examined.
   *
   * @remarks
   * A store may stop before `limit` items after examining a bounded number of ids (so one call
   * never blocks a shared store for long): `next` is then the last id examined. A caller wanting
   * `limit` items calls again from `next` until it has them or `next` is `null`.
   */
  readonly next: string | null;
}

/** What {@link Store.countSchedules} returns: counts over one range of ids. */
export interface ScheduleCounts {
  readonly schedules: number;
  readonly paused: number;
  /** Schedules whose last run failed or timed out. */
  readonly failing: number;
  /** Runs in progress in every process (counted run slots); `undefined` for a process-local store. */
  readonly running?: number;
  /** Where to continue (`after` of the next call), or `null` once every id was counted. */
  readonly next: string | null;
}

/** A run asked for outside the schedule (an operator's run-now), as the store keeps it. */
export interface RunRequest {
  /** Unique id of the request (a UUID), also recorded on the run's record. */
  readonly requestId: string;
  readonly jobId: string;
  /** Arguments of this run, replacing the job's own; absent: the job's `args`. */
  readonly args?: readonly unknown[];
  /** Who asked (the authenticated principal, e.g. `token:ops`). */
  readonly requestedBy: string;
  /** When it was asked (store clock). */
  readonly requestedAt: number;
  /** After this instant (store clock) no process takes it: it becomes `expired`. */
  readonly expiresAt: number;
}

/** Where a run request is: waiting, taken by a process and running, finished with its record, or expired untaken. */
export type RunRequestStatus = 'pending' | 'running' | 'finished' | 'expired';

/** A run request and what became of it. */
export interface RunRequestState {
  readonly request: RunRequest;
  readonly status: RunRequestStatus;
  /** The process that took it (`running`, `finished`). */
  readonly takenBy?: string;
  /** When it was taken (store clock). */
  readonly takenAt?: number;
  /** The run's record (`finished`). */
  readonly record?: RunRecord;
}

/** Input of {@link Store.requestRun}: the store stamps `requestedAt` and `expiresAt` with its clock. */
export interface RunRequestInput {
  readonly requestId: string;
  readonly jobId: string;
  readonly args?: readonly unknown[];
  readonly requestedBy: string;
  /** How long a process may take it, ms (>= 1). */
  readonly ttlMs: number;
}

/** What a process announces about itself while it shares the store. */
export interface ProcessInfo {
  /** Host name. */
  readonly host: string;
  readonly pid: number;
  /** When it started firing (epoch ms, its own clock). */
  readonly since: number;
  /** Plugins it holds jobs of (a job held when its plugin is here). */
  readonly plugins: readonly string[];
  /** Ids of the jobs it holds whose owner is not a plugin (YAML and app jobs), at most 1,000. */
  readonly jobs: readonly string[];
  /** True when it holds more non-plugin jobs than `jobs` lists. */
  readonly jobsTruncated: boolean;
}

/** A live process sharing the store, as {@link Store.processes} lists it. */
export interface ProcessPresence {
  /** Its owner id in claims and slots. */
  readonly owner: string;
  /** When its presence lapses unless renewed (store clock). */
  readonly expiresAt: number;
  readonly info: ProcessInfo;
}
