/**
 * The view of the scheduler one plugin gets from `ctx.getService('scheduler')`.
 *
 * @remarks
 * Ownership rules:
 * - ids are namespaced: `addJob(fn, { id: 'sync' })` in plugin `billing` creates `billing:sync`;
 *   every method accepts the local id (`sync`) or the qualified one (`billing:sync`);
 * - the view lists and controls only the plugin's own jobs: another plugin's id is
 *   `XCORE_ERR_JOB_NOT_FOUND` (use the app-level service to see everything);
 * - events and failure hooks subscribed through the view only deliver the plugin's own jobs
 *   (plus `scheduler.*` health events), and are unsubscribed when the plugin stops;
 * - once the plugin stopped, the view refuses changes with `XCORE_ERR_SCHEDULER_PLUGIN_STOPPED`
 *   (reads still work); a restarted plugin gets a fresh view and re-registers its jobs, which
 *   keeps their phase (idempotent upsert).
 */
import type { RunRecord } from '../stores/store.js';
import type { SchedulerEventName, SchedulerListener } from '../events/scheduler-events.js';
import { SchedulerPluginStoppedError } from '../errors.js';
import type { Scheduler } from './scheduler.js';
import type { SchedulerScope } from './scheduler-scope.js';
import { internalsOf, type SchedulerInternals } from './scheduler-internals.js';
import type { AddJobOptions, DurationInput, IntervalSpec, ModuleJobOptions, TriggerInput } from './job-options.js';
import type { HelperOptions, JobChanges, JobFailure, JobFunction, JobInfo, SchedulerHealth, SchedulerService } from './scheduler-service.js';

/** A plugin-scoped {@link SchedulerService}. */
export class PluginScheduler implements SchedulerService {
  private readonly scope: SchedulerScope;
  private readonly internals: SchedulerInternals;

  /**
   * @param core - the root scheduler.
   * @param plugin - the plugin this view belongs to.
   */
  constructor(
    private readonly core: Scheduler,
    /** The plugin this view belongs to. */
    readonly plugin: string,
  ) {
    const internals = internalsOf(core);
    const generation = internals.plugins.attach(plugin);
    this.internals = internals;
    this.scope = {
      owner: plugin,
      plugin,
      assertLive: () => {
        if (!internals.plugins.isLive(plugin, generation)) {
          throw new SchedulerPluginStoppedError(`Plugin "${plugin}" has stopped; its scheduler view accepts no new or changed jobs. Register jobs in onStart.`);
        }
      },
    };
  }

  addJob<A extends readonly unknown[] = readonly unknown[]>(fn: JobFunction<A>, options: AddJobOptions & { readonly args?: A }): Promise<JobInfo>;
  addJob(options: ModuleJobOptions): Promise<JobInfo>;
  addJob(fnOrOptions: JobFunction | ModuleJobOptions, options?: AddJobOptions): Promise<JobInfo> {
    return options === undefined && typeof fnOrOptions === 'object' && fnOrOptions !== null
      ? this.internals.jobs.add(this.scope, undefined, fnOrOptions)
      : this.internals.jobs.add(this.scope, fnOrOptions as JobFunction, options as AddJobOptions);
  }
  interval(spec: DurationInput | IntervalSpec, options: HelperOptions): (fn: JobFunction) => Promise<JobInfo> {
    return this.internals.helper(this.scope, options, { every: spec });
  }
  cron(expression: string, options: HelperOptions): (fn: JobFunction) => Promise<JobInfo> {
    return this.internals.helper(this.scope, options, { cron: expression });
  }
  register(instance: object): Promise<JobInfo[]> {
    return this.internals.jobs.register(this.scope, instance);
  }
  removeJob(id: string): Promise<void> {
    return this.internals.jobs.remove(this.scope, id);
  }
  pauseJob(id: string): Promise<JobInfo> {
    return this.internals.jobs.pause(this.scope, id);
  }
  resumeJob(id: string): Promise<JobInfo> {
    return this.internals.jobs.resume(this.scope, id);
  }
  modifyJob(id: string, changes: JobChanges): Promise<JobInfo> {
    return this.internals.jobs.modify(this.scope, id, changes);
  }
  rescheduleJob(id: string, trigger: TriggerInput): Promise<JobInfo> {
    return this.internals.jobs.modify(this.scope, id, { trigger });
  }
  getJob(id: string): Promise<JobInfo | undefined> {
    return this.internals.jobs.get(this.scope, id);
  }
  jobs(): Promise<JobInfo[]> {
    return this.internals.jobs.list(this.scope);
  }
  runJob(id: string): Promise<RunRecord> {
    return this.internals.jobs.run(this.scope, id);
  }
  history(id: string, options?: { readonly limit?: number }): Promise<RunRecord[]> {
    return this.internals.jobs.history(this.scope, id, options);
  }
  on<E extends SchedulerEventName>(event: E, listener: SchedulerListener<E>): () => void {
    return this.internals.on(this.scope, event, listener);
  }
  onFailure(hook: (failure: JobFailure) => void | Promise<void>): () => void {
    return this.internals.onFailure(this.scope, hook);
  }
  health(): SchedulerHealth {
    return this.core.health();
  }
}
