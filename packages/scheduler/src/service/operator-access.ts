/**
 * Reaching the operator view from the `scheduler` service instance a host holds.
 */
import type { SchedulerOperatorView } from './operator-types.js';
import { Scheduler } from './scheduler.js';
import type { SchedulerService } from './scheduler-service.js';

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
