/**
 * `schedulerService`: the `ServiceDefinition` that registers the scheduler with the xcore kernel
 * as the service `scheduler`, configured under `services.scheduler`.
 */
import type { Logger } from 'pino';
import { createLogger, type ServiceCheckContext, type ServiceCheckResult, type ServiceCreateContext, type ServiceDefinition, type ServiceLifecycleContext, type ServiceStopResult } from '@xcore/core';
import type { Store } from '../stores/store.js';
import { MemoryStore } from '../stores/memory-store.js';
import { SchedulerBackendUnavailableError } from '../errors.js';
import { schedulerConfigSchema, type SchedulerConfig } from '../config/scheduler-config.js';
import { resolveYamlJobs, withPosition, type ResolvedYamlJob } from '../config/yaml-jobs.js';
import { Scheduler } from './scheduler.js';
import { PluginScheduler } from './plugin-scheduler.js';
import { internalsOf } from './scheduler-internals.js';
import { jobsHealthCheck, schedulerReadinessCheck } from './scheduler-health-checks.js';
import type { SchedulerService } from './scheduler-service.js';
import { loadRunLogSink } from '../runlog/load-run-log-sink.js';
import type { RunLogSink } from '../runlog/run-log-sink.js';
import { OVERDUE_DEFAULTS } from '../watch/overdue-watch.js';

/** Owner of the jobs declared in `xcore.yaml`. */
export const CONFIG_OWNER = 'config';

function asScheduler(instance: SchedulerService): Scheduler {
  if (instance instanceof Scheduler) return instance;
  if (instance instanceof PluginScheduler) throw new TypeError('expected the root scheduler, got a plugin view');
  throw new TypeError('the scheduler service instance is not a Scheduler');
}

async function createStore(config: SchedulerConfig, logger: Logger): Promise<Store> {
  if (config.backend === 'memory') return new MemoryStore();
  if (config.url === undefined && config.nodes === undefined) {
    throw new SchedulerBackendUnavailableError('services.scheduler.backend is "redis" but neither services.scheduler.url nor nodes is set; set url: redis://127.0.0.1:6379 (or nodes: [host:port, ...] for a Redis Cluster).');
  }
  let mod: { RedisStore: new (options: ({ url: string } | { nodes: string[] }) & { prefix: string; logger: Logger }) => Store };
  try {
    mod = (await import('../stores/redis/redis-store.js')) as unknown as typeof mod;
  } catch (cause) {
    throw new SchedulerBackendUnavailableError(`services.scheduler.backend "redis": the Redis store could not be loaded; use backend: memory or reinstall @xcore/scheduler.`, { cause });
  }
  // The store logs connection trouble and keys of the wrong type under the scheduler's logger.
  const options = { prefix: config.prefix, logger: logger.child({ component: 'redis-store' }) };
  return new mod.RedisStore(config.url !== undefined ? { url: config.url, ...options } : { nodes: [...config.nodes!], ...options });
}

/**
 * Stops the scheduler within the kernel's drain deadline, keeping a tenth of it (at most 1 s) to
 * record aborted runs and stop the plugins before the kernel gives up, and reports the runs it
 * aborted at the deadline as `job:<id>`. Idempotent (a second call reports the same runs).
 */
async function drain(instance: SchedulerService, ctx: ServiceLifecycleContext): Promise<ServiceStopResult> {
  const margin = Math.min(1_000, ctx.deadlineMs / 10);
  const report = await asScheduler(instance).stop({ deadlineMs: Math.max(0, ctx.deadlineMs - margin), signal: ctx.signal });
  return { aborted: report.aborted.map((id) => `job:${id}`) };
}

/**
 * The overdue grace (`services.scheduler.overdue.after`), with the deprecated `health.overdueAfter`
 * mapped to it: used when `overdue.after` is not set (at least 1 s, its lower bound), ignored when
 * it is; either way a warning says to move it.
 */
export function resolveOverdueAfter(after: number | undefined, legacy: number | undefined, logger: Pick<Logger, 'warn'>): number {
  if (legacy === undefined) return after ?? OVERDUE_DEFAULTS.afterMs;
  if (after !== undefined) {
    logger.warn(
      { 'health.overdueAfter': legacy, 'services.scheduler.overdue.after': after },
      'health.overdueAfter is deprecated and ignored here: services.scheduler.overdue.after is set and is the one overdue setting; remove health.overdueAfter from xcore.yaml',
    );
    return after;
  }
  const mapped = Math.max(1_000, legacy);
  logger.warn(
    { 'health.overdueAfter': legacy, 'services.scheduler.overdue.after': mapped },
    `health.overdueAfter is deprecated: used as services.scheduler.overdue.after (${mapped} ms) for job health, metrics and the job.overdue event; move it there in xcore.yaml`,
  );
  return mapped;
}

/** Jobs registered between two yields to the event loop, so a signal during a long boot is seen. */
const REGISTER_BATCH = 256;

