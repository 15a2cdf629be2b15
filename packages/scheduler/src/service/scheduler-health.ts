/**
 * The scheduler's health: `ok`, or `degraded` from the first store failure until the store
 * answers again.
 *
 * @remarks
 * The runner, the slot keeper and the run path report store failures here; the runner also reports
 * each claim pass that succeeds, which ends a degraded period. Only the transitions are logged and
 * emitted (`scheduler.degraded`, `scheduler.recovered`), on the scheduler's own events and on the
 * app's event bus, so a store that stays down logs once.
 */
import type { Logger } from 'pino';
import type { EventBus } from '@xcore/core';
import type { SchedulerEmitter } from '../events/scheduler-events.js';
import { errorMessage } from '../executors/error-message.js';
import type { SchedulerHealth } from './scheduler-service.js';

/** Where {@link HealthTracker} logs and emits its transitions. */
export interface HealthTrackerDeps {
  readonly logger: Logger;
  readonly emitter: SchedulerEmitter;
  /** The app's event bus, if any. */
  readonly bus: EventBus | undefined;
}

/** Tracks whether the store answers, for {@link SchedulerHealth}. */
export class HealthTracker {
  private degradedState: { reason: string; since: number } | undefined;

  constructor(private readonly deps: HealthTrackerDeps) {}

  /** Records a store call's outcome: an error degrades (once), `null` or `undefined` recovers. */
  report(error: unknown): void {
    const { logger, emitter, bus } = this.deps;
    if (error === null || error === undefined) {
      const d = this.degradedState;
      if (d === undefined) return;
      this.degradedState = undefined;
      const degradedForMs = Date.now() - d.since;
      logger.info({ degradedForMs }, 'scheduler store recovered');
      emitter.emit('scheduler.recovered', { degradedForMs });
      bus?.emit('scheduler.recovered', { degradedForMs });
      return;
    }
    if (this.degradedState !== undefined) return;
    const reason = `store error: ${errorMessage(error)}`;
    this.degradedState = { reason, since: Date.now() };
    logger.error({ err: error }, 'scheduler degraded: the store failed; retrying with backoff');
    emitter.emit('scheduler.degraded', { reason, error });
    bus?.emit('scheduler.degraded', { reason, error });
  }

  /** The current health. */
  status(): SchedulerHealth {
    const d = this.degradedState;
    return d === undefined ? { status: 'ok' } : { status: 'degraded', reason: d.reason, since: new Date(d.since) };
  }
}
