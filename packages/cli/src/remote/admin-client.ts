/**
 * The admin API (`/admin/v1`) as the CLI uses it: one method per operation, answers typed by the
 * schemas `@xcore/http` documents them with, and every failure turned into a coded error with its
 * exit code (unreachable host, refused credential, unknown job or plugin, other refusals).
 */
import type { IncomingMessage } from 'node:http';
import { ADMIN_PREFIX, healthResponseSchema, jobDetailSchema, jobPageSchema, jobSchema, loggedRunPageSchema, pluginSchema, runPageSchema, runRequestSchema, schedulerStateSchema, servicesResponseSchema } from '@xcore/http';
import { editDistance } from '@xcore/core';
import { z } from 'zod';
import { CliAuthRefusedError, CliHostUnreachableError, CliNotFoundError, CliRequestFailedError } from '../errors.js';
import type { HostTarget } from './host-target.js';
import { openRequest, requestUrl, sendRequest, type HttpAnswer, type RequestSpec } from './http-request.js';

/** What the host's `/health` answers: every check with its detail, and the overall status. */
export type HostHealth = z.output<typeof healthResponseSchema>;
/** A job in a listing. */
export type Job = z.output<typeof jobSchema>;
/** A job with its policy and args. */
export type JobDetail = z.output<typeof jobDetailSchema>;
/** A page of jobs. */
export type JobPage = z.output<typeof jobPageSchema>;
/** A page of runs. */
export type RunPage = z.output<typeof runPageSchema>;
/** A run of a job. */
export type Run = RunPage['items'][number];
/** A page of the run log (`GET /runs`). */
export type LoggedRunPage = z.output<typeof loggedRunPageSchema>;
/** A run as the run log records it. */
export type LoggedRun = LoggedRunPage['items'][number];
/** A run request. */
export type RunRequest = z.output<typeof runRequestSchema>;
/** The scheduler's state. */
export type SchedulerState = z.output<typeof schedulerStateSchema>;
/** A plugin and its state. */
export type Plugin = z.output<typeof pluginSchema>;
/** The services and their health. */
export type Services = z.output<typeof servicesResponseSchema>;

const pluginListSchema = z.object({ items: z.array(pluginSchema) });

/** A decoded answer: the JSON as sent (what `--json` prints) and the same parsed by its schema. */
export interface Decoded<T> {
  readonly raw: unknown;
  readonly value: T;
}

/** Filters of `GET /jobs` (the admin API's query parameters). */
export interface JobQuery {
  readonly owner?: string | undefined;
  readonly state?: string | undefined;
  readonly paused?: boolean | undefined;
  readonly failing?: boolean | undefined;
  readonly q?: string | undefined;
  readonly limit?: number | undefined;
  readonly cursor?: string | undefined;
}

/** Paging of `GET /jobs/{id}/history`. */
export interface HistoryQuery {
  readonly limit?: number | undefined;
  readonly cursor?: string | undefined;
}

/** Filters of `GET /runs` (the run log), as the admin API names them. */
export interface RunLogQuery {
  readonly job?: string | undefined;
  readonly owner?: string | undefined;
  /** Comma-separated outcomes. */
  readonly outcome?: string | undefined;
  readonly manual?: boolean | undefined;
  /** ISO 8601 or epoch ms, inclusive. */
  readonly from?: string | undefined;
  /** ISO 8601 or epoch ms, exclusive. */
  readonly to?: string | undefined;
  readonly limit?: number | undefined;
  readonly cursor?: string | undefined;
}

/** What a request is about, to name it in errors (a 404 on a job route means that job). */
interface Subject {
  readonly what: string;
  readonly kind?: 'job' | 'plugin' | 'run request';
  readonly name?: string;
}

const NOT_FOUND_CODES = new Set(['XCORE_ERR_JOB_NOT_FOUND', 'XCORE_ERR_PLUGIN_UNKNOWN', 'XCORE_ERR_RUN_REQUEST_NOT_FOUND']);

const errorShape = z.object({ error: z.object({ status: z.number(), code: z.string(), message: z.string() }).loose() });

const enc = encodeURIComponent;

/** A client of one host's admin API. */
export class AdminClient {
  readonly target: HostTarget;

  constructor(target: HostTarget) {
    this.target = target;
  }

  /**
   * `GET /health` (beside the admin API, scope `read`): every health check of the host with its
   * detail, answered 200 while the host is ready (warnings included) and 503 when it is not ready
   * or not live; `ready` is that answer.
   */
  async health(signal?: AbortSignal): Promise<Decoded<HostHealth> & { readonly ready: boolean }> {
    const subject: Subject = { what: 'Reading the host health' };
    const answer = await sendRequest(this.target, { method: 'GET', path: '/health', ...opt(signal) });
    if (answer.status !== 200 && answer.status !== 503) throw this.#failure(answer, subject, '/health');
    const raw = parseJson(answer.text);
    const parsed = healthResponseSchema.safeParse(raw);
    if (!parsed.success) throw this.#notAdminApi(answer, `${answer.status} with a body xcore's /health does not send`);
    return { raw, value: parsed.data, ready: answer.status === 200 };
  }