/** The scheduler of a config section on `store` (with its run log, if any), with no jobs yet. */
function buildScheduler(config: SchedulerConfig, store: Store, logger: Logger, events: ServiceCreateContext<SchedulerConfig>['events'] | undefined, runLog: RunLogSink | undefined, overdueAfterMs: number): Scheduler {
  const d = config.defaults;
  return new Scheduler({
    store,
    logger,
    timezone: config.timezone,
    defaults: {
      ...(d.maxInstances === undefined ? {} : { maxInstances: d.maxInstances }),
      ...(d.coalesce === undefined ? {} : { coalesce: d.coalesce }),
      ...(d.misfireGraceTime === undefined ? {} : { misfireGraceTime: d.misfireGraceTime }),
      ...(d.maxCatchUp === undefined ? {} : { maxCatchUp: d.maxCatchUp }),
      ...(d.timeout === undefined ? {} : { timeout: d.timeout }),
      ...(d.retries === undefined ? {} : { retries: d.retries }),
      ...(d.retryDelay === undefined ? {} : { retryDelay: d.retryDelay }),
      ...(d.jitter === undefined ? {} : { jitter: d.jitter }),
      ...(d.overlap === undefined ? {} : { overlap: d.overlap }),
      ...(d.recover === undefined ? {} : { recover: d.recover }),
      ...(d.historyLimit === undefined ? {} : { historyLimit: d.historyLimit }),
      ...(d.executor === undefined ? {} : { executor: d.executor }),
    },
    executors: config.executors,
    leaseMs: config.leaseMs,
    pollMs: config.pollMs,
    ...(config.claimWindowMs === undefined ? {} : { claimWindowMs: config.claimWindowMs }),
    enabled: config.enabled,
    logRuns: config.logRuns,
    ...(events === undefined ? {} : { events }),
    ...(runLog === undefined ? {} : { runLog }),
    metrics: { jobLabelLimit: config.metrics.jobLabelLimit },
    overdue: {
      checkIntervalMs: config.overdue.checkInterval, afterMs: overdueAfterMs, stuckAfterMs: config.overdue.stuckAfter,
      learnedFactor: config.overdue.learnedFactor, learnedMinMs: config.overdue.learnedMin,
    },
  });
}

/**
 * Registers resolved YAML jobs (owner `config`), yielding to the event loop between batches;
 * with `each`, a job `addJob` refuses is handed to it (with its position) and the rest go on,
 * else the first refusal throws.
 */
async function registerYamlJobs(scheduler: Scheduler, jobs: readonly ResolvedYamlJob[], signal: AbortSignal | undefined, each?: (error: unknown) => void): Promise<void> {
  for (const [i, job] of jobs.entries()) {
    if (i % REGISTER_BATCH === REGISTER_BATCH - 1) await new Promise<void>((resolve) => setImmediate(resolve));
    signal?.throwIfAborted();
    try {
      await internalsOf(scheduler).jobs.add({ owner: CONFIG_OWNER }, job.fn, job.options);
    } catch (error) {
      const positioned = withPosition(error, job.where, job.options.id);
      if (each === undefined) throw positioned;
      each(positioned);
    }
  }
}

/** What the scheduler's `check` prepares for its `create`: the YAML jobs with their functions. */
interface PreparedJobs {
  readonly kind: 'xcore-scheduler-jobs';
  readonly jobs: readonly ResolvedYamlJob[];
}

function isPreparedJobs(value: unknown): value is PreparedJobs {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'xcore-scheduler-jobs';
}

/**
 * Checks a scheduler section as `create` would, without a store: imports the module of every
 * YAML job (reporting each job whose module, export or function is wrong, not only the first)
 * and registers the jobs on a scheduler over a {@link MemoryStore} (the same `addJob` checks
 * as at boot), then drops it.
 */
