/**
 * The admin API's scheduler routes: its state, a run request's progress, and the
 * APScheduler-style alias `POST <basePath>/scheduler/run/{jobId}` of `POST /admin/v1/jobs/{id}/run`.
 */
import { z } from 'zod';
import { defineRoute } from '../routes/route-definition.js';
import { loggedRunPageSchema, runRequestSchema, schedulerStateSchema } from './admin-schemas.js';
import type { AdminDeps } from './admin-routes.js';
import { booleanQuery, operatorOf, runBodySchema, runJobNow } from './jobs-routes.js';

const OUTCOMES = ['succeeded', 'failed', 'timed_out', 'aborted', 'crashed', 'out_of_memory', 'skipped', 'missed'] as const;

/** Query of `GET /runs`; each key maps to the run log's filter. */
const runsQuery = z.strictObject({
  job: z.string().min(1).max(512).optional().describe('Only this job (fully qualified id, e.g. `billing:sync`). Required when no run log is configured.'),
  owner: z.string().min(1).max(512).optional().describe('Only jobs of this owner (a plugin name, `config`, `app`).'),
  outcome: z
    .string()
    .transform((v) => v.split(','))
    .pipe(z.array(z.enum(OUTCOMES)).min(1))
    .optional()
    .describe(`Only these outcomes, comma-separated: ${OUTCOMES.join(', ')}.`),
  manual: booleanQuery.optional().describe('Only manual runs (`true`) or only scheduled ones (`false`).'),
  timeField: z.enum(['finishedAt', 'scheduledAt']).optional().describe('The time `from`, `to` and the order use (default `finishedAt`).'),
  from: z.string().min(1).max(64).optional().describe('Inclusive lower bound: ISO 8601 (`2026-01-31T09:00:00Z`) or epoch ms.'),
  to: z.string().min(1).max(64).optional().describe('Exclusive upper bound: ISO 8601 or epoch ms.'),
  limit: z.coerce.number().int().min(1).max(1000).optional().describe('Items per page, 1 to 1000 (default 50).'),
  cursor: z.string().min(1).max(4096).optional().describe('The `nextCursor` of the previous page (same `timeField`).'),
});

/** A time query value: epoch ms when all digits, else the text (ISO 8601). */
function timeValue(v: string): number | string {
  return /^\d{1,15}$/.test(v) ? Number(v) : v;
}

/** `GET /scheduler`, `GET /runs` (the run log) and `GET /runs/{requestId}`. */
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
      path: '/runs',
      auth: 'read',
      operationId: 'listRuns',
      summary: 'Finished runs, skips and misses of every job, newest first, filtered and paged',
      description:
        'From the run log when `services.scheduler.runLog` is configured (every job, durable, with error stacks and small return values); otherwise from one job\'s bounded history (`job` required; `source` says which). ' +
        'Keyset paging: pass `nextCursor` as `cursor` with the same filter until it is null; records arriving meanwhile never shift a page. Records still queued for the run log (at most its `flushMs`, 200 ms by default) are not seen yet.',
      tags: ['jobs'],
      query: runsQuery,
      response: loggedRunPageSchema,
      errorResponses: { 400: 'A filter is invalid, or `job` is missing while no run log is configured.', 404: 'No run log and an unknown `job`.', 503: 'This host runs no scheduler.' },
      handler: ({ query }) =>
        operatorOf(deps, 'GET /admin/v1/runs').runs({
          ...(query.job === undefined ? {} : { jobId: query.job }),
          ...(query.owner === undefined ? {} : { owner: query.owner }),
          ...(query.outcome === undefined ? {} : { outcome: query.outcome }),
          ...(query.manual === undefined ? {} : { manual: query.manual }),
          ...(query.timeField === undefined ? {} : { timeField: query.timeField }),
          ...(query.from === undefined ? {} : { from: timeValue(query.from) }),
          ...(query.to === undefined ? {} : { to: timeValue(query.to) }),
          ...(query.limit === undefined ? {} : { limit: query.limit }),
          ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
        }),
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
