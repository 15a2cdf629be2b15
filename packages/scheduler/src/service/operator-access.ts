/**
 * Reaching the operator view and the metrics from the `scheduler` service instance a host holds.
 */
import type { SchedulerOperatorView } from './operator-types.js';
import { Scheduler } from './scheduler.js';
import type { SchedulerService } from './scheduler-service.js';
import type { SchedulerMetrics } from '../metrics/scheduler-metrics.js';

/**
 * The operator view of the root scheduler service, or `undefined` for anything else (a plugin's
 * scoped view, another implementation of {@link SchedulerService}).
 *
 * @example
 * ```ts
 * // in a service's create(ctx), after the scheduler service
 * const view = schedulerOperatorView(ctx.getService('scheduler'));
 * const page = await view?.listJobs({ failing: true, limit: 100 });
 * ```
 */
export function schedulerOperatorView(service: SchedulerService | undefined): SchedulerOperatorView | undefined {
  return service instanceof Scheduler ? service.operator : undefined;
}

/**
 * The metrics of the root scheduler service (what `GET /metrics` renders), or `undefined` for
 * anything else.
 *
 * @example
 * ```ts
 * const text = await schedulerMetrics(ctx.getService('scheduler'))?.prometheus();
 * ```
 */
export function schedulerMetrics(service: SchedulerService | undefined): SchedulerMetrics | undefined {
  return service instanceof Scheduler ? service.metrics : undefined;
}