  /** `GET /scheduler`. */
  scheduler(signal?: AbortSignal): Promise<Decoded<SchedulerState>> {
    return this.#json({ method: 'GET', path: '/scheduler', ...opt(signal) }, schedulerStateSchema, { what: 'Reading the scheduler state' });
  }

  /** `GET /services`. */
  services(signal?: AbortSignal): Promise<Decoded<Services>> {
    return this.#json({ method: 'GET', path: '/services', ...opt(signal) }, servicesResponseSchema, { what: 'Reading the services' });
  }

  /** `GET /jobs`: one page. */
  listJobs(query: JobQuery, signal?: AbortSignal): Promise<Decoded<JobPage>> {
    return this.#json({ method: 'GET', path: '/jobs', query: { ...query }, ...opt(signal) }, jobPageSchema, { what: 'Listing jobs' });
  }

  /** `GET /jobs/{id}`. */
  getJob(id: string): Promise<Decoded<JobDetail>> {
    return this.#json({ method: 'GET', path: `/jobs/${enc(id)}` }, jobDetailSchema, { what: `Reading job "${id}"`, kind: 'job', name: id });
  }

  /** `GET /jobs/{id}/history`: one page, newest first. */
  history(id: string, query: HistoryQuery): Promise<Decoded<RunPage>> {
    return this.#json({ method: 'GET', path: `/jobs/${enc(id)}/history`, query: { ...query } }, runPageSchema, { what: `Reading the history of job "${id}"`, kind: 'job', name: id });
  }

  /** `GET /runs`: one page of the run log (or of one job's history on a host without one), newest first. */
  runs(query: RunLogQuery): Promise<Decoded<LoggedRunPage>> {
    const subject: Subject = query.job === undefined ? { what: 'Reading the run log' } : { what: `Reading the runs of job "${query.job}"`, kind: 'job', name: query.job };
    return this.#json({ method: 'GET', path: '/runs', query: { ...query } }, loggedRunPageSchema, subject);
  }

  /** `POST /jobs/{id}/run`. */
  runJob(id: string, body: { args?: readonly unknown[]; wait?: boolean; timeoutMs?: number }): Promise<Decoded<RunRequest>> {
    // The host holds the answer up to timeoutMs when asked to wait: give it that long and more.
    const timeoutMs = body.wait === true ? (body.timeoutMs ?? 30_000) + 30_000 : 30_000;
    return this.#json({ method: 'POST', path: `/jobs/${enc(id)}/run`, body, timeoutMs }, runRequestSchema, { what: `Running job "${id}"`, kind: 'job', name: id });
  }

  /** `POST /jobs/{id}/pause`. */
  pause(id: string): Promise<Decoded<JobDetail>> {
    return this.#json({ method: 'POST', path: `/jobs/${enc(id)}/pause` }, jobDetailSchema, { what: `Pausing job "${id}"`, kind: 'job', name: id });
  }

  /** `POST /jobs/{id}/resume`. */
  resume(id: string): Promise<Decoded<JobDetail>> {
    return this.#json({ method: 'POST', path: `/jobs/${enc(id)}/resume` }, jobDetailSchema, { what: `Resuming job "${id}"`, kind: 'job', name: id });
  }

  /** `PUT /jobs/{id}/trigger`. */
  reschedule(id: string, trigger: Readonly<Record<string, unknown>>): Promise<Decoded<JobDetail>> {
    return this.#json({ method: 'PUT', path: `/jobs/${enc(id)}/trigger`, body: trigger }, jobDetailSchema, { what: `Rescheduling job "${id}"`, kind: 'job', name: id });
  }

  /** `DELETE /jobs/{id}`. */
  async remove(id: string): Promise<void> {
    await this.#send({ method: 'DELETE', path: `/jobs/${enc(id)}` }, { what: `Removing job "${id}"`, kind: 'job', name: id });
  }

  /** `GET /plugins`. */
  plugins(signal?: AbortSignal): Promise<Decoded<{ items: Plugin[] }>> {
    return this.#json({ method: 'GET', path: '/plugins', ...opt(signal) }, pluginListSchema, { what: 'Listing plugins' });
  }

  /** `POST /plugins/{name}/reload`. */
  reload(name: string): Promise<Decoded<Plugin>> {
    return this.#json({ method: 'POST', path: `/plugins/${enc(name)}/reload`, timeoutMs: 120_000 }, pluginSchema, { what: `Reloading plugin "${name}"`, kind: 'plugin', name });
  }

