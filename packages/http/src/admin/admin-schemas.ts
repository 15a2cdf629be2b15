/**
 * Zod schemas of what the admin API's scheduler and plugin routes answer: the operator view's
 * JSON (see `SchedulerOperatorView` in `@xcore/scheduler`) and the kernel's plugin statuses.
 * They document the responses in the OpenAPI document and type the handlers.
 */
import { z } from 'zod';

const isoTime = z.string().describe('ISO 8601 instant.');

/** One run of a job. */
export const runSchema = z
  .object({
    status: z.enum(['succeeded', 'failed', 'timed_out', 'aborted', 'crashed', 'out_of_memory', 'missed', 'skipped']),
    scheduledAt: isoTime.describe('The occurrence (trigger time), or when a manual run was asked for.'),
    startedAt: isoTime.nullable(),
    finishedAt: isoTime.nullable(),
    durationMs: z.number().nullable().describe('From start to finish; null when it never started.'),
    attempts: z.number().int(),
    error: z.string().optional(),
    owner: z.string().optional().describe('The process that ran it.'),
    manual: z.boolean().optional().describe('True for a run outside the schedule.'),
    requestedBy: z.string().optional().describe('Who asked for a manual run (`token:<id>`, `jwt:<sub>`).'),
    requestId: z.string().optional().describe('The run request of a manual run (see GET /runs/{requestId}).'),
  })
  .meta({ title: 'Run' });

/** A trigger in the YAML shape. */
const triggerSpecSchema = z
  .union([
    z.object({ type: z.literal('interval'), milliseconds: z.number(), startDate: isoTime.optional(), endDate: isoTime.optional(), maxRuns: z.number().int().optional() }),
    z.object({ type: z.literal('cron'), expression: z.string(), timezone: z.string(), startDate: isoTime.optional(), endDate: isoTime.optional(), maxRuns: z.number().int().optional() }),
    z.object({ type: z.literal('date'), runDate: isoTime }),
  ])
  .describe('The trigger in the shape PUT /jobs/{id}/trigger and a YAML job take.');

const jobFields = {
  id: z.string().describe('Fully qualified id (`<plugin>:<id>` for plugin jobs).'),
  owner: z.string().describe('A plugin name, `config` (xcore.yaml) or `app`.'),
  trigger: z.string().describe('The trigger in words, e.g. `every 5s`.'),
  triggerSpec: triggerSpecSchema,
  nextRunAt: isoTime.nullable().describe('Next occurrence; null when the trigger is exhausted.'),
  lastRun: runSchema.nullable(),
  paused: z.boolean(),
  running: z.number().int().describe('Runs in progress (see runningScope).'),
  runningScope: z.enum(['cluster', 'process']).describe('`cluster`: every process sharing a Redis store; `process`: this process (the memory store).'),
  attached: z.boolean().describe('True when this process has the job\'s handler.'),
  heldBy: z.array(z.string()).readonly().describe('Owner ids of the live processes holding the job (its plugin runs there, or they registered it).'),
  removable: z.boolean().describe('True when its owner registered it with `removable: true`.'),
};

/** A job in a listing. */
export const jobSchema = z.object(jobFields).meta({ title: 'Job' });

/** A job with its policy, args and bookkeeping. */
export const jobDetailSchema = z
  .object({
    ...jobFields,
    policy: z.object({
      maxInstances: z.number().int(),
      overlap: z.enum(['skip', 'queue']),
      coalesce: z.enum(['all', 'earliest', 'latest', 'skip']),
      misfireGraceTimeMs: z.number().nullable(),
      maxCatchUp: z.number().int(),
      timeoutMs: z.number().nullable(),
      retries: z.number().int(),
      retryDelayMs: z.number(),
      jitterMs: z.number(),
      recover: z.boolean(),
    }),
    args: z.array(z.unknown()).readonly(),
    runs: z.number().int().describe('Occurrences recorded so far.'),
    createdAt: isoTime,
    updatedAt: isoTime,
  })
  .meta({ title: 'JobDetail' });

/** A page of jobs. */
export const jobPageSchema = z.object({
  items: z.array(jobSchema).readonly(),
  nextCursor: z.string().nullable().describe('Pass as `cursor` for the next page; null after the last. A page may be short and still have a next one.'),
});

/** A page of runs, newest first. */
export const runPageSchema = z.object({
  items: z.array(runSchema).readonly(),
  nextCursor: z.string().nullable().describe('Pass as `cursor` for the next (older) page; null after the last.'),
});

/** A job's next occurrence times. */
export const nextRunsSchema = z
  .object({
    items: z.array(isoTime).readonly().describe('Occurrence times, earliest first; fewer than asked when the trigger ends sooner.'),
    paused: z.boolean().describe('True when the job is paused: the times it would have if resumed now.'),
  })
  .meta({ title: 'NextRuns' });

