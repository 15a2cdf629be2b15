/**
 * The admin API's routes (`<basePath>/admin/v1/...`): every first-party operator route is one
 * definition in {@link adminRoutes}.
 */
import type { EventBus, PluginOperatorView } from '@xcore/core';
import type { SchedulerOperatorView } from '@xcore/scheduler';
import type { AnyRouteDefinition } from '../routes/route-definition.js';
import type { JsonObject } from '../openapi/openapi-document.js';
import { eventsRoute } from './events-route.js';
import type { EventStreams } from './event-stream.js';
import { jobsRoutes } from './jobs-routes.js';
import { openApiRoute } from './openapi-route.js';
import { pluginsRoutes } from './plugins-routes.js';
import { schedulerRoutes } from './scheduler-routes.js';
import { servicesRoute } from './services-route.js';
import { whoamiRoute } from './whoami-route.js';

/** Where the admin API is mounted, after the base path. */
export const ADMIN_PREFIX = '/admin/v1';

/** What admin routes may use of the host. */
export interface AdminDeps {
  /** Names of the registered services, sorted. */
  serviceNames(): string[];
  /** A registered service instance by name (`undefined` when there is none). */
  service(name: string): unknown;
  /** The OpenAPI document of the admin API. */
  openApi(): JsonObject;
  /** The scheduler's operator view; `undefined` when this host runs no scheduler (the job routes answer 503). */
  scheduler(): SchedulerOperatorView | undefined;
  /** The kernel's plugin view; `undefined` outside a kernel (the plugin routes answer 503). */
  plugins(): PluginOperatorView | undefined;
  /** The app's event bus, for the plugin events of the event stream. */
  readonly events?: EventBus;
  /** The server's open event streams (closed when it stops). */
  readonly streams: EventStreams;
  /** Keep-alive period of event streams, ms. @defaultValue `15000` */
  readonly keepAliveMs?: number;
  /** The URL path of a run request (`Location` of a run-now answer). */
  runsUrl(requestId: string): string;
}

/**
 * Every admin route, in the order the OpenAPI document lists them.
 *
 * @remarks
 * To add a route: write it with `defineRoute` (method, path relative to `/admin/v1`, scope,
 * schemas, summary, handler) in a file of this folder and add it here. Auth, validation, the error
 * shape, the audit line of a write and its OpenAPI entry come from the definition. The job and
 * plugin routes only translate HTTP to the scheduler's operator view and the kernel's plugin
 * view, which the CLI and a dashboard use too.
 */
export function adminRoutes(deps: AdminDeps): AnyRouteDefinition[] {
  return [
    whoamiRoute(),
    servicesRoute(deps),
    ...schedulerRoutes(deps),
    ...jobsRoutes(deps),
    ...pluginsRoutes(deps),
    eventsRoute(deps),
    openApiRoute(deps),
  ] as AnyRouteDefinition[];
}
