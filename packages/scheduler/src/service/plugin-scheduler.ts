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
import type { AddJobOptions, DurationInput, IntervalSpec, TriggerInput } from './job-options.js';
import type { HelperOptions, JobChanges, JobFailure, JobFunction, JobInfo, SchedulerHealth, SchedulerService } from './scheduler-service.js';

/** A plugin-scoped {@link SchedulerService}. */
export class PluginScheduler implements SchedulerService {
  private readonly scope: SchedulerScope;

  constructor(
    private readonly core: Scheduler,
    /** The plugin this view belongs to. */
    readonly plugin: string,
    generation: number,
  ) {
    this.scope = {
      owner: plugin,
      plugin,
      assertLive: () => {
        if (!core.isPluginLive(plugin, generation)) {
          throw new SchedulerPluginStoppedError(`Plugin "${plugin}" has stopped; its scheduler view accepts no new or changed jobs. Register jobs in onStart.`);
        }
      },
    };
  }

  addJob<A extends readonly unknown[] = readonly unknown[]>(fn: JobFunction<A>, options: AddJobOptions & { readonly args?: A }): Promise<JobInfo> {
    return this.core.addJobIn(this.scope, fn as JobFunction, options);
  }
  interval(spec: DurationInput | IntervalSpec, options: HelperOptions): (fn: JobFunction) => Promise<JobInfo> {
    return this.core.helperIn(this.scope, options, { every: spec });
  }
  cron(expression: string, options: HelperOptions): (fn: JobFunction) => Promise<JobInfo> {
    return this.core.helperIn(this.scope, options, { cron: expression });
  }
  register(instance: object): Promise<JobInfo[]> {
    return this.core.registerIn(this.scope, instance);
  }
  removeJob(id: string): Promise<void> {
    return this.core.removeJobIn(this.scope, id);
  }
  pauseJob(id: string): Promise<JobInfo> {
    return this.core.pauseJobIn(this.scope, id);
  }
  resumeJob(id: string): Promise<JobInfo> {
    return this.core.resumeJobIn(this.scope, id);
  }
  modifyJob(id: string, changes: JobChanges): Promise<JobInfo> {
    return this.core.modifyJobIn(this.scope, id, changes);
  }
  rescheduleJob(id: string, trigger: TriggerInput): Promise<JobInfo> {
    return this.core.modifyJobIn(this.scope, id, { trigger });
  }
  getJob(id: string): Promise<JobInfo | undefined> {
    return this.core.getJobIn(this.scope, id);
  }
  jobs(): Promise<JobInfo[]> {
    return this.core.jobsIn(this.scope);
  }
  runJob(id: string): Promise<RunRecord> {
    return this.core.runJobIn(this.scope, id);
  }
  history(id: string, options?: { readonly limit?: number }): Promise<RunRecord[]> {
    return this.core.historyIn(this.scope, id, options);
  }
  on<E extends SchedulerEventName>(event: E, listener: SchedulerListener<E>): () => void {
    return this.core.onIn(this.scope, event, listener);
  }
  onFailure(hook: (failure: JobFailure) => void | Promise<void>): () => void {
    return this.core.onFailureIn(this.scope, hook);
  }
  health(): SchedulerHealth {
    return this.core.health();
  }
}
