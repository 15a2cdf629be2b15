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
 * const claim = new ClaimedSchedule(definition, fields);
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
  readonly hash: string;
  readonly token: number;
  readonly leaseUntil: number;
  /** The last-run JSON read with the claim (`''` or `null`: none), until parsed. */
  #last: string | null;
  #lastRun: RunRecord | null = null;

  constructor(readonly definition: ScheduleDefinition, fields: ScheduleFields) {
    const [, hash, next, paused, runs, anchor, created, updated, last, token, , lease] = fields;
    this.nextRunAt = next ? Number(next) : null;
    this.paused = paused === '1';
    this.runs = Number(runs ?? 0);
    this.anchor = Number(anchor ?? 0);
    this.createdAt = Number(created ?? 0);
    this.updatedAt = Number(updated ?? 0);
    this.hash = hash ?? '';
    this.token = Number(token ?? 0);
    this.leaseUntil = Number(lease);
    this.#last = last || null;
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
