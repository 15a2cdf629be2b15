/**
 * What the package's own parts use of a {@link Scheduler} beyond its public API: the job
 * operations for a scope (a plugin's view, the YAML config) and plugin lifetimes.
 *
 * @remarks
 * Kept off the `Scheduler` class (and out of the package's exports) so its public surface is
 * what users call: a plugin view and the service definition reach these through
 * {@link internalsOf}.
 */
import type { SchedulerEventName, SchedulerListener } from '../events/scheduler-events.js';
import type { AddJobOptions } from './job-options.js';
import type { JobRegistry } from './job-registry.js';
import type { PluginScopes, SchedulerScope } from './scheduler-scope.js';
import type { HelperOptions, JobFailure, JobFunction, JobInfo } from './scheduler-service.js';

/** The scoped side of a scheduler. */
export interface SchedulerInternals {
  /** Job operations on behalf of a scope. */
  readonly jobs: JobRegistry;
  /** Lifetimes of plugin views (generations, stopped plugins, their subscriptions). */
  readonly plugins: PluginScopes;
  /**
   * The `interval(...)` / `cron(...)` helpers for `scope`: `(fn) => addJob(fn, { ...options, ...trigger })`;
   * options that cannot even be copied (a throwing getter) reject like any other bad option.
   */
  helper(scope: SchedulerScope, options: HelperOptions, trigger: Pick<AddJobOptions, 'every' | 'cron'>): (fn: JobFunction) => Promise<JobInfo>;
  /** Subscribes for `scope`: a plugin only gets its own jobs' events (and scheduler health events). */
  on<E extends SchedulerEventName>(scope: SchedulerScope, event: E, listener: SchedulerListener<E>): () => void;
  /** A failure hook for `scope`: a plugin only hears about its own jobs. */
  onFailure(scope: SchedulerScope, hook: (failure: JobFailure) => void | Promise<void>): () => void;
}

const byScheduler = new WeakMap<object, SchedulerInternals>();

/** Records the internals of `scheduler` (its constructor calls this once). */
export function setInternals(scheduler: object, internals: SchedulerInternals): void {
  byScheduler.set(scheduler, internals);
}

/**
 * The internals of a scheduler built by this package.
 *
 * @throws `TypeError` for any other object (a plugin view, a foreign implementation).
 */
export function internalsOf(scheduler: object): SchedulerInternals {
  const internals = byScheduler.get(scheduler);
  if (internals === undefined) throw new TypeError('expected a Scheduler built by @xcore/scheduler (not a plugin view or another implementation)');
  return internals;
}
