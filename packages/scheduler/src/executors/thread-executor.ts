/**
 * The `thread` executor: runs a module's export in a worker-thread pool (piscina), with a hard
 * deadline that terminates the worker.
 *
 * @remarks
 * The pool starts with the first run or probe, so an app with no `thread` job starts no thread.
 * Each attempt is one piscina task carrying a MessagePort: the job's log lines come back through
 * it, and the drain's abort goes out through it. At the deadline (or an abort) the task's piscina
 * signal is aborted, which terminates the worker mid-job; piscina starts a replacement to keep
 * `minThreads`. A worker that passes its `resourceLimits` heap is ended by V8
 * (`ERR_WORKER_OUT_OF_MEMORY`): the run is `out_of_memory`. A worker that exits on its own
 * (`process.exit` in a worker ends that thread, and so does a signal the job sends its own
 * process: the worker's `process.kill` turns it into exit code 128 + signal) is `crashed`. A real
 * native crash (a faulting addon) still ends the whole process: use `process` for such code. Each worker imports a job's module
 * once and keeps it, so module state is shared by the runs a worker serves (not across workers).
 * `resourceLimits` caps the V8 heap only; memory outside it (Buffers, ArrayBuffers, typed arrays)
 * is capped by `maxBufferMb`, checked in the worker before each allocation
 * (`workers/buffer-budget.mjs`): past it the allocation is refused, the worker reports it, and the
 * run is `out_of_memory` with the worker ended.
 */
import { MessageChannel } from 'node:worker_threads';
import { lazyModule } from '../lazy-module.js';
import type { Piscina } from 'piscina';
import { JobCrashedError, JobExecutorInvalidError, JobOutOfMemoryError, ExecutorQueueFullError } from '../errors.js';
import { defaultMaxThreads, type ThreadExecutorConfig } from './executor-config.js';
import { IsolatedExecutor, reviveError, type AttemptHandle, type AttemptResult, type AttemptTask, type IsolatedExecutorOptions, type RemoteLogLine } from './isolated-executor.js';
import { workerFile } from './worker-files.js';
import type { ModuleTarget } from './executor.js';
import { attemptLabel, errorMessage } from './error-message.js';

/** Options of {@link ThreadExecutor}. */
export interface ThreadExecutorOptions extends IsolatedExecutorOptions {
  /** The validated `services.scheduler.executors.thread` section. */
  readonly config: ThreadExecutorConfig;
}

/** How often the host samples a running worker's external memory (where Node.js can). */
const EXTERNAL_SAMPLE_MS = 100;

/** Longest wait for a finished job's last log lines (they normally arrive with its answer). */
const LOG_END_WAIT_MS = 1_000;

