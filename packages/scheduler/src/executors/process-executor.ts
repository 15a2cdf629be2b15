/**
 * The `process` executor: one forked child process per attempt (or per `runsPerChild` attempts),
 * with a minimal environment, a heap cap, an RSS watchdog and SIGKILL at the deadline.
 *
 * @remarks
 * The child (`workers/process-child.mjs`) gets only the environment variables the job declares
 * (`env: ['DATABASE_URL']`), `--max-old-space-size` from `maxOldGenerationSizeMb`, and the task
 * over the IPC channel (advanced serialization: structured clone). `warmSpares` children are
 * started ahead of time with an empty environment (the run's message carries the job's variables,
 * set before its module is imported), so a run does not wait for a Node.js start; a job declaring
 * a variable Node reads only at startup (`NODE_OPTIONS`…) gets a child forked with it. With
 * `runsPerChild` above 1 a child that answered is kept (up to `idleTimeout`) for the next run whose
 * declared env has the same values, like a worker thread: module state then persists between them. Its answer comes back the same
 * way. The host reads the child's resident memory every `rssCheckInterval` (Linux `/proc`); past
 * `maxRssMb` it SIGKILLs the child. How the child ended decides the run's status: its answer
 * (succeeded or failed), the host's SIGKILL at the deadline (`timed_out`, settled before the
 * child is even reaped), the watchdog's SIGKILL or V8's heap-limit abort (`out_of_memory`), or
 * any other exit before an answer (`crashed`, with the code or signal). At most `maxChildren`
 * children run at once; up to `maxQueue` more attempts wait. Children exit when the host's IPC
 * channel closes; one in a busy loop never sees it close, and is SIGKILLed by the guardian
 * (`guardChild` of `@xcore/core`) when the host exits, however it exits, so none outlives it.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { guardChild, residentBytes } from '@xcore/core';
import { ExecutorQueueFullError, ExecutorSpawnFailedError, JobCrashedError, JobOutOfMemoryError } from '../errors.js';
import type { ProcessExecutorConfig } from './executor-config.js';
import { IsolatedExecutor, reviveError, type AttemptHandle, type AttemptResult, type AttemptTask, type IsolatedExecutorOptions, type RemoteLogLine } from './isolated-executor.js';
import { workerFile } from './worker-files.js';
import { attemptLabel } from './error-message.js';

/** Options of {@link ProcessExecutor}. */
export interface ProcessExecutorOptions extends IsolatedExecutorOptions {
  /** The validated `services.scheduler.executors.process` section. */
  readonly config: ProcessExecutorConfig;
}

/** Bytes of stderr kept per child, to tell a V8 heap abort from another crash. */
const STDERR_TAIL = 8192;

/** A child the executor holds: a warm spare (no run yet) or one kept for reuse. */
interface Slot {
  readonly child: ChildProcess;
  /** Runs it has served. */
  runs: number;
  /** The declared env values of its runs (a reused child serves only runs with the same), `undefined` for a spare. */
  envKey: string | undefined;
  /** Ends an idle reused child after `idleTimeout`. */
  idleTimer?: NodeJS.Timeout | undefined;
}

/** Whether `child` keeps the host's event loop alive: a child waiting for a run must not. */
function holdLoop(child: ChildProcess, hold: boolean): void {
  type Handle = { ref?: () => void; unref?: () => void } | null | undefined;
  const handles: Handle[] = [child.channel as Handle, child.stdout as Handle, child.stderr as Handle];
  if (hold) child.ref();
  else child.unref();
  for (const handle of handles) {
    if (hold) handle?.ref?.();
    else handle?.unref?.();
  }
}

/** Names Node.js reads only when it starts: a job declaring one gets a child forked with its env. */
const STARTUP_ENV = /^(NODE_|UV_THREADPOOL_SIZE$|OPENSSL_|SSL_CERT_)/;

/**
 * Runs jobs in child processes.
 *
 * @example
 * ```ts
 * const children = new ProcessExecutor({ logger, backoff, config: processExecutorConfigSchema.parse({ maxRssMb: 512 }) });
 * ```
 */
export class ProcessExecutor extends IsolatedExecutor {
  private running_ = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly children = new Set<ChildProcess>();
  /** Ready children: warm spares and children kept for reuse. */
  private readonly idle: Slot[] = [];
  private nextRunId = 0;
  private closed = false;
  /** Whether the last warm spare failed to start (its warning is logged once per failure streak). */
  private spareFailing = false;
  /** `workers/process-child.mjs`, resolved when the executor is created. */
  private readonly childPath: string;

  /** @throws `XCORE_ERR_EXECUTOR_WORKER_MISSING` when the package's child file is missing (a broken install). */
  constructor(private readonly processOptions: ProcessExecutorOptions) {
    super(processOptions);
    this.childPath = workerFile('process-child.mjs');
  }

  /** Child processes alive now (running a job, spare, or kept for reuse). */
  get childCount(): number {
    return this.children.size;
  }

