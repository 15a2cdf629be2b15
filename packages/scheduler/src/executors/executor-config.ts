/**
 * The zod schemas of `services.scheduler.executors` (and `new Scheduler({ executors })`) and of a
 * job's executor choice.
 *
 * @remarks
 * Strict like every config section: an unknown key is an error the config loader points at by
 * line. Durations accept milliseconds or text (`"30s"`) and come out as milliseconds.
 */
import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { duration } from '@xcore/core';
import { integerIn } from '../config/option-schemas.js';

/** The executors a job can run on. */
export const EXECUTOR_NAMES = ['inline', 'thread', 'process'] as const;

/** Where a job runs: `inline` (the event loop), `thread` (a worker-thread pool) or `process` (a child process per run). */
export const executorNameValue = z.enum(EXECUTOR_NAMES);

/** Largest heap or memory cap accepted, MB (1 TB): anything larger is a typo. */
const MAX_MB = 1_048_576;

/** The worker-thread pool's V8 limits (Node's `Worker` `resourceLimits`). */
const resourceLimitsSchema = z.strictObject({
  /** Old-generation heap cap of each worker, MB; a run past it is recorded as `out_of_memory`. @defaultValue `256` */
  maxOldGenerationSizeMb: integerIn(16, MAX_MB).default(256).describe('Heap cap of each worker thread, MB (16 to 1048576); a run past it is recorded out_of_memory and the worker replaced. Default 256.'),
  /** Young-generation size of each worker, MB. @defaultValue V8's choice */
  maxYoungGenerationSizeMb: integerIn(1, MAX_MB).optional().describe('Young-generation size of each worker, MB. Default: V8\'s choice.'),
  /** Code range of each worker, MB. @defaultValue V8's choice */
  codeRangeSizeMb: integerIn(1, MAX_MB).optional().describe('Code range of each worker, MB. Default: V8\'s choice.'),
  /** Stack size of each worker, MB. @defaultValue `4` */
  stackSizeMb: integerIn(1, 1024).optional().describe('Stack size of each worker thread, MB. Default 4.'),
});

/** `services.scheduler.executors.thread`: the worker-thread pool (piscina). */
export const threadExecutorConfigSchema = z
  .strictObject({
    /** Threads kept alive while idle (started on the first `thread` job). @defaultValue `1` */
    minThreads: integerIn(0, 1024).default(1).describe('Worker threads kept alive while idle, 0 to 1024 (the pool starts with the first thread job). Default 1.'),
    /** Most threads running jobs at once. @defaultValue the machine's parallelism minus one, at least 1 */
    maxThreads: integerIn(1, 1024).optional().describe('Most worker threads running jobs at once, 1 to 1024. Default: available parallelism minus one, at least 1.'),
    /** An idle thread above `minThreads` ends after this long. @defaultValue `30000` */
    idleTimeout: duration({ min: 0, max: 86_400_000 }).default(30_000).describe('An idle worker above minThreads ends after this long (0 to 1d). Default 30s.'),
    /** Runs waiting for a free thread; past it a run fails with `XCORE_ERR_EXECUTOR_QUEUE_FULL`. @defaultValue `1000` */
    maxQueue: integerIn(0, 1_000_000).default(1000).describe('Runs waiting for a free thread (0 to 1000000); past it a run fails with XCORE_ERR_EXECUTOR_QUEUE_FULL. Default 1000.'),
    /**
     * Buffers, ArrayBuffers and typed arrays of each worker (memory outside the V8 heap), MB; an
     * allocation past it is refused and the run recorded as `out_of_memory`. @defaultValue `1024`
     */
    maxBufferMb: integerIn(1, MAX_MB).default(1024).describe('Cap on the Buffers, ArrayBuffers and typed arrays of each worker thread (memory outside its V8 heap), MB (1 to 1048576): an allocation past it is refused, the run recorded out_of_memory and the worker replaced. Default 1024.'),
    /** V8 limits of each worker. */
    resourceLimits: resourceLimitsSchema.prefault({}).describe('V8 limits of each worker thread (Node\'s Worker resourceLimits).'),
  })
  .superRefine((cfg, ctx) => {
    if (cfg.maxThreads !== undefined && cfg.minThreads > cfg.maxThreads) {
      ctx.addIssue({ code: 'custom', path: ['minThreads'], message: `minThreads (${cfg.minThreads}) is above maxThreads (${cfg.maxThreads}); lower minThreads or raise maxThreads` });
    }
  });

