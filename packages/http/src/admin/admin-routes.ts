/**
 * The admin API's routes (`<basePath>/admin/v1/...`): every first-party operator route is one
 * definition in {@link adminRoutes}.
 */
import type { AnyRouteDefinition } from '../routes/route-definition.js';
import type { JsonObject } from '../openapi/openapi-document.js';
import { openApiRoute } from './openapi-route.js';
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
}

/**
 * Every admin route, in the order the OpenAPI document lists them.
 *
 * @remarks
 * To add a route: write it with `defineRoute` (method, path relative to `/admin/v1`, scope,
 * schemas, summary, handler) in a file of this folder and add it here. Auth, validation, the error
 * shape, the audit line of a write and its OpenAPI entry come from the definition.
 */
export function adminRoutes(deps: AdminDeps): AnyRouteDefinition[] {
  return [whoamiRoute(), servicesRoute(deps), openApiRoute(deps)] as AnyRouteDefinition[];
}