  protected begin(task: AttemptTask, log: (line: RemoteLogLine) => void): AttemptHandle {
    const { config } = this.processOptions;
    const id = ++this.nextRunId;
    let cancelled = false;
    let child: ChildProcess | undefined;
    let killedFor: 'deadline' | 'rss' | undefined;
    const kill = (): void => {
      cancelled = true;
      killedFor ??= 'deadline';
      child?.kill('SIGKILL');
    };
    let signalled: Error | undefined;
    const done = (async (): Promise<AttemptResult> => {
      if (this.running_ >= config.maxChildren) {
        if (this.waiting.length >= config.maxQueue) {
          return { status: 'failed', error: new ExecutorQueueFullError(`${attemptLabel(task.jobId, task.attempt)}: ${config.maxChildren} child processes are running and ${this.waiting.length} runs wait (services.scheduler.executors.process.maxQueue); the run did not start.`) };
        }
        await new Promise<void>((resolve) => this.waiting.push(resolve));
      }
      this.running_ += 1;
      try {
        if (cancelled || this.closed) return { status: 'aborted' };
        const { slot, env, keep } = this.acquire(task);
        child = slot.child;
        const { target } = task;
        slot.child.send({ type: 'run', id, env, keep, task: { module: target.module, export: target.export, jobId: task.jobId, scheduledAt: task.scheduledAt, attempt: task.attempt, args: task.args } }, () => undefined);
        if (signalled !== undefined) slot.child.send({ type: 'abort', id, reason: signalled.message }, () => undefined);
        const result = await this.outcomeOf(slot.child, id, task, log, () => killedFor, () => {
          killedFor = 'rss';
          slot.child.kill('SIGKILL');
        });
        if (keep && result.status !== 'crashed' && result.status !== 'out_of_memory' && killedFor === undefined) this.release(slot);
        return result;
      } finally {
        this.running_ -= 1;
        this.waiting.shift()?.();
      }
    })();
    return {
      done,
      kill,
      signal: (reason) => {
        signalled = reason;
        if (child?.connected === true) child.send({ type: 'abort', id, reason: reason.message }, () => undefined);
      },
    };
  }

  /**
   * A child for `task`: one kept for reuse whose runs declared the same env values, else a warm
   * spare, else a new one. A job declaring a variable Node.js reads at startup (`NODE_OPTIONS`…)
   * gets a child forked with its env, used once.
   */
  private acquire(task: AttemptTask): { slot: Slot; env: Record<string, string>; keep: boolean } {
    const { config } = this.processOptions;
    const env: Record<string, string> = {};
    for (const name of task.target.env) {
      const value = process.env[name];
      if (value !== undefined) env[name] = value;
    }
    if (task.target.env.some((name) => STARTUP_ENV.test(name))) {
      return { slot: { child: this.spawn(env), runs: 0, envKey: undefined }, env, keep: false };
    }
    const envKey = JSON.stringify(Object.entries(env).sort(([a], [b]) => (a < b ? -1 : 1)));
    const ready = (s: Slot): boolean => s.child.connected && s.child.exitCode === null && s.child.signalCode === null;
    let index = this.idle.findIndex((s) => s.envKey === envKey && ready(s));
    if (index === -1) index = this.idle.findIndex((s) => s.envKey === undefined && ready(s));
    const slot = index === -1 ? { child: this.spawn({}), runs: 0, envKey: undefined } : this.idle.splice(index, 1)[0]!;
    clearTimeout(slot.idleTimer);
    slot.idleTimer = undefined;
    holdLoop(slot.child, true);
    slot.runs += 1;
    slot.envKey = envKey;
    // The next spare starts now, after this run's message is on its way.
    setImmediate(() => this.replenish());
    return { slot, env, keep: slot.runs < config.runsPerChild };
  }

  /** Keeps `slot` for the next run with its env (it served fewer than `runsPerChild`). */
  private release(slot: Slot): void {
    const { child } = slot;
    if (this.closed || child.exitCode !== null || child.signalCode !== null || !child.connected) return;
    this.idle.push(slot);
    holdLoop(child, false);
    slot.idleTimer = setTimeout(() => child.kill('SIGKILL'), this.processOptions.config.idleTimeout);
    slot.idleTimer.unref();
  }

  /**
   * Starts warm spares until `warmSpares` wait. A fork the OS refuses is logged (once per failure
   * streak) and tried again at the next run: it runs from `setImmediate`, where a throw would end
   * the host.
   */
  private replenish(): void {
    if (this.closed) return;
    let spares = this.idle.filter((s) => s.envKey === undefined).length;
    for (; spares < this.processOptions.config.warmSpares; spares++) {
      let child: ChildProcess;
      try {
        child = this.spawn({});
      } catch (err) {
        if (!this.spareFailing) this.processOptions.logger.warn({ err }, 'process executor: a warm spare child could not start; runs start their own child until one can');
        this.spareFailing = true;
        return;
      }
      this.spareFailing = false;
      holdLoop(child, false);
      this.idle.push({ child, runs: 0, envKey: undefined });
    }
  }