/** `services.scheduler.executors.process`: a child process per run. */
export const processExecutorConfigSchema = z.strictObject({
  /** Child processes running jobs at once; more runs wait. @defaultValue `4` */
  maxChildren: integerIn(1, 1024).default(4).describe('Child processes running jobs at once (1 to 1024); more runs wait. Default 4.'),
  /** Runs waiting for a free child; past it a run fails with `XCORE_ERR_EXECUTOR_QUEUE_FULL`. @defaultValue `1000` */
  maxQueue: integerIn(0, 1_000_000).default(1000).describe('Runs waiting for a free child (0 to 1000000); past it a run fails with XCORE_ERR_EXECUTOR_QUEUE_FULL. Default 1000.'),
  /** Heap cap of each child (`--max-old-space-size`), MB. @defaultValue `256` */
  maxOldGenerationSizeMb: integerIn(16, MAX_MB).default(256).describe('Heap cap of each child (--max-old-space-size), MB (16 to 1048576). Default 256.'),
  /** A child whose resident memory passes this is killed and its run recorded as `out_of_memory`. @defaultValue `1024` */
  maxRssMb: integerIn(32, MAX_MB).default(1024).describe('Resident-memory cap of each child, MB (32 to 1048576): past it the child is killed (SIGKILL) and the run recorded out_of_memory (Linux: read from /proc). Default 1024.'),
  /** Children started ahead of time with no job, ready for the next run. @defaultValue `1` */
  warmSpares: integerIn(0, 64).default(1).describe('Children started ahead of time (empty environment, no job loaded) so the next run does not wait for a Node.js start, 0 to 64 (started with the first process job). Default 1.'),
  /** Runs one child serves before it exits; `1` is a fresh process for every run. @defaultValue `1` */
  runsPerChild: integerIn(1, 1_000_000).default(1).describe('Runs one child serves before it exits (1 to 1000000). 1 (the default): a fresh process for every run. Above 1, a child that finished a run waits for the next run whose declared env has the same values, keeping its loaded modules (like a worker thread): far cheaper per run.'),
  /** A reused child idle this long exits. @defaultValue `30000` */
  idleTimeout: duration({ min: 0, max: 86_400_000 }).default(30_000).describe('A child kept for reuse (runsPerChild above 1) exits after this long idle (0 to 1d). Default 30s.'),
  /** How often the RSS watchdog samples each child. @defaultValue `50` */
  rssCheckInterval: duration({ min: 10, max: 60_000 }).default(50).describe('How often the RSS watchdog samples each child (10ms to 1m). Default 50ms.'),
});

/** `services.scheduler.executors`: the pools behind `executor: thread` and `executor: process`. */
export const executorsConfigSchema = z.strictObject({
  thread: threadExecutorConfigSchema.prefault({}).describe('The worker-thread pool behind executor: thread.'),
  process: processExecutorConfigSchema.prefault({}).describe('The child processes behind executor: process.'),
});

/** Validated `services.scheduler.executors`. */
export type ExecutorsConfig = z.output<typeof executorsConfigSchema>;
/** Validated `services.scheduler.executors.thread`. */
export type ThreadExecutorConfig = z.output<typeof threadExecutorConfigSchema>;
/** Validated `services.scheduler.executors.process`. */
export type ProcessExecutorConfig = z.output<typeof processExecutorConfigSchema>;
/** `executors` as given to `new Scheduler(...)` (every field optional). */
export type ExecutorsOptions = z.input<typeof executorsConfigSchema>;

/** The default `maxThreads`: every core but one for the event loop, at least one. */
export function defaultMaxThreads(): number {
  return Math.max(1, availableParallelism() - 1);
}
