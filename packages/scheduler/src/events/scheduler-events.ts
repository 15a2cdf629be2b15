/**
 * Typed scheduler events and the small emitter that delivers them.
 *
 * @remarks
 * Every job event carries `jobId` and `owner` so a plugin's view can deliver only its own jobs'
 * events. Delivery is synchronous; a listener that throws is logged and never breaks a run.
 */
import type { Logger } from 'pino';
import type { RunRecord } from '../stores/store.js';
import { logError } from '../executors/error-message.js';

/** Payload shared by every job event. */
export interface JobEventBase {
  /** Fully qualified job id. */
  readonly jobId: string;
  /** The job's owner: a plugin name, `config` or `app`. */
  readonly owner: string;
}

/** A run's start. */
export interface JobStartedEvent extends JobEventBase {
  readonly scheduledAt: Date;
  readonly attempt: number;
}

/** A finished run (succeeded, failed, timed out or aborted). */
export interface JobRunEvent extends JobEventBase {
  readonly scheduledAt: Date;
  readonly record: RunRecord;
  /** The thrown value, for failed and timed-out runs. */
  readonly error?: unknown;
}

/**
 * Occurrences the misfire/coalesce policy dropped at one claim: how many, and which.
 *
 * @remarks
 * `first` and `last` are the oldest and newest dropped occurrence; every dropped one lies
 * between them, though not every occurrence between them was dropped (`coalesce: earliest` runs
 * the first on-time one of a backlog and drops the later ones). For a cron backlog of more than
 * 10,000 occurrences `count` is estimated; `first` and `last` are exact.
 */
export interface JobMissedEvent extends JobEventBase {
  /** How many occurrences were dropped. */
  readonly count: number;
  /** The oldest dropped occurrence. */
  readonly first: Date;
  /** The newest dropped occurrence. */
  readonly last: Date;
  /** The schedule's next fire time after this claim, or `null` when it is exhausted. */
  readonly nextRunAt: Date | null;
}

/** The map of scheduler event names to payloads. */
export interface SchedulerEvents {
  'job.added': JobEventBase;
  'job.removed': JobEventBase;
  'job.modified': JobEventBase;
  'job.paused': JobEventBase;
  'job.resumed': JobEventBase;
  'job.started': JobStartedEvent;
  'job.succeeded': JobRunEvent;
  /** The run failed after its last retry. */
  'job.failed': JobRunEvent;
  /** The run's last attempt timed out. */
  'job.timed_out': JobRunEvent;
  /** The run was aborted by shutdown or by its plugin stopping. */
  'job.aborted': JobRunEvent;
  /** Occurrences dropped by the misfire/coalesce policy (e.g. after downtime). */
  'job.missed': JobMissedEvent;
  /** An occurrence not run because `maxInstances` runs were in progress (`overlap: skip`). */
  'job.skipped': JobEventBase & { readonly scheduledAt: Date; readonly reason: 'max_instances' };
  /** An occurrence has not started within its grace of being due (nothing fired it); once per occurrence. */
  'job.overdue': JobEventBase & { readonly dueAt: Date; readonly lateMs: number; readonly graceMs: number };
  /** A run of this process is running past its configured or learned bound; once per run. */
  'job.stuck': JobEventBase & { readonly scheduledAt: Date; readonly runningMs: number; readonly boundMs: number; readonly bound: 'configured' | 'learned' };
  /** The store failed; the scheduler keeps retrying with backoff. */
  'scheduler.degraded': { readonly reason: string; readonly error: unknown };
  /** The store answers again after a degraded period. */
  'scheduler.recovered': { readonly degradedForMs: number };
}

/** A scheduler event name. */
export type SchedulerEventName = keyof SchedulerEvents;

/** A listener of one scheduler event. */
export type SchedulerListener<E extends SchedulerEventName> = (payload: SchedulerEvents[E]) => void;

/**
 * Synchronous typed emitter for {@link SchedulerEvents}.
 *
 * @remarks
 * `has(event)` lets hot paths skip building payloads nobody listens to.
 */
export class SchedulerEmitter {
  private readonly listeners = new Map<SchedulerEventName, Set<(payload: never) => void>>();

  constructor(private readonly logger: Logger) {}

  /** Subscribes; returns the unsubscribe function. */
  on<E extends SchedulerEventName>(event: E, listener: SchedulerListener<E>): () => void {
    let set = this.listeners.get(event);
    if (set === undefined) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(listener as (payload: never) => void);
    return () => {
      set.delete(listener as (payload: never) => void);
      if (set.size === 0) this.listeners.delete(event);
    };
  }

  /** True when someone listens to `event`. */
  has(event: SchedulerEventName): boolean {
    return this.listeners.has(event);
  }

  /** Delivers `payload` to each listener; a throwing listener is logged and skipped. */
  emit<E extends SchedulerEventName>(event: E, payload: SchedulerEvents[E]): void {
    const set = this.listeners.get(event);
    if (set === undefined) return;
    for (const listener of [...set]) {
      try {
        (listener as SchedulerListener<E>)(payload);
      } catch (err) {
        logError(this.logger, 'error', { event }, err, 'scheduler event listener threw');
      }
    }
  }
}
