/**
 * The zod schema of `services.scheduler` in `xcore.yaml`.
 *
 * @remarks
 * Strict everywhere: an unknown key is an error the config loader points at by line. Durations
 * accept milliseconds or text (`"30s"`, `"1h30m"`) and come out as milliseconds. A job's schema has
 * the title `job`, so the loader names the job of any problem inside it (`(job "nightly")`). The
 * kernel builds the JSON Schema of the whole file from {@link schedulerConfigSchema}.
 */
import { z } from 'zod';
import { duration } from '@xcore/core';
import { envNamesValue, jobIdValue, jobPolicySchema, policyShape, rangeText, runnerTiming, timezoneValue, triggerSchema } from './option-schemas.js';
import { executorNameValue, executorsConfigSchema } from '../executors/executor-config.js';
import { runLogConfigSchema } from '../runlog/run-log-config.js';
import { isValidPrefix } from '../stores/redis/keys.js';
import { redisUrlProblem } from '../stores/redis/redis-store-options.js';

export { jobPolicySchema };

/** A YAML job's trigger: `interval`, `cron` or `date`, with that kind's fields (the same schema as `addJob({ trigger })`). */
export const triggerConfigSchema = triggerSchema;

/** One global job declared in `xcore.yaml` (titled `job`: config problems inside name its id). */
export const jobConfigSchema = z.strictObject({
  /** Job id (global jobs are owned by `config` and are not namespaced). */
  id: jobIdValue.describe('Job id: 1 to 200 characters, no whitespace (global jobs are owned by `config` and are not namespaced).'),
  /** `"./path/module.ts:exportName"` relative to the config file, or `"package:exportName"`. */
  func: z.string().regex(/^.+:[A-Za-z_$][\w$]*$/, 'expected "./path/to/module.ts:exportName" or "package:exportName"').describe('`"./path/module.ts:exportName"` relative to the config file, or `"package:exportName"`.'),
  trigger: triggerConfigSchema.describe('When the job runs: `type: interval`, `cron` or `date` with that kind\'s fields.'),
  /** Arguments passed to every run as `ctx.args`. @defaultValue `[]` */
  args: z.array(z.unknown()).default([]).describe('Arguments passed to every run as `ctx.args`. Default [].'),
  /** Where the job runs: `inline`, `thread` or `process`. @defaultValue `defaults.executor` */
  executor: executorNameValue.optional().describe('Where the job runs: inline (the event loop), thread (a worker-thread pool, hard timeout) or process (a child process per run, hard timeout and memory cap). Default: defaults.executor.'),
  /** Environment variables the job's child process gets (`executor: process`). */
  env: envNamesValue.optional(),
  ...policyShape,
}).meta({ title: 'job' });

/** `services.scheduler.defaults`: policy defaults of every job, and the executor of YAML and module jobs. */
export const schedulerDefaultsSchema = jobPolicySchema.extend({
  /** Where YAML jobs and `module` jobs run when they name no executor (a function always runs inline). @defaultValue `'inline'` */
  executor: executorNameValue.optional().describe('Where YAML jobs and module jobs run when they name no executor (a function given to addJob always runs inline). Default inline.'),
});

/**
 * Schema of `services.scheduler`.
 *
 * @example
 * ```yaml
 * services:
 *   scheduler:
 *     timezone: Europe/Berlin
 *     defaults: { timeout: 30s, retries: 2 }
 *     jobs:
 *       - id: nightly-report
 *         func: ./jobs/report.ts:nightly
 *         trigger: { type: cron, expression: "0 3 * * *" }
 * ```
 */