export async function checkScheduler(ctx: ServiceCheckContext<SchedulerConfig>): Promise<ServiceCheckResult> {
  const { config } = ctx;
  const source = { configFile: ctx.configFile, loaded: ctx.loaded, ...(ctx.signal === undefined ? {} : { signal: ctx.signal }) };
  const problems: Error[] = [];
  const jobs = await resolveYamlJobs(config.jobs, source, (error) => problems.push(asError(error)), config.defaults.executor);
  const probe = buildScheduler(config, new MemoryStore(), createLogger({ level: 'silent', pretty: false }), undefined, undefined, config.overdue.after ?? OVERDUE_DEFAULTS.afterMs);
  try {
    await registerYamlJobs(probe, jobs, ctx.signal, (error) => problems.push(asError(error)));
  } finally {
    await probe.dispose();
  }
  return { problems, prepared: { kind: 'xcore-scheduler-jobs', jobs } satisfies PreparedJobs };
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/**
 * Builds the scheduler from its config section: creates the store and the run log (when
 * `runLog` is set: its backend package is loaded and its migrations run), resolves and registers
 * the YAML jobs (owner `config`). Exposed for tests and for hosts that do not use the kernel.
 *
 * @remarks
 * With `ctx.prepared` from {@link checkScheduler} in the same boot, the YAML jobs' modules are
 * not imported again. `options.legacyOverdueAfterMs` is the deprecated `health.overdueAfter`
 * (see {@link resolveOverdueAfter}).
 *
 * @throws boot errors with `file:line:col` and the job id for a bad YAML job.
 */
export async function createScheduler(ctx: Pick<ServiceCreateContext<SchedulerConfig>, 'config' | 'logger' | 'configFile' | 'loaded' | 'signal' | 'prepared'> & { events?: ServiceCreateContext<SchedulerConfig>['events']; store?: Store }, options: { readonly legacyOverdueAfterMs?: number | undefined } = {}): Promise<Scheduler> {
  const { config } = ctx;
  const overdueAfterMs = resolveOverdueAfter(config.overdue.after, options.legacyOverdueAfterMs, ctx.logger);
  const store = ctx.store ?? (await createStore(config, ctx.logger));
  let runLog: RunLogSink | undefined;
  try {
    runLog = config.runLog === undefined ? undefined : await loadRunLogSink(config.runLog, { configFile: ctx.configFile, logger: ctx.logger.child({ component: 'runlog' }) });
  } catch (error) {
    await store.close().catch(() => undefined);
    throw error;
  }
  const scheduler = buildScheduler(config, store, ctx.logger, ctx.events, runLog, overdueAfterMs);
  try {
    const source = {
      configFile: ctx.configFile,
      ...(ctx.loaded === undefined ? {} : { loaded: ctx.loaded }),
      ...(ctx.signal === undefined ? {} : { signal: ctx.signal }),
    };
    const jobs = isPreparedJobs(ctx.prepared) ? ctx.prepared.jobs : await resolveYamlJobs(config.jobs, source, undefined, config.defaults.executor);
    await registerYamlJobs(scheduler, jobs, ctx.signal);
  } catch (error) {
    await scheduler.dispose().catch(() => undefined);
    throw error;
  }
  return scheduler;
}

/**
 * The `scheduler` service definition for the xcore kernel.
 *
 * @remarks
 * - `check`: imports every YAML job's module and checks each job as `addJob` would, on a
 *   throwaway memory store (`xcore validate` and boot both run it; boot hands the resolved jobs to
 *   `create`).
 * - `create`: builds the store (`memory`, or `redis` at `url` under `prefix`) and registers the
 *   YAML jobs; a bad job is a boot error with its position. Inside a kernel it registers the
 *   health checks `scheduler` (readiness: the store answers) and `jobs` (warning: failing and
 *   overdue jobs).
 * - `afterPluginsStarted`: firing begins only here, once every plugin has registered its jobs.
 *   With `enabled: false` jobs can be registered and inspected but nothing fires.
 * - `beforePluginsStop` (and `stop`, a no-op by then): stops claiming, drains running jobs until
 *   the kernel's deadline (minus a margin to record the aborted runs and let plugins stop), then
 *   aborts them and reports them (`job:<id>`) as unfinished. It runs before any plugin stops, so
 *   a plugin's jobs finish while it still runs.
 * - `inProgress`: the running jobs, which the kernel logs while shutdown waits.
 * - `create` honours the boot signal: a stop requested while YAML job modules are imported or
 *   jobs registered ends boot there.
 * - `dispose`: closes the run log (flushing what is queued, up to 5 s) and the store.
 * - `forPlugin`: each plugin gets a namespaced {@link PluginScheduler} view.
 *
 * @example
 * ```ts
 * import { schedulerService } from '@xcore/scheduler';
 * const kernel = createKernel({ services: [schedulerService] });
 * ```
 */
export const schedulerService: ServiceDefinition<'scheduler', typeof schedulerConfigSchema> = {
  name: 'scheduler',
  configSchema: schedulerConfigSchema,
  check: (ctx) => checkScheduler(ctx),
  async create(ctx) {
    const legacyOverdueAfterMs = ctx.serviceNames().includes('config') ? ctx.getService('config').health.overdueAfter : undefined;
    const scheduler = await createScheduler(ctx, { legacyOverdueAfterMs });
    // Inside a kernel, the host's health service serves these as /readyz and /health.
    if (ctx.serviceNames().includes('health')) {
      const health = ctx.getService('health');
      health.register(schedulerReadinessCheck(scheduler));
      health.register(jobsHealthCheck(scheduler));
    }
    return scheduler;
  },
  afterPluginsStarted(instance) {
    asScheduler(instance).startFiring();
  },
  beforePluginsStop: drain,
  stop: drain,
  inProgress: (instance) => asScheduler(instance).runningJobs().map((id) => `job:${id}`),
  async dispose(instance) {
    await asScheduler(instance).dispose();
  },
  forPlugin(instance, plugin) {
    return new PluginScheduler(asScheduler(instance), plugin);
  },
};
