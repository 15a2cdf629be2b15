/**
 * The host's health endpoints, served from the core `health` service: `/livez` and `/readyz`
 * (public probes, 200 or 503) and `/health` (the detail, scope `read`).
 */
import type { HealthCheckResult, HealthService, HealthVerdict } from '@xcore/core';
import { z } from 'zod';
import { defineRoute, type AnyRouteDefinition } from '../routes/route-definition.js';

const checkSchema = z.object({
  name: z.string(),
  level: z.enum(['liveness', 'readiness', 'warning']),
  status: z.enum(['ok', 'warn', 'fail']),
  failsReadiness: z.boolean().describe('True when a problem of this check fails /readyz (readiness and liveness checks, and warning checks named in health.failReadinessOn).'),
  detail: z.string().optional(),
  data: z.record(z.string(), z.unknown()).optional(),
  ms: z.number(),
});

/** What `/livez` and `/readyz` answer: the verdict and each check's status (no detail: they are public). */
export const probeResponseSchema = z.object({
  status: z.enum(['ok', 'fail']),
  checks: z.record(z.string(), z.enum(['ok', 'warn', 'fail'])),
});

/** What `/health` answers. */
export const healthResponseSchema = z.object({
  status: z.enum(['ok', 'warn', 'not-ready', 'down']).describe('ok; warn (ready, with warnings); not-ready (/readyz fails); down (/livez fails).'),
  live: z.boolean(),
  ready: z.boolean(),
  checkedAt: z.string(),
  checks: z.array(checkSchema),
});

const NO_STORE = { 'content-type': 'application/json', 'cache-control': 'no-store' };

function json(body: unknown, status: number): Response {
  return new Response(JSON.stringify(body), { status, headers: NO_STORE });
}

function probeBody(verdict: HealthVerdict): z.output<typeof probeResponseSchema> {
  return { status: verdict.ok ? 'ok' : 'fail', checks: Object.fromEntries(verdict.checks.map((c: HealthCheckResult) => [c.name, c.status])) };
}

/**
 * The three health routes over `health`.
 *
 * @remarks
 * `/livez`: 200 while no liveness check fails (the event loop turns), else 503.
 * `/readyz`: 200 while the host is started and no readiness check fails (the scheduler's store
 * answers), nor a warning check named in `health.failReadinessOn`; 503 otherwise (booting,
 * stopping, store unreachable). `/health`: the detail of every check; 200 while ready (warnings
 * included), 503 when not ready or not live.
 */
export function healthRoutes(health: HealthService): AnyRouteDefinition[] {
  const routes = [
    defineRoute({
      method: 'GET',
      path: '/livez',
      auth: 'public',
      operationId: 'livez',
      summary: 'Liveness probe: 200 while the process and its event loop work, 503 otherwise',
      tags: ['health'],
      response: probeResponseSchema,
      errorResponses: { 503: 'A liveness check fails: restart the process.' },
      handler: async () => {
        const verdict = await health.live();
        return json(probeBody(verdict), verdict.ok ? 200 : 503);
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/readyz',
      auth: 'public',
      operationId: 'readyz',
      summary: 'Readiness probe: 200 while the host is started and can fire jobs, 503 otherwise',
      tags: ['health'],
      response: probeResponseSchema,
      errorResponses: { 503: 'Booting, stopping, or a readiness check fails (the store is unreachable).' },
      handler: async () => {
        const verdict = await health.ready();
        return json(probeBody(verdict), verdict.ok ? 200 : 503);
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/health',
      auth: 'read',
      operationId: 'health',
      summary: 'Every health check with its detail: plugins, failing and overdue jobs, the store',
      tags: ['health'],
      response: healthResponseSchema,
      errorResponses: { 503: 'Not ready or not live (the body still holds the detail).' },
      handler: async () => {
        const report = await health.report();
        return json(report, report.ready ? 200 : 503);
      },
    }),
  ];
  return routes as unknown as AnyRouteDefinition[];
}
