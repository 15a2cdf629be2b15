/**
 * The job registry: adds, changes, reads and removes jobs on behalf of a scope (the app, the YAML
 * config or a plugin view), keeping this process's handler of each job beside its stored schedule.
 *
 * @remarks
 * Options become a frozen schedule definition (trigger, interned policy, args) upserted into the
 * store; the handler stays in this process. A plugin scope sees and changes only its own jobs,
 * another's id is not found. Every change wakes the runner and emits its `job.*` event.
 */
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bindOrigin } from '@xcore/core';
import { createJobModuleLoader, importJobExport } from '../config/yaml-jobs.js';
import type { ScheduleDefinition, RunRecord, Store, StoredSchedule } from '../stores/store.js';
import { scheduleHash } from '../stores/schedule-hash.js';
import { nextFireTime } from '../triggers/next-fire-time.js';
import type { RunDispatcher } from '../runner/run-dispatcher.js';
import type { LocalJob } from '../runner/run.js';
import type { SchedulerEmitter } from '../events/scheduler-events.js';
import { XcoreError } from '@xcore/core';
import { JobConflictError, JobExecutorInvalidError, JobInvalidError, JobNotFoundError, SchedulerInternalError, SchedulerStoppedError } from '../errors.js';
import { scheduledMethods } from '../decorators/decorators.js';
import { errorMessage } from '../executors/error-message.js';
import {
  firstRunAt, freezeArgs, fromPolicy, internPolicy, resolveDefaults, toTriggerSpec, validateTrigger, type AddJobOptions, type ParsedPolicy, type ResolvedDefaults,
} from './job-options.js';
import { parseAddJobOptions, parseHistoryLimit, parseJobChanges, type ParsedAddJobOptions } from './parse-options.js';
import type { ExecutorSet } from '../executors/executor-set.js';
import type { ExecutorName, ModuleTarget } from '../executors/executor.js';
import { assertCloneable, resolveModuleUrl } from '../executors/module-target.js';
import type { TriggerSpec } from '../triggers/trigger.js';
import { toJobInfo } from './job-info.js';
import { inScope, qualifyId, type SchedulerScope } from './scheduler-scope.js';
import type { JobChanges, JobFunction, JobInfo } from './scheduler-service.js';

/** Shared state and callbacks the {@link JobRegistry} works with (owned by the scheduler). */
export interface JobRegistryDeps {
  readonly store: Store;
  /** IANA timezone of cron jobs that name none. */
  readonly timezone: string;
  /** Policy defaults of every job. */
  readonly defaults: ResolvedDefaults;
  /** Handlers registered in this process, by job id (shared with the runner and the run path). */
  readonly handlers: Map<string, LocalJob>;
  /** Ids the runner leaves for other processes (no handler here). */
  readonly unhandled: Set<string>;
  readonly emitter: SchedulerEmitter;
  readonly runs: RunDispatcher;
  /** The executors jobs run on. */
  readonly executors: ExecutorSet;
  /** The executor of a job addressed by module that names none (`defaults.executor`). */
  readonly defaultExecutor: ExecutorName;
  /** Wakes the runner to re-read due times. */
  wake(): void;
  /** Store clock minus local clock, ms. */
  skew(): number;
  isStopping(): boolean;
}

/**
 * Registers and controls jobs for a scope.
 *
 * @example
 * ```ts
 * const jobs = new JobRegistry(deps);
 * await jobs.add({ owner: 'app' }, () => undefined, { id: 'tick', every: '1s' });
 * await jobs.pause({ owner: 'app' }, 'tick');
 * ```
 */
export class JobRegistry {
  /** Ids being added right now (a second add of the same id is a conflict). */
  private readonly pending = new Set<string>();

  constructor(private readonly deps: JobRegistryDeps) {}

