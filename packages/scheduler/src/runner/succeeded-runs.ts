/**
 * The runs of one dispatched batch that succeeded at their first attempt, held as columns until
 * the batch ends, then written to history and counted in one call each (see `run.ts`).
 *
 * @remarks
 * Pure data structure, no I/O. At 100k runs a second, a record object, a finished-run event and
 * their store and metrics calls per run were a third of a fire's time; a run here is five writes
 * into arrays that are reused from batch to batch.
 */
import type { ScheduleDefinition, SucceededRuns } from '../stores/store.js';

/** Columns allocated at first; they double when a batch holds more runs. */
const INITIAL_CAPACITY = 256;

/**
 * A growable set of {@link SucceededRuns} columns.
 *
 * @example
 * ```ts
 * const runs = new SucceededRunColumns('host:1');
 * runs.push(definition, scheduledAt, startedAt, finishedAt, 20);
 * store.recordSucceededNow(runs);
 * runs.clear();
 * ```
 */
export class SucceededRunColumns implements SucceededRuns {
  count = 0;
  readonly definitions: (ScheduleDefinition | undefined)[] = [];
  scheduledAt = new Float64Array(INITIAL_CAPACITY);
  startedAt = new Float64Array(INITIAL_CAPACITY);
  finishedAt = new Float64Array(INITIAL_CAPACITY);
  historyLimits = new Int32Array(INITIAL_CAPACITY);

  /** @param owner - the process that runs them (`RunRecord.owner`). */
  constructor(readonly owner: string) {}

  /** Appends one run. */
  push(definition: ScheduleDefinition, scheduledAt: number, startedAt: number, finishedAt: number, historyLimit: number): void {
    const k = this.count;
    if (k === this.scheduledAt.length) this.grow();
    this.definitions[k] = definition;
    this.scheduledAt[k] = scheduledAt;
    this.startedAt[k] = startedAt;
    this.finishedAt[k] = finishedAt;
    this.historyLimits[k] = historyLimit;
    this.count = k + 1;
  }

  /** Empties the columns; no definition stays reachable from them. */
  clear(): void {
    const { definitions } = this;
    for (let k = 0; k < this.count; k++) definitions[k] = undefined;
    this.count = 0;
  }

  private grow(): void {
    const size = 2 * this.scheduledAt.length;
    this.scheduledAt = widened(this.scheduledAt, new Float64Array(size));
    this.startedAt = widened(this.startedAt, new Float64Array(size));
    this.finishedAt = widened(this.finishedAt, new Float64Array(size));
    this.historyLimits = widened(this.historyLimits, new Int32Array(size));
  }
}

/** `to` holding a copy of `from` at its start. */
function widened<T extends Float64Array | Int32Array>(from: T, to: T): T {
  to.set(from);
  return to;
}