/** Resolves when `promise` does or after `ms`. */
function waitAtMost(promise: Promise<void>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    void promise.then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** What the worker answers for one attempt. */
type WorkerAnswer = { readonly ok: true; readonly result?: unknown } | { readonly ok: false; readonly error: unknown };

/** The piscina module, loaded by the first thread pool of the process (see `lazyModule`). */
const piscina = lazyModule<typeof import('piscina')>('piscina');

/**
 * Runs jobs on worker threads.
 *
 * @example
 * ```ts
 * const threads = new ThreadExecutor({ logger, backoff, config: threadExecutorConfigSchema.parse({}) });
 * await threads.probe({ executor: 'thread', module: pathToFileURL('/app/jobs/hash.js').href, export: 'default', env: [] }, 'hash');
 * ```
 */
export class ThreadExecutor extends IsolatedExecutor {
  private pool: Piscina | undefined;
  private closed = false;
  /** `workers/thread-worker.mjs`, resolved when the executor is created. */
  private readonly workerPath: string;

  /** @throws `XCORE_ERR_EXECUTOR_WORKER_MISSING` when the package's worker file is missing (a broken install). */
  constructor(private readonly threadOptions: ThreadExecutorOptions) {
    super(threadOptions);
    this.workerPath = workerFile('thread-worker.mjs');
  }

  /** Threads alive now (for tests and the shutdown check). */
  get threads(): number {
    return this.pool?.threads.length ?? 0;
  }

  private poolOf(): Piscina {
    if (this.pool !== undefined) return this.pool;
    const { config, logger } = this.threadOptions;
    const maxThreads = config.maxThreads ?? Math.max(defaultMaxThreads(), config.minThreads);
    const limits = config.resourceLimits;
    const { Piscina: Pool } = piscina();
    this.pool = new Pool({
      filename: this.workerPath,
      name: 'default',
      minThreads: Math.min(config.minThreads, maxThreads),
      maxThreads,
      idleTimeout: config.idleTimeout,
      maxQueue: config.maxQueue,
      // A killed worker must not take others' tasks with it: one task per worker at a time.
      concurrentTasksPerWorker: 1,
      resourceLimits: {
        maxOldGenerationSizeMb: limits.maxOldGenerationSizeMb,
        ...(limits.maxYoungGenerationSizeMb === undefined ? {} : { maxYoungGenerationSizeMb: limits.maxYoungGenerationSizeMb }),
        ...(limits.codeRangeSizeMb === undefined ? {} : { codeRangeSizeMb: limits.codeRangeSizeMb }),
        ...(limits.stackSizeMb === undefined ? {} : { stackSizeMb: limits.stackSizeMb }),
      },
    });
    // A worker that fails with no task (while idle, or while starting) must not crash the host.
    this.pool.on('error', (error: unknown) => logger.warn({ err: error }, 'thread executor: a worker thread failed outside a run; piscina replaces it'));
    return this.pool;
  }

  /**
   * Imports `target` in a worker and checks its export is a function (when a job is added).
   *
   * @throws `XCORE_ERR_JOB_EXECUTOR_INVALID` naming the job, the module and what was found.
   */
  async probe(target: ModuleTarget, jobId: string): Promise<void> {
    let answer: WorkerAnswer;
    try {
      answer = (await this.poolOf().run({ probe: true, module: target.module, export: target.export })) as WorkerAnswer;
    } catch (cause) {
      throw new JobExecutorInvalidError(`Job "${jobId}": module ${target.module} could not be loaded in a worker thread (${errorMessage(cause)}). Nothing was stored.`, { cause });
    }
    if (!answer.ok) {
      throw new JobExecutorInvalidError(`Job "${jobId}": ${reviveError(answer.error).message}. Fix module/export (executor "${target.executor}"); nothing was stored.`);
    }
  }

  protected begin(task: AttemptTask, log: (line: RemoteLogLine) => void): AttemptHandle {
    const kill = new AbortController();
    const { port1, port2 } = new MessageChannel();
    let linesEnded: () => void = () => undefined;
    // The worker sends `end` after the job's last log line: its answer (on piscina's own port) is
    // held until then, so every line is logged before the run is recorded.
    const ended = new Promise<void>((resolve) => (linesEnded = resolve));
    // The worker refused an allocation past its buffer budget: the run is out of memory, and the
    // worker is ended (whatever the job did with the error).
    let overrun: (result: AttemptResult) => void = () => undefined;
    const outOfBuffers = new Promise<AttemptResult>((resolve) => (overrun = resolve));
    const { maxBufferMb } = this.threadOptions.config;
    const label = attemptLabel(task.jobId, task.attempt);
    const mb = (n: number | undefined): number => Math.round((n ?? 0) / 1_048_576);
    let sampler: NodeJS.Timeout | undefined;
    const outOfMemory = (what: string): void => {
      clearInterval(sampler);
      overrun({ status: 'out_of_memory', error: new JobOutOfMemoryError(`${label}: ${what} (services.scheduler.executors.thread.maxBufferMb); the worker was ended.`) });
      setImmediate(() => kill.abort());
    };
    port1.on('message', (message: { type?: string; used?: number; requested?: number; threadId?: number } & RemoteLogLine) => {
      if (message.type === 'log') log(message);
      else if (message.type === 'end') linesEnded();
      else if (message.type === 'oom') {
        outOfMemory(`its worker thread's Buffers and ArrayBuffers would have passed their cap of ${maxBufferMb} MB (${mb(message.used)} MB in use, ${mb(message.requested)} MB more asked for); the allocation was refused`);
      } else if (message.type === 'thread' && typeof message.threadId === 'number') {
        sampler = this.sampleExternal(message.threadId, maxBufferMb * 1_048_576, (used) => outOfMemory(`its worker thread's memory outside the V8 heap reached ${mb(used)} MB, past its cap of ${maxBufferMb} MB`));
      }
    });
    port1.unref();
    const { target } = task;
    const ran = this.poolOf()
      .run(
        { module: target.module, export: target.export, jobId: task.jobId, scheduledAt: task.scheduledAt, attempt: task.attempt, args: task.args, port: port2, maxBufferBytes: maxBufferMb * 1_048_576 },
        { signal: kill.signal, transferList: [port2] },
      )
      .then(
        async (answer: WorkerAnswer): Promise<AttemptResult> => {
          await waitAtMost(ended, LOG_END_WAIT_MS);
          return answer.ok ? { status: 'succeeded', result: answer.result } : { status: 'failed', error: reviveError(answer.error) };
        },
        (error: unknown): AttemptResult => workerFailure(task, error),
      )
      .finally(() => {
        clearInterval(sampler);
        port1.close();
      });
    const done = Promise.race([ran, outOfBuffers]);
    return {
      done,
      kill: () => kill.abort(),
      signal: (reason) => {
        try {
          port1.postMessage({ type: 'abort', reason: reason.message });
        } catch {
          // The attempt already ended.
        }
      },
    };
  }

  /**
   * Samples the external memory of worker `threadId` from the host every 100 ms, where Node.js can
   * (`Worker#getHeapStatistics`, Node 22.16 and 24): unlike the checks inside the worker, this sees
   * memory taken by any path while the job never yields. `undefined` where Node cannot.
   */
  private sampleExternal(threadId: number, limit: number, over: (used: number) => void): NodeJS.Timeout | undefined {
    const worker = this.pool?.threads.find((w) => w.threadId === threadId) as { getHeapStatistics?: () => Promise<{ external_memory?: number }> } | undefined;
    if (typeof worker?.getHeapStatistics !== 'function') return undefined;
    const read = worker.getHeapStatistics.bind(worker);
    const timer = setInterval(() => {
      read().then(
        (stats) => {
          if ((stats.external_memory ?? 0) > limit) over(stats.external_memory ?? 0);
        },
        () => undefined,
      );
    }, EXTERNAL_SAMPLE_MS);
    timer.unref();
    return timer;
  }

  /** Terminates every worker (runs in progress were aborted by the drain before). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const pool = this.pool;
    this.pool = undefined;
    await pool?.destroy();
  }
}

/** Why a piscina task rejected, as the run's status: out of memory, queue full, or a crash. */
function workerFailure(task: AttemptTask, error: unknown): AttemptResult {
  const code = (error as { code?: unknown } | null)?.code;
  const label = attemptLabel(task.jobId, task.attempt);
  if (code === 'ERR_WORKER_OUT_OF_MEMORY') {
    return { status: 'out_of_memory', error: new JobOutOfMemoryError(`${label}: its worker thread passed its heap cap (services.scheduler.executors.thread.resourceLimits.maxOldGenerationSizeMb) and was ended; a new worker replaces it.`, { cause: error }) };
  }
  const message = errorMessage(error);
  if (message === 'Task queue is at limit') {
    return { status: 'failed', error: new ExecutorQueueFullError(`${label}: the thread pool's queue is full (services.scheduler.executors.thread.maxQueue); the run did not start.`, { cause: error }) };
  }
  if ((error as { name?: unknown } | null)?.name === 'AbortError') {
    // Our own kill (deadline or abort): the run was already settled; this result is not used.
    return { status: 'aborted', error };
  }
  return { status: 'crashed', error: new JobCrashedError(`${label}: its worker thread ended before the job did (${message}); a new worker replaces it.`, { cause: error }) };
}