  /** Registers a job for `scope`. */
  async add(scope: SchedulerScope, fn: JobFunction | undefined, options: AddJobOptions): Promise<JobInfo> {
    this.assertOpen(scope);
    const parsed = parseAddJobOptions(options, (raw) => qualifyId(scope, raw));
    const id = qualifyId(scope, parsed.id);
    // A function job needs nothing awaited (one promise and turn less per registration).
    const runs = parsed.module === undefined ? this.functionHandler(id, fn, parsed) : await this.handlerOf(id, fn, parsed);
    const { store, handlers } = this.deps;
    const replace = parsed.replaceExisting === true;
    const existing = handlers.get(id);
    if ((existing !== undefined || this.pending.has(id)) && !replace) {
      throw new JobConflictError(`Job "${id}" is already registered in this process (owner "${existing?.owner ?? scope.owner}"); nothing was changed. Use another id or pass replaceExisting: true.`);
    }
    const { definition, hash, resolved } = this.define(id, scope.owner, this.deps.defaults, parsed, () => toTriggerSpec(parsed, this.deps.timezone), parsed.args, parsed.removable === true);
    const trigger = definition.trigger;
    this.pending.add(id);
    try {
      const now = await store.now();
      const phase = defaultAnchor(trigger, now);
      const result = await store.upsert({
        definition, hash, nextRunAt: firstRunAt(trigger, now, phase, 0), anchor: phase, replaceExisting: replace,
      });
      if (result.status === 'conflict') {
        throw new JobConflictError(`Job "${id}" is registered by "${result.existingOwner}"; nothing was changed. Use another id or pass replaceExisting: true.`);
      }
      let schedule = result.schedule;
      if (result.status === 'updated') schedule = await this.realignPhase(schedule, now, phase);
      const current = handlers.get(id);
      const anchor = schedule.state.anchor;
      // With origin tracking on (the xcore command), what a run starts is attributed to the job.
      const run = bindOrigin(scope.plugin === undefined ? { job: id } : { plugin: scope.plugin, job: id }, runs.fn);
      if (current === undefined) {
        handlers.set(id, { fn: run, executor: runs.executor, target: runs.target, owner: scope.owner, historyLimit: resolved.historyLimit, definition, anchor, running: 0, attached: true, learnedRuns: 0, longRuns: null });
      } else {
        // Replaced: keep the object so runs in progress keep counting against maxInstances.
        current.fn = run;
        current.executor = runs.executor;
        current.target = runs.target;
        current.owner = scope.owner;
        current.historyLimit = resolved.historyLimit;
        current.definition = definition;
        current.anchor = anchor;
      }
      this.deps.unhandled.delete(id);
      this.deps.wake();
      this.emitJob('job.added', definition);
      return toJobInfo(schedule, handlers.get(id)?.running ?? 0, true);
    } finally {
      this.pending.delete(id);
    }
  }

  /**
   * What runs the job: its function inline, or a module's export on its executor (imported in a
   * worker to check it, with `args` checked to survive structured cloning).
   */
  private async handlerOf(id: string, fn: JobFunction | undefined, parsed: ParsedAddJobOptions): Promise<Pick<LocalJob, 'fn' | 'executor' | 'target'>> {
    const { executors } = this.deps;
    if (parsed.module === undefined) return this.functionHandler(id, fn, parsed);
    if (fn !== undefined) {
      throw new JobExecutorInvalidError(`Job "${id}": both a function and module are given; pass one (a module job is added with addJob({ id, module, export, ... })). Nothing was stored.`);
    }
    const executor = parsed.executor ?? this.deps.defaultExecutor;
    if (parsed.env !== undefined && executor !== 'process') {
      throw new JobExecutorInvalidError(`Job "${id}": env is for executor "process" (a child's environment); executor "${executor}" shares the host's. Drop env or use executor: 'process'. Nothing was stored.`);
    }
    const module = resolveModuleUrl(parsed.module, id);
    const exportName = parsed.export ?? 'default';
    if (executor === 'inline') {
      return { fn: await importJobFunction(module, exportName, id), executor: executors.get('inline'), target: undefined };
    }
    assertCloneable(parsed.args ?? [], id, executor);
    const target: ModuleTarget = Object.freeze({ executor, module, export: exportName, env: Object.freeze([...(parsed.env ?? [])]) });
    await executors.probe(target, id);
    return { fn: offLoop, executor: executors.get(executor), target };
  }

  /** What runs a job given as a function (no module): the function, inline. */
  private functionHandler(id: string, fn: JobFunction | undefined, parsed: ParsedAddJobOptions): Pick<LocalJob, 'fn' | 'executor' | 'target'> {
    if (typeof fn !== 'function') throw new JobInvalidError(`Job "${id}": the job must be a function, got ${fn === null ? 'null' : typeof fn}. Nothing was stored.`);
    if (parsed.executor !== undefined && parsed.executor !== 'inline') {
      throw new JobExecutorInvalidError(`Job "${id}": executor "${parsed.executor}" cannot run a function (functions do not cross threads); pass module and export instead of a function. Nothing was stored.`);
    }
    if (parsed.export !== undefined || parsed.env !== undefined) {
      throw new JobExecutorInvalidError(`Job "${id}": ${parsed.export !== undefined ? 'export' : 'env'} is given without module; pass module (and export) instead of a function, or drop it. Nothing was stored.`);
    }
    return { fn, executor: this.deps.executors.get('inline'), target: undefined };
  }

