/**
 * The scheduler's health: `ok`, or `degraded` while some part of the scheduler finds the store
 * failing, until that part works again.
 *
 * @remarks
 * Each part reports the outcome of its store calls under its own source: the runner (`claim`,
 * `commit`), the slot keeper (`slots`), the finish queue (`finish`), the run path (`run`), the
 * restore of lost schedules (`restore`), the taker of operators' run requests (`requests`) and
 * this process's presence (`presence`). The scheduler is degraded while any source's last
 * outcome was an error:
 * - an error that says Redis was unreachable (`XCORE_ERR_REDIS_UNAVAILABLE`, or an uncoded one)
 *   ends with the next claim that succeeds: the store answers again;
 * - any other error (a key of the wrong type, an error reply) ends only when the same source
 *   succeeds again, so a store that answers claims but refuses every commit stays degraded,
 *   instead of flipping between degraded and recovered at every tick. (`run` calls are one-offs
 *   that nothing retries: theirs end with the next claim too.)
 * Only the transitions are emitted (`scheduler.degraded`, `scheduler.recovered`), on the
 * scheduler's own events and on the app's event bus; a cause is logged once per degraded period
 * (the first, and each later one that names another code or key), so a store that stays down,
 * or a key that stays wrong, logs once: its code and text, with the stack only at `debug`.
 */
import type { Logger } from 'pino';
import type { EventBus } from '@xcore/core';
import type { SchedulerEmitter } from '../events/scheduler-events.js';
import { errorMessage } from '../executors/error-message.js';
import type { SchedulerHealth } from './scheduler-service.js';

/** The part of the scheduler a store call's outcome comes from. */
export type HealthSource = 'claim' | 'commit' | 'slots' | 'finish' | 'run' | 'restore' | 'requests' | 'presence';

/** Where {@link HealthTracker} logs and emits its transitions. */
export interface HealthTrackerDeps {
  readonly logger: Logger;
  readonly emitter: SchedulerEmitter;
  /** The app's event bus, if any. */
  readonly bus: EventBus | undefined;
}

/** The code of a coded error (`undefined` for any other value). */
function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** The error's code and text for a log line, without its stack. */
function causeFields(error: unknown): { code?: string; error: string } {
  const code = codeOf(error);
  return code === undefined ? { error: errorMessage(error) } : { code, error: errorMessage(error) };
}

/** True for an error that only says the store could not be reached. */
function unreachable(error: unknown): boolean {
  const code = codeOf(error);
  return code === undefined || code === 'XCORE_ERR_REDIS_UNAVAILABLE';
}

/** Tracks whether the store works for each part of the scheduler, for {@link SchedulerHealth}. */
export class HealthTracker {
  private readonly failing = new Map<HealthSource, unknown>();
  private degradedState: { reason: string; since: number } | undefined;
  /** Causes logged in the current degraded period (code and key). */
  private readonly logged = new Set<string>();

  constructor(private readonly deps: HealthTrackerDeps) {}

  /** Records the outcome of a store call by `source`: an error, or `null`/`undefined` for success. */
  report(source: HealthSource, error: unknown): void {
    if (error === null || error === undefined) {
      if (this.failing.size === 0) return;
      this.failing.delete(source);
      if (source === 'claim') {
        for (const [other, e] of this.failing) if (other === 'run' || unreachable(e)) this.failing.delete(other);
      }
      if (this.failing.size === 0) this.recovered();
      return;
    }
    this.failing.set(source, error);
    const key = `${codeOf(error) ?? ''}|${String((error as { key?: unknown }).key ?? '')}`;
    if (this.degradedState === undefined) {
      this.degrade(error, key, source);
    } else if (!unreachable(error) && !this.logged.has(key)) {
      this.logged.add(key);
      this.degradedState.reason = `store error: ${errorMessage(error)}`;
      this.deps.logger.error({ source, ...causeFields(error) }, 'scheduler degraded: the store failed again, differently; retrying');
      this.deps.logger.debug({ err: error, source }, 'scheduler store error');
    }
  }

  /** The current health. */
  status(): SchedulerHealth {
    const d = this.degradedState;
    return d === undefined ? { status: 'ok' } : { status: 'degraded', reason: d.reason, since: new Date(d.since) };
  }

  private degrade(error: unknown, key: string, source: HealthSource): void {
    const { logger, emitter, bus } = this.deps;
    const reason = `store error: ${errorMessage(error)}`;
    this.degradedState = { reason, since: Date.now() };
    this.logged.add(key);
    // The cause as text, once per degraded period; its stack only at debug.
    logger.error({ source, ...causeFields(error) }, 'scheduler degraded: the store failed; retrying with backoff (logged once until it recovers)');
    logger.debug({ err: error, source }, 'scheduler store error');
    emitter.emit('scheduler.degraded', { reason, error });
    bus?.emit('scheduler.degraded', { reason, error });
  }

  private recovered(): void {
    const d = this.degradedState;
    if (d === undefined) return;
    const { logger, emitter, bus } = this.deps;
    this.degradedState = undefined;
    this.logged.clear();
    const degradedForMs = Date.now() - d.since;
    logger.info({ degradedForMs }, 'scheduler store recovered');
    emitter.emit('scheduler.recovered', { degradedForMs });
    bus?.emit('scheduler.recovered', { degradedForMs });
  }
}