  /** @throws `XCORE_ERR_EXECUTOR_SPAWN_FAILED` when the OS refuses the fork. */
  private spawn(env: Record<string, string>): ChildProcess {
    const { config } = this.processOptions;
    let child: ChildProcess;
    try {
      child = fork(this.childPath, [], {
        env,
        execArgv: [`--max-old-space-size=${config.maxOldGenerationSizeMb}`],
        serialization: 'advanced',
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      });
    } catch (cause) {
      const reason = cause instanceof Error ? cause.message : String(cause);
      throw new ExecutorSpawnFailedError(
        `process executor: could not start a child process for ${this.childPath} (${reason}). Raise the host's process or memory limits (ulimit -u, free memory) or lower services.scheduler.executors.process.maxChildren / warmSpares.`,
        { cause },
      );
    }
    this.children.add(child);
    // A child in a busy loop never sees the IPC channel close: the guardian kills it when the host
    // exits, however it exits (process.exit, a crash, SIGKILL).
    guardChild(child);
    child.once('exit', () => {
      this.children.delete(child);
      const at = this.idle.findIndex((slot) => slot.child === child);
      if (at !== -1) clearTimeout(this.idle.splice(at, 1)[0]!.idleTimer);
    });
    // A spare's output before its first run has no run to go to.
    child.once('error', () => undefined);
    return child;
  }

  /** Waits for the child's answer to run `id` or its end, watching its resident memory meanwhile. */
  private outcomeOf(child: ChildProcess, id: number, task: AttemptTask, log: (line: RemoteLogLine) => void, killedFor: () => 'deadline' | 'rss' | undefined, overRss: () => void): Promise<AttemptResult> {
    const { config } = this.processOptions;
    const label = attemptLabel(task.jobId, task.attempt);
    return new Promise<AttemptResult>((resolve) => {
      let stderr = '';
      let settled = false;
      const lines = (level: RemoteLogLine['level']) => (chunk: Buffer): void => {
        const text = chunk.toString('utf8');
        if (level === 'warn') stderr = (stderr + text).slice(-STDERR_TAIL);
        for (const line of text.split('\n')) if (line.trim() !== '') log({ level, obj: { stream: level === 'warn' ? 'stderr' : 'stdout' }, msg: line });
      };
      const onStdout = lines('info');
      const onStderr = lines('warn');
      const limit = config.maxRssMb * 1024 * 1024;
      const watchdog = setInterval(() => {
        const rss = child.pid === undefined ? undefined : residentBytes(child.pid);
        if (rss !== undefined && rss > limit) overRss();
      }, config.rssCheckInterval);
      watchdog.unref();
      const finish = (result: AttemptResult): void => {
        if (settled) return;
        settled = true;
        clearInterval(watchdog);
        child.stdout?.off('data', onStdout);
        child.stderr?.off('data', onStderr);
        child.off('message', onMessage);
        child.off('error', onError);
        child.off('exit', onExit);
        resolve(result);
      };
      const onMessage = (message: { type?: string; id?: number; ok?: boolean; result?: unknown; error?: unknown } & RemoteLogLine): void => {
        if (message.type === 'log') log(message);
        else if (message.type === 'done' && message.id === id) {
          finish(message.ok === true ? { status: 'succeeded', result: message.result } : { status: 'failed', error: reviveError(message.error) });
        }
      };
      const onError = (error: Error): void => {
        finish({ status: 'crashed', error: new JobCrashedError(`${label}: its child process could not be started or signalled (${error.message}).`, { cause: error }) });
      };
      const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
        const why = killedFor();
        if (why === 'rss') {
          finish({ status: 'out_of_memory', error: new JobOutOfMemoryError(`${label}: its child process passed its resident-memory cap of ${config.maxRssMb} MB (services.scheduler.executors.process.maxRssMb) and was killed.`) });
        } else if (why === 'deadline') {
          finish({ status: 'aborted' });
        } else if (/heap out of memory|Reached heap limit|Allocation failed/.test(stderr)) {
          finish({ status: 'out_of_memory', error: new JobOutOfMemoryError(`${label}: its child process passed its heap cap of ${config.maxOldGenerationSizeMb} MB (services.scheduler.executors.process.maxOldGenerationSizeMb) and V8 ended it.`) });
        } else {
          const how = signal === null ? `exited with code ${code ?? 'unknown'}` : `was killed by ${signal}`;
          finish({ status: 'crashed', error: new JobCrashedError(`${label}: its child process ${how} before the job finished.`) });
        }
      };
      child.stdout?.on('data', onStdout);
      child.stderr?.on('data', onStderr);
      child.on('message', onMessage);
      child.once('error', onError);
      child.once('exit', onExit);
      if (child.exitCode !== null || child.signalCode !== null) onExit(child.exitCode, child.signalCode);
    });
  }

  /** SIGKILLs every child still alive (runs in progress were aborted by the drain before). */
  async close(): Promise<void> {
    this.closed = true;
    for (const resolve of this.waiting.splice(0)) resolve();
    for (const slot of this.idle.splice(0)) clearTimeout(slot.idleTimer);
    const exits = [...this.children].map((child) => new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      // An idle child holds no handle on the loop: without one, the loop could end before its exit is seen.
      holdLoop(child, true);
      child.kill('SIGKILL');
    }));
    await Promise.all(exits);
  }
}