  /** Registers the decorated methods of `instance` for `scope`. */
  async register(scope: SchedulerScope, instance: object): Promise<JobInfo[]> {
    const methods = typeof instance === 'object' && instance !== null ? scheduledMethods(instance) : [];
    if (methods.length === 0) {
      throw new JobInvalidError(`register(): ${describeInstance(instance)} has no @Interval or @Cron methods (decorate methods, then construct the instance).`);
    }
    const infos: JobInfo[] = [];
    for (const m of methods) {
      // A method whose options name a module only documents its job: the module's export runs.
      const fn: JobFunction | undefined = m.options.module !== undefined ? undefined : (ctx) => m.method.call(instance, ctx);
      const id = m.options.id ?? m.name;
      infos.push(await this.add(scope, fn, m.kind === 'interval' ? { ...m.options, id, every: m.spec } : { ...m.options, id, cron: m.spec as string }));
    }
    return infos;
  }

  /** Removes a job and its history from the store, and drops its handler here. */
  async remove(scope: SchedulerScope, id: string): Promise<void> {
    this.assertOpen(scope);
    const schedule = await this.visible(scope, id);
    const fullId = schedule.definition.id;
    await this.deps.store.remove(fullId);
    const local = this.deps.handlers.get(fullId);
    if (local !== undefined) local.attached = false;
    this.deps.handlers.delete(fullId);
    this.deps.unhandled.delete(fullId);
    this.deps.runs.dropQueue(fullId);
    this.emitJob('job.removed', schedule.definition);
  }

  /** Pauses a job: no process claims it until it is resumed; it stays registered. */
  async pause(scope: SchedulerScope, id: string): Promise<JobInfo> {
    this.assertOpen(scope);
    const schedule = await this.visible(scope, id);
    await this.deps.store.pause(schedule.definition.id);
    this.emitJob('job.paused', schedule.definition);
    return this.info(await this.visible(scope, id));
  }

  /** Resumes a job from now on: occurrences during the pause are not caught up. */
  async resume(scope: SchedulerScope, id: string): Promise<JobInfo> {
    this.assertOpen(scope);
    const { definition, state } = await this.visible(scope, id);
    const now = await this.deps.store.now();
    // From now on: occurrences that fell inside the pause are not caught up.
    const next = definition.trigger.type === 'date' ? (state.runs > 0 || definition.trigger.runDate <= now ? null : definition.trigger.runDate)
      : nextFireTime(definition.trigger, now, { anchor: state.anchor, runs: state.runs });
    await this.deps.store.resume(definition.id, next);
    this.deps.wake();
    this.emitJob('job.resumed', definition);
    return this.info(await this.visible(scope, id));
  }

  /** Applies `changes` over a job's stored trigger, policy and args. */
  async modify(scope: SchedulerScope, id: string, changes: JobChanges): Promise<JobInfo> {
    this.assertOpen(scope);
    const parsed = parseJobChanges(changes, qualifyId(scope, id));
    const { definition: old, state } = await this.visible(scope, id);
    const fullId = old.id;
    const triggerChanged = parsed.trigger !== undefined || parsed.every !== undefined || parsed.cron !== undefined || parsed.runDate !== undefined;
    const local = this.deps.handlers.get(fullId);
    const base = fromPolicy(old.policy, local?.historyLimit ?? this.deps.defaults.historyLimit);
    const build = triggerChanged ? () => toTriggerSpec(parsed, this.deps.timezone) : old.trigger;
    const { definition, hash, resolved } = this.define(fullId, old.owner, base, parsed, build, parsed.args ?? old.args, old.removable === true);
    const trigger = definition.trigger;
    const now = await this.deps.store.now();
    const anchor = old.trigger.type === trigger.type ? state.anchor : defaultAnchor(trigger, now);
    const nextRunAt = triggerChanged ? firstRunAt(trigger, now, anchor, state.runs) : state.nextRunAt;
    const result = await this.deps.store.upsert({ definition, hash, nextRunAt, anchor, replaceExisting: true });
    if (result.status === 'conflict') throw new JobConflictError(`Job "${fullId}" is registered by "${result.existingOwner}"; nothing was changed.`);
    if (local !== undefined) {
      local.historyLimit = resolved.historyLimit;
      local.definition = definition;
      local.anchor = result.schedule.state.anchor;
    }
    this.deps.wake();
    this.emitJob('job.modified', definition);
    return this.info(result.schedule);
  }

