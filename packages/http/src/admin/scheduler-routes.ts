/**
 * The admin API's scheduler routes: its state, a run request's progress, and the
 * APScheduler-style alias `POST <basePath>/scheduler/run/{jobId}` of `POST /admin/v1/jobs/{id}/run`.
 */
import { z } from 'zod';
import { defineRoute } from '../routes/route-definition.js';
import { runRequestSchema, schedulerStateSchema } from './admin-schemas.js';
import type { AdminDeps } from './admin-routes.js';
import { operatorOf, runBodySchema, runJobNow } from './jobs-routes.js';

/** `GET /scheduler` and `GET /runs/{requestId}`. */
export function schedulerRoutes(deps: Pick<AdminDeps, 'scheduler'>) {
  return [
    defineRoute({
      method: 'GET',
      path: '/scheduler',
      auth: 'read',
      operationId: 'schedulerState',
      summary: 'The scheduler: backend, health, processes sharing the store, job counts',
      tags: ['scheduler'],
      response: schedulerStateSchema,
      errorResponses: { 503: 'This host runs no scheduler.' },
      handler: () => operatorOf(deps, 'GET /admin/v1/scheduler').state(),
    }),
    defineRoute({
      method: 'GET',
      path: '/runs/:requestId',
      auth: 'read',
      operationId: 'getRunRequest',
      summary: 'A run request (from POST /jobs/{id}/run): pending, running, finished with its record, or expired',
      description: 'With `wait` (ms, at most 300000) the answer waits until the request settles or the time passes. Requests are kept an hour after they settle.',
      tags: ['jobs'],
      params: z.object({ requestId: z.string().min(1).max(100) }),
      query: z.strictObject({ wait: z.coerce.number().int().min(0).max(300_000).optional().describe('Wait up to this many ms for the run to settle.') }),
      response: runRequestSchema,
      errorResponses: { 503: 'This host runs no scheduler.' },
      handler: ({ params, query, signal }) => operatorOf(deps, 'GET /admin/v1/runs/{requestId}').runRequest(params.requestId, { ...(query.wait === undefined ? {} : { waitMs: query.wait }), signal }),
    }),
  ];
}

/**
 * `POST <basePath>/scheduler/run/{jobId}`: the APScheduler-style path, an alias of
 * `POST /admin/v1/jobs/{id}/run` (same body, answers, scope and audit line).
 */
export function runAliasRoute(deps: Pick<AdminDeps, 'scheduler' | 'runsUrl'>) {
  return defineRoute({
    method: 'POST',
    path: '/scheduler/run/:jobId',
    auth: 'operate',
    operationId: 'runJobAlias',
    summary: 'Run a job now (APScheduler-style alias of POST /admin/v1/jobs/{id}/run)',
    tags: ['jobs'],
    params: z.object({ jobId: z.string().min(1).max(1000).describe('The job\'s fully qualified id, URL-encoded.') }),
    body: runBodySchema,
    status: 202,
    response: runRequestSchema,
    otherResponses: { 200: { description: 'With `wait: true`: the run finished, or nobody took it (`expired`).', schema: runRequestSchema } },
    errorResponses: { 409: '`XCORE_ERR_JOB_RUN_REFUSED`: no live process holds the job.', 503: 'This host runs no scheduler.' },
    audit: { action: 'job.run', target: (params) => params.jobId },
    handler: ({ params, body, identity, requestId, signal }) =>
      runJobNow(operatorOf(deps, 'POST /scheduler/run/{jobId}'), { id: params.jobId, body, identity, requestId, signal }, deps.runsUrl),
  });
}
