/**
 * Pure misfire/coalesce policy: which due occurrences of a claimed schedule run, which are missed,
 * and the next fire time. Shared by every store; no I/O, no timers.
 */
import type { SchedulePolicy } from '../stores/store.js';
import type { TriggerSpec, TriggerState } from '../triggers/trigger.js';

/** What to do with a claimed schedule at `now`. */
export interface Plan {
  /** Occurrences (scheduledAt, epoch ms) to dispatch, oldest first. */
  readonly fire: number[];
  /** How many due occurrences are dropped as missed. */
  readonly missedCount: number;
  /** The next fire time after this plan, or `null` when the trigger is exhausted. */
  readonly nextRunAt: number | null;
}

/** Inputs of {@link planOccurrences}. */
export interface PlanInput {
  readonly trigger: TriggerSpec;
  readonly policy: SchedulePolicy;
  /** The schedule's stored next fire time (the first due occurrence). */
  readonly nextRunAt: number;
  readonly state: TriggerState;
  /** Store clock, epoch ms. */
  readonly now: number;
}
