/**
 * The admin API's job routes: every job of every owner through the scheduler's operator view
 * (`SchedulerOperatorView` in `@xcore/scheduler`): list, get, history, run now, pause, resume,
 * reschedule, remove. One definition each; the handlers only translate HTTP to the view.
 */
import { triggerConfigSchema, type SchedulerOperatorView, type TriggerInput } from '@xcore/scheduler';
import { z } from 'zod';
import type { Identity } from '../auth/access-guard.js';
import { HttpServiceUnavailableError } from '../errors.js';
import { jsonResponse } from '../routes/error-response.js';
import { defineRoute } from '../routes/route-definition.js';
import { jobDetailSchema, jobPageSchema, nextRunsSchema, runPageSchema, runRequestSchema } from './admin-schemas.js';
import type { AdminDeps } from './admin-routes.js';

/** Path parameter of the job routes: the fully qualified id, URL-encoded (`billing%3Async`). */
export const jobIdParams = z.object({ id: z.string().min(1).max(1000).describe('The job\'s fully qualified id, URL-encoded (`billing:sync` is `billing%3Async`).') });

/** `true` / `false` in a query string. */
export const booleanQuery = z.enum(['true', 'false']).transform((v) => v === 'true');

const limit = (max: number, fallback: number) => z.coerce.number().int().min(1).max(max).optional().describe(`Items per page, 1 to ${max} (default ${fallback}).`);
const cursor = z.string().min(1).max(4096).optional().describe('The `nextCursor` of the previous page.');

/** The scheduler's operator view, or 503 when this host runs no scheduler. */
export function operatorOf(deps: Pick<AdminDeps, 'scheduler'>, route: string): SchedulerOperatorView {
  const view = deps.scheduler();
  if (view === undefined) throw new HttpServiceUnavailableError(route, 'scheduler', 'Enable services.scheduler in xcore.yaml (it is on by default).');
  return view;
}

/** Who asked, as recorded on a manual run: `token:<id>`, `jwt:<sub>`, `none:anonymous`. */
export function requester(identity: Identity): string {
  return `${identity.kind}:${identity.subject}`;
}

/** Body of `POST /jobs/{id}/run` (and its alias). */
export const runBodySchema = z
  .strictObject({
    args: z.array(z.unknown()).max(1000).optional().describe('Arguments for this run, replacing the job\'s `args` (a JSON array).'),
    wait: z.boolean().optional().describe('Wait for the run to finish (up to `timeoutMs`): 200 with the record. Default false: 202 once queued.'),
    timeoutMs: z.number().int().min(1).max(300_000).optional().describe('Longest wait with `wait: true`, ms (default 30000, at most 300000). Past it: 202 with the request, still running.'),
  })
  .optional();

const RUN_DESCRIPTION =
  'Asks for a run now, outside the schedule, with optional `args`. It becomes a run request in the store that exactly one process with the job\'s handler takes (this host or another sharing the Redis store); the run record is marked `manual` with `requestedBy` (the caller) and `requestId`. ' +
  'Without `wait`: 202 with the request (`Location: /admin/v1/runs/{requestId}` to follow it). With `wait: true`: 200 with the request and its `record` once the run finished (whatever its status), or 202 if it is still pending or running after `timeoutMs`. ' +
  '409 `XCORE_ERR_JOB_RUN_REFUSED` when no live process holds the job; a request no process takes within a minute ends `expired`.';

/** Runs a job now for the caller: the shared handler of `POST /admin/v1/jobs/{id}/run` and `POST /scheduler/run/{jobId}`. */
export async function runJobNow(
  view: SchedulerOperatorView,
  input: { id: string; body: z.output<typeof runBodySchema>; identity: Identity; requestId: string; signal: AbortSignal },
  runsUrl: (requestId: string) => string,
): Promise<Response> {
  const { body } = input;
  const waitMs = body?.wait === true ? (body.timeoutMs ?? 30_000) : 0;
  const run = await view.runNow(input.id, { requestedBy: requester(input.identity), ...(body?.args === undefined ? {} : { args: body.args }), waitMs, signal: input.signal });
  const settled = run.status === 'finished' || run.status === 'expired';
  return jsonResponse(run, settled ? 200 : 202, input.requestId, { location: runsUrl(run.requestId) });
}