export const schedulerConfigSchema = z
  .strictObject({
    /** Create the scheduler at all. @defaultValue `true` */
    enabled: z.boolean().default(true).describe('Create the scheduler at all. Default true.'),
    /** Where schedules live: this process (`memory`) or a shared Redis (`redis`). @defaultValue `'memory'` */
    backend: z.enum(['memory', 'redis']).default('memory').describe('Where schedules live: this process (`memory`) or a shared Redis (`redis`). Default \'memory\'.'),
    /** Redis URL; with `backend: redis` give this or `nodes`. */
    url: z.string().min(1).optional().describe('Redis URL; with `backend: redis` give this or `nodes`.'),
    /**
     * Seed nodes of a Redis Cluster (`host:port` or `redis://host:port`), instead of `url`.
     *
     * @remarks
     * Every key of a prefix carries the hash tag `{prefix}`, so one app's schedules live in one
     * slot; apps with different prefixes spread over the cluster.
     */
    nodes: z.array(z.string().min(1)).min(1).optional().describe('Seed nodes of a Redis Cluster (`host:port` or `redis://host:port`), instead of `url`; one app\'s keys live in one slot.'),
    /** Key prefix in the shared store. @defaultValue `'xcore'` */
    prefix: z.string().min(1).default('xcore').describe('Key prefix in the shared store. Default \'xcore\'.'),
    /** IANA timezone for cron jobs that name none. @defaultValue `'UTC'` */
    timezone: timezoneValue.default('UTC').describe('IANA timezone for cron jobs that name none. Default \'UTC\'.'),
    /** Policy defaults for every job. @defaultValue see each field */
    defaults: schedulerDefaultsSchema.prefault({}).describe('Policy defaults for every job, and the default executor.'),
    /** The worker-thread pool and child processes behind `executor: thread` and `executor: process`. */
    executors: executorsConfigSchema.prefault({}).describe('The worker-thread pool (thread) and child processes (process) jobs can run on.'),
    /** Global jobs. @defaultValue `[]` */
    jobs: z.array(jobConfigSchema).default([]).describe('Global jobs. Default [].'),
    /** Lease of a claim and of a run slot; a dead process frees them after this. @defaultValue `30000` */
    leaseMs: runnerTiming.leaseMs.default(30_000).describe(`Lease of a claim and of a run slot; a dead process frees them after this. ${rangeText('leaseMs')}. Default 30000.`),
    /**
     * Longest sleep of the runner between store checks. @defaultValue `30000`
     *
     * @remarks
     * Change hints wake the runner early, but hints can be lost (another process's publish while
     * Redis was away), so the sleep is capped; 30 s (croner's `maxDelay` too) also keeps timers far
     * below the 2^31-1 ms limit of `setTimeout`.
     */
    pollMs: runnerTiming.pollMs.default(30_000).describe(`Longest sleep of the runner between store checks (change hints can be lost). ${rangeText('pollMs')}. Default 30000.`),
    /**
     * Claim window: a process wakes at most once per window, so one claim takes every schedule that
     * came due in it. @defaultValue `10` with `backend: redis`, `0` with `backend: memory`
     *
     * @remarks
     * On Redis it is what keeps a busy app under one round trip per firing (1k schedules a second:
     * 0.13 commands per firing with one process, 10 ms window), at the cost of up to one window of
     * lateness; `0` wakes at each due time.
     */
    /**
     * The level of the line logged when a run starts and when it succeeds. @defaultValue `'debug'`
     *
     * @remarks Failed, timed-out and aborted runs always end with a `warn` line (with the error).
     */
    logRuns: z.enum(['debug', 'info']).default('debug').describe('Level of the line logged when a run starts and when it succeeds (`job started`, `job succeeded` with durationMs and attempts); `info` shows every run at the default log level. Failed, timed-out and aborted runs always end with a `warn` line. Default \'debug\'.'),
    /**
     * The durable run log: every finished run written to a backend (`postgres`) and queryable.
     * Absent: only the bounded per-job history. See `@xcore/runlog-postgres`.
     *
     * @remarks Every ended run, skip and miss is queued to it from the run path; `GET /admin/v1/runs` queries it.
     */
    runLog: runLogConfigSchema.optional().describe('Durable, queryable log of every finished run, in a backend package loaded only when set. Absent: only the bounded per-job history. Every ended run, skip and miss is queued to it without blocking the runner; GET /admin/v1/runs queries it.'),
    /** Metrics: how many job ids become labels (the rest are counted under `other`). */
    metrics: z
      .strictObject({
        /** Most distinct job ids used as metric labels; later jobs share the label `other`. @defaultValue `100` */
        jobLabelLimit: z.number().int().min(0).max(100_000).default(100).describe('Most distinct job ids used as metric labels (xcore_job_id); jobs seen after that are counted under "other", so the series count stays bounded. 0..100000, default 100.'),
      })
      .default({ jobLabelLimit: 100 })
      .describe('Scheduler metrics (OpenTelemetry, and the Prometheus text at GET /metrics of the http service).'),
    /** Overdue occurrences and stuck runs. */
    overdue: z
      .strictObject({
        /** How often to look. @defaultValue `5s` */
        checkInterval: duration().refine((v) => v >= 100 && v <= 3_600_000, { message: 'expected 100ms to 1h' }).default(5_000).describe('How often to look for overdue occurrences and stuck runs. 100ms..1h, default 5s.'),
        /**
         * Grace of jobs with an unlimited misfireGraceTime (or no handler in this process). Unset:
         * the deprecated `health.overdueAfter` if given, else `1m`.
         */
        after: duration().refine((v) => v >= 1_000 && v <= 2_592_000_000, { message: 'expected 1s to 30d' }).optional().describe('An occurrence not started this long after it was due is overdue (job health, metrics, the job.overdue event), for jobs whose misfireGraceTime is unlimited or that this process holds no handler of (others use their misfireGraceTime). 1s..30d, default 1m. Replaces health.overdueAfter.'),
        /** A run longer than this is stuck; `null` learns a bound per job. @defaultValue `null` */
        stuckAfter: z.union([z.null(), duration().refine((v) => v >= 1_000 && v <= 2_592_000_000, { message: 'expected 1s to 30d' })]).default(null).describe('A run longer than this is stuck, for every job; null (default) learns a bound per job from its last 20 runs (learnedFactor x the longest, at least learnedMin) once it has 5.'),
        /** Learned bound: this many times the longest recent run. @defaultValue `3` */
        learnedFactor: z.number().min(1).max(1_000).default(3).describe('Learned stuck bound: this many times the job\'s longest recent run. Default 3.'),
        /** Learned bound: at least this. @defaultValue `1m` */
        learnedMin: duration().refine((v) => v >= 1_000 && v <= 2_592_000_000, { message: 'expected 1s to 30d' }).default(60_000).describe('Learned stuck bound: at least this long. Default 1m.'),
      })
      .prefault({})
      .describe('Overdue occurrences and stuck runs: flagged in job health and metrics, emitted as scheduler.job.overdue / scheduler.job.stuck.'),
    claimWindowMs: runnerTiming.claimWindowMs.optional().describe(`Wake at most once per this window and claim all that came due in it (fewer Redis round trips, up to this much lateness). ${rangeText('claimWindowMs')}. Default 10 with backend redis, 0 with memory. Under load the step shrinks so one wake claims about 16 schedules, so a busy process is not held to the whole window.`),
  })
  .superRefine((cfg, ctx) => {
    if (cfg.backend === 'redis' && cfg.url === undefined && cfg.nodes === undefined) {
      ctx.addIssue({ code: 'custom', path: ['url'], message: 'backend "redis" needs `url` (e.g. redis://127.0.0.1:6379) or, for a Redis Cluster, `nodes`' });
    }
    if (cfg.backend === 'redis') checkRedisSection(cfg, ctx);
    if (cfg.url !== undefined && cfg.nodes !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['nodes'], message: 'give `url` (one Redis) or `nodes` (a Redis Cluster), not both' });
    }
    const seen = new Set<string>();
    cfg.jobs.forEach((job, i) => {
      if (seen.has(job.id)) ctx.addIssue({ code: 'custom', path: ['jobs', i, 'id'], message: `duplicate job id "${job.id}"` });
      seen.add(job.id);
      const executor = job.executor ?? cfg.defaults.executor ?? 'inline';
      if (job.env !== undefined && executor !== 'process') {
        ctx.addIssue({ code: 'custom', path: ['jobs', i, 'env'], message: `env is for executor: process (a child's environment); this job runs on ${executor}. Drop env or set executor: process` });
      }
    });
  })
  .prefault({});

