/**
 * The `process` executor: one forked child process per attempt, with a minimal environment, a
 * heap cap, an RSS watchdog and SIGKILL at the deadline.
 *
 * @remarks
 * The child (`workers/process-child.mjs`) gets only the environment variables the job declares
 * (`env: ['DATABASE_URL']`), `--max-old-space-size` from `maxOldGenerationSizeMb`, and the task
 * over the IPC channel (advanced serialization: structured clone). Its answer comes back the same
 * way. The host reads the child's resident memory every `rssCheckInterval` (Linux `/proc`); past
 * `maxRssMb` it SIGKILLs the child. How the child ended decides the run's status: its answer
 * (succeeded or failed), the host's SIGKILL at the deadline (`timed_out`, settled before the
 * child is even reaped), the watchdog's SIGKILL or V8's heap-limit abort (`out_of_memory`), or
 * any other exit before an answer (`crashed`, with the code or signal). At most `maxChildren`
 * children run at once; up to `maxQueue` more attempts wait. Children exit when the host's IPC
 * channel closes and are SIGKILLed when the host exits; one in a busy loop when the host dies
 * (SIGKILL) is SIGKILLed by the guardian (`guardChild` of `@xcore/core`), so none outlives it.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { guardChild } from '@xcore/core';
import { ExecutorQueueFullError, JobCrashedError, JobOutOfMemoryError } from '../errors.js';
import type { ProcessExecutorConfig } from './executor-config.js';
import { IsolatedExecutor, reviveError, type AttemptHandle, type AttemptResult, type AttemptTask, type IsolatedExecutorOptions, type RemoteLogLine } from './isolated-executor.js';
import { workerFile } from './worker-files.js';

/** Options of {@link ProcessExecutor}. */
export interface ProcessExecutorOptions extends IsolatedExecutorOptions {
  /** The validated `services.scheduler.executors.process` section. */
  readonly config: ProcessExecutorConfig;
}

/** Bytes of stderr kept per child, to tell a V8 heap abort from another crash. */
const STDERR_TAIL = 8192;

/** The resident memory of `pid` in bytes, or `undefined` where `/proc` cannot tell (not Linux, already gone). */
function residentBytes(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /VmRSS:\s+(\d+)\s+kB/.exec(status);
    return match === null ? undefined : Number(match[1]) * 1024;
  } catch {
    return undefined;
  }
}

