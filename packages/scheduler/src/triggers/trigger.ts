/**
 * Serializable trigger specifications and the pure trigger contract.
 *
 * @remarks
 * A trigger is data (so a store can persist it and every process computes the same times) plus
 * one pure function, {@link nextFireTime} in `next-fire-time.ts`. Times are epoch milliseconds.
 */

/** Bounds and limits shared by every trigger kind. */
export interface TriggerBounds {
  /** No occurrence before this instant (epoch ms). */
  readonly startDate?: number;
  /** No occurrence after this instant (epoch ms). */
  readonly endDate?: number;
  /** Stop after this many occurrences have fired. */
  readonly maxRuns?: number;
}

/** Fires every `everyMs`, at `startDate + k * everyMs`, or without `startDate` at multiples of `everyMs` since the epoch (the stored anchor). */
export interface IntervalTriggerSpec extends TriggerBounds {
  readonly type: 'interval';
  /** Period in milliseconds (>= 1). */
  readonly everyMs: number;
}

/** Fires on a cron expression (5 or 6 fields or a `@daily`-style macro) in an IANA timezone. */
export interface CronTriggerSpec extends TriggerBounds {
  readonly type: 'cron';
  readonly expression: string;
  /** IANA timezone name, e.g. `Europe/Berlin`. */
  readonly timezone: string;
}

/** Fires once at `runDate`. */
export interface DateTriggerSpec {
  readonly type: 'date';
  /** Epoch ms of the single occurrence. */
  readonly runDate: number;
}

/** Any trigger. */
export type TriggerSpec = IntervalTriggerSpec | CronTriggerSpec | DateTriggerSpec;

/** Per-schedule state the trigger math needs. */
export interface TriggerState {
  /** Phase anchor of an interval without `startDate` (epoch ms; `0` for schedules this version creates), kept across restarts. */
  readonly anchor: number;
  /** Occurrences fired so far (for `maxRuns`). */
  readonly runs: number;
}