/**
 * What the Redis store would refuse when it is created: a `prefix` that cannot be a hash tag, a
 * `url` or seed node its client cannot read. Only with `backend: redis` (memory ignores them).
 */
function checkRedisSection(cfg: { prefix: string; url?: string | undefined; nodes?: string[] | undefined }, ctx: z.RefinementCtx): void {
  if (!isValidPrefix(cfg.prefix)) {
    ctx.addIssue({ code: 'custom', path: ['prefix'], message: 'expected a prefix without "{", "}" or whitespace (it becomes the Redis Cluster hash tag "{prefix}"), like "xcore" or "myapp-prod"', input: cfg.prefix });
  }
  if (cfg.url !== undefined) {
    const problem = redisUrlProblem(cfg.url);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', path: ['url'], message: problem, input: cfg.url });
  }
  cfg.nodes?.forEach((node, i) => {
    const problem = redisUrlProblem(node);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', path: ['nodes', i], message: problem.replace('a Redis URL', 'a seed node (host:port or redis://host:port)'), input: node });
  });
}

/** The validated `services.scheduler` section. */
export type SchedulerConfig = z.output<typeof schedulerConfigSchema>;
/** One validated YAML job. */
export type JobConfig = z.output<typeof jobConfigSchema>;
/** Policy overrides as written in config or `addJob` options (durations already in ms). */
export type JobPolicyConfig = z.output<typeof jobPolicySchema>;