  /** The job `id` as `scope` sees it, or `undefined`. */
  async get(scope: SchedulerScope, id: string): Promise<JobInfo | undefined> {
    const schedule = await this.deps.store.get(qualifyId(scope, id));
    if (schedule === null || !inScope(scope, schedule)) return undefined;
    return this.info(schedule);
  }

  /** Every job `scope` sees, sorted by id. */
  async list(scope: SchedulerScope): Promise<JobInfo[]> {
    const list = await this.deps.store.list(scope.plugin === undefined ? undefined : { owner: scope.plugin });
    return list.map((s) => this.info(s)).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** Runs a job now in this process (its handler must be here). */
  async run(scope: SchedulerScope, id: string): Promise<RunRecord> {
    this.assertOpen(scope);
    const { definition } = await this.visible(scope, id);
    if (!this.deps.handlers.has(definition.id)) {
      throw new JobNotFoundError(`Job "${definition.id}" has no handler in this process (its plugin stopped, or another process registered it); it cannot run here.`);
    }
    return this.deps.runs.runNow(definition, Date.now() + this.deps.skew(), {});
  }

  /** A job's finished runs, newest first (`limit` 20 by default). */
  async history(scope: SchedulerScope, id: string, options?: { readonly limit?: number }): Promise<RunRecord[]> {
    const limit = parseHistoryLimit(options, qualifyId(scope, id));
    const { definition } = await this.visible(scope, id);
    return this.deps.store.history(definition.id, limit);
  }

  /**
   * The frozen definition of a job and its hash, from validated options over `base`.
   *
   * @throws the trigger's coded error (`XCORE_ERR_CRON_INVALID`, `XCORE_ERR_TIMEZONE_INVALID`,
   * `XCORE_ERR_JOB_INVALID`) or `XCORE_ERR_SCHEDULE_NOT_SERIALIZABLE` for args JSON cannot hold,
   * each naming the job; args that cannot even be read (a throwing getter, a revoked Proxy,
   * nesting too deep) are `XCORE_ERR_JOB_INVALID`.
   */
  private define(
    id: string, owner: string, base: ResolvedDefaults, o: ParsedPolicy, build: TriggerSpec | (() => TriggerSpec), args: readonly unknown[] | undefined,
    removable: boolean,
  ) {
    try {
      const trigger = typeof build === 'function' ? build() : build;
      validateTrigger(trigger);
      const resolved = resolveDefaults(base, o);
      const policy = internPolicy(resolved);
      const frozenArgs = freezeArgs(args);
      // Two literals, not a spread: a spread builds the object through a slower generic copy.
      const definition: ScheduleDefinition = Object.freeze(removable
        ? { id, owner, trigger, policy, args: frozenArgs, removable: true as const }
        : { id, owner, trigger, policy, args: frozenArgs });
      return { definition, hash: scheduleHash(definition), resolved };
    } catch (error) {
      if (error instanceof XcoreError) {
        if (!error.message.startsWith(`Job "${id}"`) && !error.message.startsWith(`job "${id}"`)) error.message = `Job "${id}": ${error.message}`;
        throw error;
      }
      throw new JobInvalidError(`Job "${id}": its args cannot be stored (${errorMessage(error)}); pass plain JSON data. Nothing was stored.`, { cause: error });
    }
  }

  private emitJob(event: 'job.added' | 'job.removed' | 'job.modified' | 'job.paused' | 'job.resumed', definition: ScheduleDefinition): void {
    if (this.deps.emitter.has(event)) this.deps.emitter.emit(event, { jobId: definition.id, owner: definition.owner });
  }

  private info(schedule: StoredSchedule): JobInfo {
    const id = schedule.definition.id;
    const job = this.deps.handlers.get(id);
    return toJobInfo(schedule, job?.running ?? 0, job !== undefined);
  }

  private async visible(scope: SchedulerScope, id: string): Promise<StoredSchedule> {
    const fullId = qualifyId(scope, id);
    const schedule = await this.deps.store.get(fullId);
    if (schedule === null || !inScope(scope, schedule)) {
      if (scope.plugin !== undefined) throw await this.notOwned(scope.plugin, id, schedule);
      throw new JobNotFoundError(`Job "${fullId}" not found; jobs() lists the ids that exist.`);
    }
    return schedule;
  }

  /**
   * The error a plugin gets for a job it does not own: when the id it named (as given, or
   * qualified with its name) is another owner's job, say whose and how to reach it.
   */
  private async notOwned(plugin: string, id: string, qualified: StoredSchedule | null): Promise<JobNotFoundError> {
    const foreign = qualified ?? (id === qualifyId({ owner: plugin, plugin }, id) ? null : await this.deps.store.get(id).catch(() => null));
    if (foreign === null) return new JobNotFoundError(`Job "${qualifyId({ owner: plugin, plugin }, id)}" not found among plugin "${plugin}"'s jobs; jobs() lists the ids that exist.`);
    const { id: foreignId, owner } = foreign.definition;
    const whose = owner === 'config' ? 'is declared in xcore.yaml' : owner === 'app' ? 'belongs to the app' : `belongs to plugin "${owner}"`;
    const reach = owner === 'config' || owner === 'app' ? 'Change it in xcore.yaml or the app\'s code' : `Ask plugin "${owner}" through one of its actions (ctx.call("${owner}", ...))`;
    return new JobNotFoundError(
      `Job "${foreignId}" ${whose}, not to plugin "${plugin}": a plugin sees and changes only its own jobs. ${reach}, or use the operator API (/admin/v1/jobs/${encodeURIComponent(foreignId)}).`,
    );
  }

  private assertOpen(scope: SchedulerScope): void {
    if (this.deps.isStopping()) throw new SchedulerStoppedError('The scheduler has stopped; it accepts no new jobs or runs.');
    scope.assertLive?.();
  }

  /** Keeps an updated interval's phase on the stored anchor (the store keeps it for same-kind updates). */
  private async realignPhase(schedule: StoredSchedule, now: number, given: number): Promise<StoredSchedule> {
    const { definition, state } = schedule;
    const trigger = definition.trigger;
    if (trigger.type !== 'interval' || trigger.startDate !== undefined || state.anchor === given) return schedule;
    const next = nextFireTime(trigger, now, { anchor: state.anchor, runs: state.runs });
    if (next === state.nextRunAt) return schedule;
    await this.deps.store.setNextRunAt(definition.id, next);
    return { definition, state: { ...state, nextRunAt: next } };
  }
}

/**
 * The phase anchor of an interval without `startDate`: the Unix epoch, so an interval fires at
 * whole multiples of its period (`every: 1h` on the hour, UTC) and every process and every restart
 * agrees on its phase, whatever the store. (It was the first registration, so a process on the
 * memory store took a new phase at each boot.) Cron and date triggers do not use the anchor.
 */
export const INTERVAL_ANCHOR = 0;

/** The phase anchor a new schedule gets ({@link INTERVAL_ANCHOR} for an interval). */
function defaultAnchor(trigger: TriggerSpec, now: number): number {
  return trigger.type === 'interval' ? INTERVAL_ANCHOR : now;
}

/** How `register()` names what it was given, for messages; never throws. */
function describeInstance(instance: unknown): string {
  if (typeof instance !== 'object' || instance === null) return `the ${instance === null ? 'null' : typeof instance} value`;
  try {
    return (instance as { constructor?: { name?: unknown } }).constructor?.name?.toString() ?? 'the object';
  } catch {
    return 'the object';
  }
}

/** The handler function of a module job: its runs go to its executor, which never calls this. */
const offLoop: JobFunction = ({ jobId }) => {
  throw new SchedulerInternalError(`Job "${jobId}" runs on a thread or process executor, but its run was called on the event loop; this is a bug in @xcore/scheduler: report it with this message.`);
};

/**
 * The function `exportName` of `module` (a `file:` URL), imported in this process for an inline
 * module job (TypeScript through the YAML jobs' loader).
 *
 * @throws `XCORE_ERR_JOB_EXECUTOR_INVALID` naming the job, the module and what is wrong.
 */
async function importJobFunction(module: string, exportName: string, id: string): Promise<JobFunction> {
  const path = fileURLToPath(module);
  const found = await importJobExport(path, exportName, createJobModuleLoader(dirname(path)));
  if (typeof found === 'function') return found;
  const problem = found.kind === 'export' ? found.message : `module ${path} cannot be imported (${found.reason})`;
  throw new JobExecutorInvalidError(`Job "${id}": ${problem}. Fix module/export; nothing was stored.`, found.kind === 'import' ? { cause: found.cause } : undefined);
}
