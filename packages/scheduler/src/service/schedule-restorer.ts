/**
 * Puts back the schedules this process registered when the store lost them: a Redis restarted
 * without persistence, flushed, or with keys evicted.
 *
 * @remarks
 * Plugins register their jobs in `onStart`, once, so a store that forgets them would silence the
 * app until every process restarts. Each process therefore keeps the definition of every job it
 * registered (plugin, decorator and YAML jobs alike, beside the handler) and watches each claim
 * batch: when the store's generation is empty or changed ({@link ClaimBatch.generation}), it puts
 * back every definition it holds; when a claim found schedules gone ({@link ClaimBatch.lost}),
 * it puts back those. The store creates only the ones it lacks ({@link Store.restore}), so
 * processes restoring at once do not step on each other, and a definition another process
 * changed since is left as it is. A restored schedule fires from now on: an interval keeps its
 * phase (its start date when given, else the anchor the store had at registration), a cron its
 * expression, and a one-shot date still ahead fires at its date; one already past is restored
 * exhausted, since whether it ran is lost. Pause state, run counts (`maxRuns`) and history the
 * store lost stay lost.
 */
import type { Logger } from 'pino';
import { scheduleHash } from '../stores/schedule-hash.js';
import type { ClaimBatch, RestoreInput, Store } from '../stores/store.js';
import { nextFireTime } from '../triggers/next-fire-time.js';
import type { LocalJob } from '../runner/run.js';

/** What the {@link ScheduleRestorer} works with (owned by the scheduler). */
export interface ScheduleRestorerDeps {
  readonly store: Store;
  readonly logger: Logger;
  /** This process's owner id (named in the log). */
  readonly owner: string;
  /** Handlers registered in this process, by job id, each with its definition. */
  readonly handlers: ReadonlyMap<string, LocalJob>;
  /** Wakes the runner: restored schedules are due from now on. */
  wake(): void;
  /** The outcome of a restore: the store error, or `null` when it succeeded. */
  reportHealth(error: unknown): void;
}

/** The definition of `job` as it goes back into a store that lost it, fired from `now` on. */
export function restoreInput(job: LocalJob, now: number): RestoreInput {
  const { definition, anchor } = job;
  const trigger = definition.trigger;
  const nextRunAt = trigger.type === 'date' ? (trigger.runDate > now ? trigger.runDate : null) : nextFireTime(trigger, now, { anchor, runs: 0 });
  return { definition, hash: scheduleHash(definition), nextRunAt, anchor };
}

/**
 * Watches claim batches and puts back lost schedules.
 *
 * @example
 * ```ts
 * const restorer = new ScheduleRestorer({ store, logger, owner, handlers, wake, reportHealth });
 * restorer.observe(batch); // each claim batch, from the runner
 * ```
 */
export class ScheduleRestorer {
  /** The store generation this process last saw (`undefined` until the first claim). */
  private seen: string | undefined;
  /** A restore in progress. */
  private running = false;
  /** What to restore next: every job (`all`), or these ids. */
  private wantAll = false;
  private readonly wanted = new Set<string>();

  constructor(private readonly deps: ScheduleRestorerDeps) {}

  /** Looks at one claim batch for signs of lost data. */
  observe(batch: Pick<ClaimBatch, 'generation' | 'lost'>): void {
    const { generation, lost } = batch;
    // While a restore runs, claims still show the generation it is about to replace; a loss
    // after it shows up at the first claim after it.
    if (generation !== undefined && generation !== this.seen && !this.running) {
      // Empty: the data is gone (or was never written). Changed: lost, and put back by someone.
      if (generation === '' || this.seen !== undefined) this.wantAll = true;
      else this.seen = generation;
    }
    if (lost !== undefined) for (const id of lost) if (this.deps.handlers.has(id)) this.wanted.add(id);
    if ((this.wantAll || this.wanted.size > 0) && !this.running) void this.restore();
  }

  private async restore(): Promise<void> {
    this.running = true;
    try {
      while (this.wantAll || this.wanted.size > 0) {
        const all = this.wantAll;
        const ids = all ? [...this.deps.handlers.keys()] : [...this.wanted];
        this.wantAll = false;
        this.wanted.clear();
        try {
          await this.put(ids, all);
          this.deps.reportHealth(null);
        } catch (error) {
          // Tried again at the next claim that shows the loss (the generation stays unseen).
          this.deps.reportHealth(error);
          this.deps.logger.debug({ err: error }, 'putting back lost schedules failed; retrying at the next claim');
          if (!all) for (const id of ids) this.wanted.add(id);
          return;
        }
      }
    } finally {
      this.running = false;
    }
  }

  private async put(ids: readonly string[], all: boolean): Promise<void> {
    const { store, handlers, logger } = this.deps;
    const now = await store.now();
    const inputs: RestoreInput[] = [];
    for (const id of ids) {
      const job = handlers.get(id);
      if (job !== undefined && job.attached) inputs.push(restoreInput(job, now));
    }
    const { created, generation } = await store.restore(inputs);
    if (all && generation !== undefined) this.seen = generation;
    if (created.length === 0) return;
    logger.warn(
      { restored: created.length, owner: this.deps.owner, jobs: created.slice(0, 20) },
      `the store had lost ${created.length} schedule(s) this process registered; put them back, firing from now on (their pause state, run counts and history are lost)`,
    );
    this.deps.wake();
  }
}