  /**
   * `GET /events`: the open event stream (after a 200), for {@link readEventStream}.
   *
   * @throws the same coded errors as the other methods when the host refuses the stream.
   */
  async events(query: { job?: string | undefined; owner?: string | undefined; types?: string | undefined }, options: { lastEventId?: string | undefined; signal?: AbortSignal }): Promise<IncomingMessage> {
    const spec: RequestSpec = {
      method: 'GET',
      path: `${ADMIN_PREFIX}/events`,
      query: { ...query },
      ...(options.lastEventId === undefined ? {} : { headers: { 'last-event-id': options.lastEventId } }),
      ...opt(options.signal),
    };
    const res = await openRequest(this.target, spec, { stream: true });
    const type = String(res.headers['content-type'] ?? '');
    if (res.statusCode === 200 && type.startsWith('text/event-stream')) return res;
    const chunks: Buffer[] = [];
    for await (const chunk of res) chunks.push(chunk as Buffer);
    const answer: HttpAnswer = { status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8'), url: requestUrl(this.target, spec) };
    throw this.#failure(answer, { what: 'Following the event stream' });
  }

  async #send(spec: RequestSpec, subject: Subject): Promise<HttpAnswer> {
    const answer = await sendRequest(this.target, { ...spec, path: `${ADMIN_PREFIX}${spec.path}` });
    if (answer.status >= 200 && answer.status < 300) return answer;
    const failure = this.#failure(answer, subject);
    if (failure instanceof CliNotFoundError && subject.kind === 'job' && subject.name !== undefined) {
      const similar = await this.#similarJobs(subject.name);
      if (similar.length > 0) throw new CliNotFoundError('job', subject.name, errorShape.parse(parseJson(answer.text)).error.message, similar);
    }
    throw failure;
  }

  /** Up to three job ids close to `id` (same owner prefix, a few edits away); none when that cannot be read. */
  async #similarJobs(id: string): Promise<string[]> {
    const colon = id.indexOf(':');
    try {
      const page = await sendRequest(this.target, { method: 'GET', path: `${ADMIN_PREFIX}/jobs`, query: { limit: 500, ...(colon > 0 ? { q: id.slice(0, colon + 1) } : {}) }, timeoutMs: 5000 });
      const parsed = jobPageSchema.safeParse(parseJson(page.text));
      if (page.status !== 200 || !parsed.success) return [];
      const within = Math.max(2, Math.floor(id.length / 4));
      return parsed.data.items
        .map((job) => ({ id: job.id, distance: editDistance(id, job.id, within) }))
        .filter((c) => c.distance <= within)
        .sort((a, b) => a.distance - b.distance || a.id.localeCompare(b.id))
        .slice(0, 3)
        .map((c) => c.id);
    } catch {
      return [];
    }
  }

  async #json<S extends z.ZodType>(spec: RequestSpec, schema: S, subject: Subject): Promise<Decoded<z.output<S>>> {
    const answer = await this.#send(spec, subject);
    const raw = parseJson(answer.text);
    const parsed = schema.safeParse(raw);
    if (!parsed.success) throw this.#notAdminApi(answer, `${answer.status} with a body the admin API does not send`);
    return { raw, value: parsed.data };
  }

  /** The coded error for a non-2xx answer to a request under `prefix`. */
  #failure(answer: HttpAnswer, subject: Subject, prefix: string = ADMIN_PREFIX): Error {
    const body = errorShape.safeParse(parseJson(answer.text));
    if (!body.success) return this.#notAdminApi(answer, `${answer.status} without the admin API's error shape`);
    const { code, message } = body.data.error;
    if (answer.status === 401 || answer.status === 403 || answer.status === 429) {
      return new CliAuthRefusedError(answer.status, `${this.target.url}${prefix}`, this.target.tokenSource, message);
    }
    if (answer.status === 404 && code === 'XCORE_ERR_HTTP_NOT_FOUND') return this.#notAdminApi(answer, `404 ${code} for ${new URL(answer.url).pathname}`);
    if (answer.status === 404 && NOT_FOUND_CODES.has(code) && subject.kind !== undefined) return new CliNotFoundError(subject.kind, subject.name ?? '', message);
    return new CliRequestFailedError(subject.what, answer.status, code, message);
  }

  #notAdminApi(answer: HttpAnswer, what: string): CliHostUnreachableError {
    const type = String(answer.headers['content-type'] ?? 'no content type');
    return new CliHostUnreachableError(this.target.url, this.target.source, `something answers there, but not the xcore admin API (${what}; ${type})`, {
      advice: 'Check the port, and the base path (services.http.basePath) at the end of the URL.',
    });
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function opt(signal: AbortSignal | undefined): { signal?: AbortSignal } {
  return signal === undefined ? {} : { signal };
}