/** Every child alive, SIGKILLed if the host process exits with them still running. */
const liveChildren = new Set<ChildProcess>();
let exitHookInstalled = false;
function trackChild(child: ChildProcess): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const c of liveChildren) c.kill('SIGKILL');
    });
  }
  liveChildren.add(child);
  child.once('exit', () => liveChildren.delete(child));
}

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
  private closed = false;

  constructor(private readonly processOptions: ProcessExecutorOptions) {
    super(processOptions);
  }

  /** Child processes alive now. */
  get childCount(): number {
    return this.children.size;
  }

  protected begin(task: AttemptTask, log: (line: RemoteLogLine) => void): AttemptHandle {
    const { config } = this.processOptions;
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
          return { status: 'failed', error: new ExecutorQueueFullError(`Job "${task.jobId}" attempt ${task.attempt}: ${config.maxChildren} child processes are running and ${this.waiting.length} runs wait (services.scheduler.executors.process.maxQueue); the run did not start.`) };
        }
        await new Promise<void>((resolve) => this.waiting.push(resolve));
      }
      this.running_ += 1;
      try {
        if (cancelled || this.closed) return { status: 'aborted' };
        const spawned = this.spawn(task);
        child = spawned;
        if (signalled !== undefined) spawned.send({ type: 'abort', reason: signalled.message });
        return await this.outcomeOf(spawned, task, log, () => killedFor, () => {
          killedFor = 'rss';
          spawned.kill('SIGKILL');
        });
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
        if (child?.connected === true) child.send({ type: 'abort', reason: reason.message }, () => undefined);
      },
    };
  }

  private spawn(task: AttemptTask): ChildProcess {
    const { config } = this.processOptions;
    const env: Record<string, string> = {};
    for (const name of task.target.env) {
      const value = process.env[name];
      if (value !== undefined) env[name] = value;
    }
    const child = fork(workerFile('process-child.mjs'), [], {
      env,
      execArgv: [`--max-old-space-size=${config.maxOldGenerationSizeMb}`],
      serialization: 'advanced',
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    this.children.add(child);
    trackChild(child);
    // A child in a busy loop never sees the IPC channel close: the guardian kills it if the host dies.
    guardChild(child);
    child.once('exit', () => this.children.delete(child));
    const { target } = task;
    child.send({ type: 'run', task: { module: target.module, export: target.export, jobId: task.jobId, scheduledAt: task.scheduledAt, attempt: task.attempt, args: task.args } }, () => undefined);
    return child;
  }

  /** Waits for the child's answer or its end, watching its resident memory meanwhile. */
  private outcomeOf(child: ChildProcess, task: AttemptTask, log: (line: RemoteLogLine) => void, killedFor: () => 'deadline' | 'rss' | undefined, overRss: () => void): Promise<AttemptResult> {
    const { config } = this.processOptions;
    const label = `Job "${task.jobId}" attempt ${task.attempt}`;
    return new Promise<AttemptResult>((resolve) => {
      let answer: AttemptResult | undefined;
      let stderr = '';
      const lines = (level: RemoteLogLine['level']) => (chunk: Buffer): void => {
        const text = chunk.toString('utf8');
        if (level === 'warn') stderr = (stderr + text).slice(-STDERR_TAIL);
        for (const line of text.split('\n')) if (line.trim() !== '') log({ level, obj: { stream: level === 'warn' ? 'stderr' : 'stdout' }, msg: line });
      };
      child.stdout?.on('data', lines('info'));
      child.stderr?.on('data', lines('warn'));
      const limit = config.maxRssMb * 1024 * 1024;
      const watchdog = setInterval(() => {
        const rss = child.pid === undefined ? undefined : residentBytes(child.pid);
        if (rss !== undefined && rss > limit) overRss();
      }, config.rssCheckInterval);
      watchdog.unref();
      child.on('message', (message: { type?: string; ok?: boolean; result?: unknown; error?: unknown } & RemoteLogLine) => {
        if (message.type === 'log') log(message);
        else if (message.type === 'done' && answer === undefined) {
          answer = message.ok === true ? { status: 'succeeded', result: message.result } : { status: 'failed', error: reviveError(message.error) };
          resolve(answer);
        }
      });
      child.once('error', (error) => {
        clearInterval(watchdog);
        resolve({ status: 'crashed', error: new JobCrashedError(`${label}: its child process could not be started or signalled (${error.message}).`, { cause: error }) });
      });
      child.once('exit', (code, signal) => {
        clearInterval(watchdog);
        if (answer !== undefined) return;
        const why = killedFor();
        if (why === 'rss') {
          resolve({ status: 'out_of_memory', error: new JobOutOfMemoryError(`${label}: its child process passed its resident-memory cap of ${config.maxRssMb} MB (services.scheduler.executors.process.maxRssMb) and was killed.`) });
        } else if (why === 'deadline') {
          resolve({ status: 'aborted' });
        } else if (/heap out of memory|Reached heap limit|Allocation failed/.test(stderr)) {
          resolve({ status: 'out_of_memory', error: new JobOutOfMemoryError(`${label}: its child process passed its heap cap of ${config.maxOldGenerationSizeMb} MB (services.scheduler.executors.process.maxOldGenerationSizeMb) and V8 ended it.`) });
        } else {
          const how = signal === null ? `exited with code ${code ?? 'unknown'}` : `was killed by ${signal}`;
          resolve({ status: 'crashed', error: new JobCrashedError(`${label}: its child process ${how} before the job finished.`) });
        }
      });
    });
  }

  /** SIGKILLs every child still alive (runs in progress were aborted by the drain before). */
  async close(): Promise<void> {
    this.closed = true;
    for (const resolve of this.waiting.splice(0)) resolve();
    const exits = [...this.children].map((child) => new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    }));
    await Promise.all(exits);
  }
}