/** Every job route. */
export function jobsRoutes(deps: Pick<AdminDeps, 'scheduler' | 'runsUrl'>) {
  const view = (route: string): SchedulerOperatorView => operatorOf(deps, route);
  const audit = (action: string) => ({ action, target: (params: { id: string }) => params.id });
  return [
    defineRoute({
      method: 'GET',
      path: '/jobs',
      auth: 'read',
      operationId: 'listJobs',
      summary: 'Every job of every owner, in id order, a page at a time',
      description: 'Keyset paging by id: pass `nextCursor` as `cursor` until it is null. Pages are stable while jobs come and go. On Redis every job of the cluster is listed, each once, from any process.',
      tags: ['jobs'],
      query: z.strictObject({
        owner: z.string().min(1).max(200).optional().describe('Only this owner\'s jobs (a plugin name, `config`, `app`).'),
        state: z.enum(['scheduled', 'paused', 'running', 'done']).optional().describe('`scheduled` (has a next run), `paused`, `running` (a run in progress), `done` (trigger exhausted).'),
        paused: booleanQuery.optional(),
        failing: booleanQuery.optional().describe('Only jobs whose last run failed or timed out (`true`), or did not (`false`).'),
        q: z.string().max(200).optional().describe('Only ids containing this text (a prefix such as `billing:` works too).'),
        limit: limit(500, 50),
        cursor,
      }),
      response: jobPageSchema,
      errorResponses: { 503: 'This host runs no scheduler.' },
      handler: ({ query }) => view('GET /admin/v1/jobs').listJobs(query),
    }),
    defineRoute({
      method: 'GET',
      path: '/jobs/:id',
      auth: 'read',
      operationId: 'getJob',
      summary: 'One job, with its policy and args',
      tags: ['jobs'],
      params: jobIdParams,
      response: jobDetailSchema,
      errorResponses: { 503: 'This host runs no scheduler.' },
      handler: ({ params }) => view('GET /admin/v1/jobs/{id}').getJob(params.id),
    }),
    defineRoute({
      method: 'GET',
      path: '/jobs/:id/history',
      auth: 'read',
      operationId: 'jobHistory',
      summary: 'A job\'s finished runs, newest first, a page at a time',
      tags: ['jobs'],
      params: jobIdParams,
      query: z.strictObject({ limit: limit(500, 20), cursor }),
      response: runPageSchema,
      errorResponses: { 503: 'This host runs no scheduler.' },
      handler: ({ params, query }) => view('GET /admin/v1/jobs/{id}/history').history(params.id, query),
    }),
    defineRoute({
      method: 'GET',
      path: '/jobs/:id/next',
      auth: 'read',
      operationId: 'jobNextRuns',
      summary: 'A job\'s next occurrence times from its trigger',
      description: 'The stored next fire time, then the trigger\'s following times (honouring `endDate` and `maxRuns`; jitter is not applied). For a paused job, the times it would have if resumed now (`paused: true`).',
      tags: ['jobs'],
      params: jobIdParams,
      query: z.strictObject({ count: z.coerce.number().int().min(1).max(100).optional().describe('How many times, 1 to 100 (default 5).') }),
      response: nextRunsSchema,
      errorResponses: { 503: 'This host runs no scheduler.' },
      handler: ({ params, query }) => view('GET /admin/v1/jobs/{id}/next').nextRuns(params.id, query.count),
    }),
    defineRoute({
      method: 'POST',
      path: '/jobs/:id/run',
      auth: 'operate',
      operationId: 'runJob',
      summary: 'Run a job now (once in the cluster)',
      description: RUN_DESCRIPTION,
      tags: ['jobs'],
      params: jobIdParams,
      body: runBodySchema,
      status: 202,
      response: runRequestSchema,
      otherResponses: { 200: { description: 'With `wait: true`: the run finished (see `record`), or nobody took it (`expired`).', schema: runRequestSchema } },
      errorResponses: { 409: '`XCORE_ERR_JOB_RUN_REFUSED`: no live process holds the job.', 503: 'This host runs no scheduler.' },
      audit: audit('job.run'),
      handler: ({ params, body, identity, requestId, signal }) =>
        runJobNow(view('POST /admin/v1/jobs/{id}/run'), { id: params.id, body, identity, requestId, signal }, deps.runsUrl),
    }),
    defineRoute({
      method: 'POST',
      path: '/jobs/:id/pause',
      auth: 'operate',
      operationId: 'pauseJob',
      summary: 'Pause a job everywhere (it stays registered)',
      tags: ['jobs'],
      params: jobIdParams,
      response: jobDetailSchema,
      errorResponses: { 503: 'This host runs no scheduler.' },
      audit: audit('job.pause'),
      handler: ({ params }) => view('POST /admin/v1/jobs/{id}/pause').pause(params.id),
    }),
    defineRoute({
      method: 'POST',
      path: '/jobs/:id/resume',
      auth: 'operate',
      operationId: 'resumeJob',
      summary: 'Resume a paused job from now on (occurrences during the pause are not caught up)',
      tags: ['jobs'],
      params: jobIdParams,
      response: jobDetailSchema,
      errorResponses: { 503: 'This host runs no scheduler.' },
      audit: audit('job.resume'),
      handler: ({ params }) => view('POST /admin/v1/jobs/{id}/resume').resume(params.id),
    }),
    defineRoute({
      method: 'PUT',
      path: '/jobs/:id/trigger',
      auth: 'operate',
      operationId: 'rescheduleJob',
      summary: 'Give a job a new trigger',
      description: 'The body is a trigger in the shape of a YAML job\'s `trigger` (`{ "type": "interval", "minutes": 5 }`, `{ "type": "cron", "expression": "0 9 * * 1-5", "timezone": "Europe/Berlin" }`, `{ "type": "date", "runDate": "2030-01-01T09:00:00Z" }`), validated by the scheduler\'s own schema. The next run is computed from it.',
      tags: ['jobs'],
      params: jobIdParams,
      body: triggerConfigSchema,
      response: jobDetailSchema,
      errorResponses: { 503: 'This host runs no scheduler.' },
      audit: audit('job.reschedule'),
      handler: ({ params, body }) => view('PUT /admin/v1/jobs/{id}/trigger').reschedule(params.id, body as TriggerInput),
    }),
    defineRoute({
      method: 'DELETE',
      path: '/jobs/:id',
      auth: 'admin',
      operationId: 'removeJob',
      summary: 'Remove a job and its history, where its owner allows it',
      description: 'Allowed when the job was registered with `removable: true`, or when no live process holds it (its plugin runs in no process sharing the store; no running host declares the YAML job or registered the app job). Otherwise 409 `XCORE_ERR_JOB_REMOVE_REFUSED` saying who holds it and what to do (pause it; stop or uninstall the plugin; delete the YAML entry).',
      tags: ['jobs'],
      params: jobIdParams,
      errorResponses: { 409: '`XCORE_ERR_JOB_REMOVE_REFUSED`: its owner holds it.', 503: 'This host runs no scheduler.' },
      audit: audit('job.remove'),
      handler: async ({ params }) => {
        await view('DELETE /admin/v1/jobs/{id}').remove(params.id);
        return undefined;
      },
    }),
  ];
}
