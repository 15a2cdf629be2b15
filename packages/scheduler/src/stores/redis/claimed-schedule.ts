/**
 * Decoding schedule hashes read by the {@link RedisStore}: eagerly for `get` and `list`, and for
 * claims as one object whose `lastRun` is parsed only when read.
 *
 * @remarks
 * Pure: no I/O. Claims go to the runner, which never reads `lastRun`; parsing each claim's
 * last-run JSON allocated a record object per firing (at 10k firings a second, young-generation
 * garbage that lengthened the scavenges behind the lateness tail). The raw JSON read with the
 * claim is kept instead, so the value is the one of the claim, as with a parsed snapshot.
 */
import type { Claim, RunRecord, ScheduleDefinition, ScheduleState, StoredSchedule } from '../store.js';

/** Schedule hash fields in `SCHEDULE_FIELDS` order (keys.ts), as scripts and HMGET return them. */
export type ScheduleFields = ReadonlyArray<string | null>;

/** Decodes a schedule hash read in `SCHEDULE_FIELDS` order into a plain snapshot. */
export function decodeSchedule(fields: ScheduleFields, definition: ScheduleDefinition): StoredSchedule {
  const [, hash, next, paused, runs, anchor, created, updated, last, token] = fields;
  return {
    definition,
    state: {
      nextRunAt: next ? Number(next) : null,
      paused: paused === '1',
      runs: Number(runs ?? 0),
      anchor: Number(anchor ?? 0),
      createdAt: Number(created ?? 0),
      updatedAt: Number(updated ?? 0),
      lastRun: last ? (JSON.parse(last) as RunRecord) : null,
      hash: hash ?? '',
      token: Number(token ?? 0),
    },
  };
}

/**
 * A claim read by `claim-due-3.lua`: the claim, its schedule and the schedule's state in one
 * object (its `schedule` and `state` are itself), with `lastRun` parsed on first read.
 *
 * @example
 * ```ts
 * // state: next, paused, runs, anchor, created, updated, token, last (see claim-due-3.lua)
 * const claim = new ClaimedSchedule(definition, 'h1', '5000,0,3,100,90,95,7,', 35_000);
 * claim.schedule.state.lastRun; // parsed here, only if read
 * ```
 */
export class ClaimedSchedule implements Claim, StoredSchedule, ScheduleState {
  readonly nextRunAt: number | null;
  readonly paused: boolean;
  readonly runs: number;
  readonly anchor: number;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly token: number;
  /** The last-run JSON read with the claim (`null`: none), until parsed. */
  #last: string | null;
  #lastRun: RunRecord | null = null;

  /**
   * @param hash - the schedule's hash at the claim
   * @param state - the schedule's fields after the claim joined with `,`: next run, paused, runs,
   *   anchor, created, updated, token, then the last-run JSON (the rest, which may hold `,`)
   * @param leaseUntil - the claim's lease end
   */
  constructor(readonly definition: ScheduleDefinition, readonly hash: string, state: string, readonly leaseUntil: number) {
    // Seven numeric fields, then the last-run JSON (which may hold ','): no closure or split array per claim.
    const c1 = state.indexOf(',');
    const c2 = state.indexOf(',', c1 + 1);
    const c3 = state.indexOf(',', c2 + 1);
    const c4 = state.indexOf(',', c3 + 1);
    const c5 = state.indexOf(',', c4 + 1);
    const c6 = state.indexOf(',', c5 + 1);
    const c7 = state.indexOf(',', c6 + 1);
    this.nextRunAt = c1 === 0 ? null : Number(state.slice(0, c1));
    this.paused = state.charCodeAt(c1 + 1) === 49 && c2 === c1 + 2; // '1'
    this.runs = Number(state.slice(c2 + 1, c3));
    this.anchor = Number(state.slice(c3 + 1, c4));
    this.createdAt = Number(state.slice(c4 + 1, c5));
    this.updatedAt = Number(state.slice(c5 + 1, c6));
    this.token = Number(state.slice(c6 + 1, c7));
    const from = c7 + 1;
    this.#last = from < state.length ? state.slice(from) : null;
  }

  /** The claimed schedule (this object). */
  get schedule(): StoredSchedule {
    return this;
  }

  /** The schedule's state at claim time (this object). */
  get state(): ScheduleState {
    return this;
  }

  /** The most recent finished run as of the claim. */
  get lastRun(): RunRecord | null {
    if (this.#last !== null) {
      this.#lastRun = JSON.parse(this.#last) as RunRecord;
      this.#last = null;
    }
    return this.#lastRun;
  }
}