/** A run from the run log (or one job's bounded history). */
export const loggedRunSchema = z
  .object({
    runId: z.string().nullable().describe('The run log\'s id of the record (a UUID v7); null when read from the bounded history.'),
    jobId: z.string(),
    owner: z.string().describe('The job\'s owner: a plugin name, `config` or `app`.'),
    outcome: z.enum(['succeeded', 'failed', 'timed_out', 'aborted', 'crashed', 'out_of_memory', 'skipped', 'missed']),
    scheduledAt: isoTime.describe('The occurrence, or when a manual run was asked for; for `missed`, when it was decided.'),
    startedAt: isoTime.nullable(),
    finishedAt: isoTime.describe('When the run ended, or the skip/miss was decided.'),
    durationMs: z.number().nullable(),
    attempts: z.number().int(),
    occurrences: z.number().int().describe('Occurrences this entry stands for (a `missed` decision may cover several).'),
    error: z.string().nullable(),
    errorStack: z.string().nullable().describe('The error\'s stack (run log only).'),
    manual: z.boolean(),
    requestedBy: z.string().nullable().describe('Who asked for a manual run (`token:<id>`, `jwt:<sub>`).'),
    process: z.string().nullable().describe('The scheduler process that ran or decided it.'),
    result: z.unknown().describe('What the handler returned, when plain JSON of at most 8 KiB (run log only); null otherwise.'),
    resultOmitted: z.enum(['too_large', 'not_serializable']).nullable(),
  })
  .meta({ title: 'LoggedRun' });

/** A page of logged runs. */
export const loggedRunPageSchema = z.object({
  source: z.enum(['runLog', 'history']).describe('`runLog`: the configured durable log; `history`: one job\'s bounded history (no run log configured).'),
  items: z.array(loggedRunSchema).readonly(),
  nextCursor: z.string().nullable().describe('Pass as `cursor` for the next (older) page; null after the last.'),
});

/** A run request (run-now). */
export const runRequestSchema = z
  .object({
    requestId: z.string(),
    jobId: z.string(),
    status: z.enum(['pending', 'running', 'finished', 'expired']).describe('`pending`: no process took it yet; `expired`: none took it within a minute.'),
    requestedBy: z.string(),
    requestedAt: isoTime,
    expiresAt: isoTime,
    takenBy: z.string().optional().describe('The process running it.'),
    record: runSchema.optional().describe('The run, once finished.'),
  })
  .meta({ title: 'RunRequest' });

/** The scheduler's state. */
export const schedulerStateSchema = z.object({
  backend: z.string().describe('`memory` or `redis`.'),
  owner: z.string().describe('This process\'s id in the store.'),
  degraded: z.object({ reason: z.string(), since: isoTime }).nullable().describe('null while the store works.'),
  firing: z.boolean(),
  processes: z.number().int().nullable().describe('Live processes sharing the store; null when the store could not say.'),
  processList: z.array(z.object({ owner: z.string(), host: z.string(), pid: z.number().int(), since: isoTime, plugins: z.array(z.string()).readonly(), self: z.boolean() })).readonly(),
  counts: z.object({ jobs: z.number().int(), paused: z.number().int(), failing: z.number().int(), running: z.number().int() }),
  countedAt: isoTime.describe('When the counts were counted (reused for 2 s).'),
  runningScope: z.enum(['cluster', 'process']),
});

/** A plugin and its state. */
export const pluginSchema = z
  .object({
    name: z.string(),
    version: z.string(),
    state: z
      .enum(['loaded', 'started', 'failed', 'stopped', 'skipped', 'not-enabled'])
      .describe('skipped: never started because of `dependency`; not-enabled: its folder is present but plugins.enabled does not name it.'),
    error: z.object({ code: z.string().optional(), name: z.string(), message: z.string() }).nullable().describe('Why it is failed or skipped.'),
    dependency: z.string().optional().describe('For a skipped plugin: the dependency that stopped it (missing, out of range, in a cycle, skipped or failed).'),
    startMs: z.number().nullable().describe('Duration of its last successful onStart.'),
    dependencies: z.record(z.string(), z.string()),
    sandbox: z
      .object({
        pid: z.number().int().nullable().describe('Process id of its sandbox; null while none runs (crashed, waiting to restart).'),
        restarts: z.number().int().describe('Restarts after crashes since it was loaded.'),
        recentCrashes: z.number().int().describe('Crashes within plugins.sandbox.crashWindowMs.'),
        lastCrash: z.string().nullable().describe('How its process last ended on its own.'),
      })
      .nullable()
      .optional()
      .describe('Its sandbox process, for a sandboxed plugin; null for one that runs in the host process (absent from hosts older than sandboxes).'),
  })
  .meta({ title: 'Plugin' });
