/**
 * `GET /admin/v1/services`: the services the host runs, with their health when they report one.
 */
import { z } from 'zod';
import { defineRoute } from '../routes/route-definition.js';
import type { AdminDeps } from './admin-routes.js';

/** Response of `services`. */
export const servicesResponseSchema = z.object({
  services: z.array(
    z.object({
      name: z.string().describe('Service name (the key under `services:`, or a core service).'),
      health: z
        .object({ status: z.string(), reason: z.string().optional() })
        .optional()
        .describe('What the service\'s `health()` reports, when it has one (the scheduler: ok or degraded).'),
    }),
  ),
});

type ServiceHealth = z.output<typeof servicesResponseSchema>['services'][number]['health'];

/** The `health()` of a service instance that has one, reduced to status and reason. */
function healthOf(instance: unknown): ServiceHealth {
  const health = (instance as { health?: unknown } | null)?.health;
  if (typeof health !== 'function') return undefined;
  let report: { status?: unknown; reason?: unknown } | null;
  try {
    report = (health as () => unknown).call(instance) as typeof report;
  } catch (error) {
    return { status: 'unknown', reason: `health() threw: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (report === null || typeof report !== 'object' || typeof report.status !== 'string') return undefined;
  return { status: report.status, ...(typeof report.reason === 'string' ? { reason: report.reason } : {}) };
}

/** The `services` route: needs `read`. */
export function servicesRoute(deps: Pick<AdminDeps, 'serviceNames' | 'service'>) {
  return defineRoute({
    method: 'GET',
    path: '/services',
    auth: 'read',
    operationId: 'listServices',
    summary: 'The services this host runs, with their health',
    tags: ['host'],
    response: servicesResponseSchema,
    handler: () => ({
      services: deps.serviceNames().map((name) => {
        const health = healthOf(deps.service(name));
        return health === undefined ? { name } : { name, health };
      }),
    }),
  });
}
