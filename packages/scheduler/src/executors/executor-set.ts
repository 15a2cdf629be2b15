/**
 * The executors of one scheduler: inline always, `thread` and `process` created on first use.
 */
import type { Logger } from 'pino';
import { ThreadExecutor } from './thread-executor.js';
import { ProcessExecutor } from './process-executor.js';
import type { InlineExecutor } from './inline-executor.js';
import type { ActiveExecution, ExecutionInfo, Executor, ExecutorName, ModuleTarget } from './executor.js';
import type { ExecutorsConfig } from './executor-config.js';
import type { IsolatedExecutorOptions } from './isolated-executor.js';

/** Dependencies of {@link ExecutorSet}. */
export interface ExecutorSetOptions {
  readonly inline: InlineExecutor;
  /** The validated `executors` section. */
  readonly config: ExecutorsConfig;
  readonly logger: Logger;
  readonly backoff: IsolatedExecutorOptions['backoff'];
  readonly onAttempt: IsolatedExecutorOptions['onAttempt'];
}

/**
 * Every executor of a scheduler, seen as one: runs in progress, abort, drain, close.
 *
 * @example
 * ```ts
 * const executors = new ExecutorSet({ inline, config, logger, backoff, onAttempt });
 * const executor = executors.get('thread');
 * ```
 */
export class ExecutorSet {
  private thread: ThreadExecutor | undefined;
  private process: ProcessExecutor | undefined;

  constructor(private readonly options: ExecutorSetOptions) {}

  /** The executor named `name` (a pool is created on first use). */
  get(name: ExecutorName): Executor {
    if (name === 'inline') return this.options.inline;
    if (name === 'thread') return this.threads();
    return this.children();
  }

  private threads(): ThreadExecutor {
    this.thread ??= new ThreadExecutor({ ...this.isolatedOptions(), config: this.options.config.thread });
    return this.thread;
  }

  private children(): ProcessExecutor {
    this.process ??= new ProcessExecutor({ ...this.isolatedOptions(), config: this.options.config.process });
    return this.process;
  }

  /** What the `thread` and `process` executors both take. */
  private isolatedOptions(): IsolatedExecutorOptions {
    const { logger, backoff, onAttempt } = this.options;
    return { logger, backoff, ...(onAttempt === undefined ? {} : { onAttempt }) };
  }

  /** Imports a module job's module in a worker thread and checks its export (when the job is added). */
  probe(target: ModuleTarget, jobId: string): Promise<void> {
    return this.threads().probe(target, jobId);
  }

  private all(): Executor[] {
    const list: Executor[] = [this.options.inline];
    if (this.thread !== undefined) list.push(this.thread);
    if (this.process !== undefined) list.push(this.process);
    return list;
  }

  /** Runs `runs` (one dispatched batch) with the inline executor's clock reads chained ({@link InlineExecutor.chained}). */
  chained(runs: () => void): void {
    this.options.inline.chained(runs);
  }

  /** Work other than a run happens now: the next inline run reads the clock ({@link InlineExecutor.unchain}). */
  unchain(): void {
    this.options.inline.unchain();
  }

  /** Runs in progress on every executor. */
  get running(): ReadonlySet<ActiveExecution> {
    if (this.thread === undefined && this.process === undefined) return this.options.inline.running;
    const out = new Set<ActiveExecution>();
    for (const executor of this.all()) for (const run of executor.running) out.add(run);
    return out;
  }

  /** Aborts the runs `filter` selects on every executor; returns how many. */
  abortAll(reason: Error, filter?: (request: ExecutionInfo) => boolean): number {
    let n = 0;
    for (const executor of this.all()) n += executor.abortAll(reason, filter);
    return n;
  }

  /** The drain began: off-loop runs get their signal (see {@link Executor.signalAll}). */
  signalAll(reason: Error): void {
    for (const executor of this.all()) executor.signalAll(reason);
  }

  /** Closes every executor: no worker thread or child process is left. */
  async close(): Promise<void> {
    await Promise.all(this.all().map((executor) => executor.close()));
  }

  /** Worker threads and child processes alive now (for tests and shutdown checks). */
  get isolated(): { readonly threads: number; readonly children: number } {
    return { threads: this.thread?.threads ?? 0, children: this.process?.childCount ?? 0 };
  }
}
