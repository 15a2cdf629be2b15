/**
 * The host side of a sandbox's services: an explicit table of the methods a sandboxed plugin may
 * call, each with the shape of its arguments, checked on every call.
 *
 * @remarks
 * Nothing here hands the sandbox an object: each entry calls one method of the plugin's own
 * service view (the scheduler's plugin view keeps its ownership rules, so another plugin's job is
 * `XCORE_ERR_JOB_NOT_FOUND`), and only data crosses back. A method that is not in the table is
 * `XCORE_ERR_SANDBOX_NOT_GRANTED`; arguments of the wrong shape are `XCORE_ERR_SANDBOX_CALL_INVALID`.
 */
import { z } from 'zod';
import { SandboxCallInvalidError, SandboxNotGrantedError } from '../errors.js';
import type { PluginContext } from '../plugins/plugin.js';
import type { ServiceName } from '../services/service.js';
import type { SandboxRouteAnswer, SandboxRouteInput } from './protocol.js';
import type { RpcChannel } from './rpc-channel.js';

/** What a job's run gives the host-side handler (the scheduler's job context, structurally). */
interface HostJobContext {
  readonly signal: AbortSignal;
  readonly jobId: string;
  readonly scheduledAt: Date;
  readonly attempt: number;
  readonly args: readonly unknown[];
}

/** The scheduler's plugin view, as far as the grant table uses it. */
interface SchedulerTarget {
  addJob(fn: (ctx: HostJobContext) => unknown, options: object): Promise<unknown>;
  removeJob(id: string): Promise<unknown>;
  pauseJob(id: string): Promise<unknown>;
  resumeJob(id: string): Promise<unknown>;
  modifyJob(id: string, changes: object): Promise<unknown>;
  rescheduleJob(id: string, trigger: unknown): Promise<unknown>;
  getJob(id: string): Promise<unknown>;
  jobs(): Promise<unknown>;
  runJob(id: string): Promise<unknown>;
  history(id: string, options?: { readonly limit?: number }): Promise<unknown>;
}

/** A route input as the http service gives it, structurally. */
interface HostRouteInput {
  readonly params: unknown;
  readonly query: unknown;
  readonly body: unknown;
  readonly identity: unknown;
  readonly client: string;
  readonly requestId: string;
  readonly request: Request;
  readonly signal: AbortSignal;
}

/** The http service's plugin view, as far as the grant table uses it. */
interface HttpTarget {
  route(def: Record<string, unknown>): () => void;
  readonly url: string | undefined;
}

/** Services a sandbox can be offered (when registered in the host). */
export const SANDBOX_SERVICES = ['scheduler', 'http'] as const;

/** One granted method: the shape of its arguments and what it does. */
interface Grant {
  readonly args: z.ZodType<readonly unknown[]>;
  run(args: readonly unknown[]): unknown;
}

const key = z.number().int().positive();
const id = z.string().min(1).max(1_000);
const plain = z.record(z.string(), z.unknown());

/** Job options a sandbox may not set: they would run code outside the sandbox. */
const HOST_CODE_OPTIONS = ['executor', 'module', 'export', 'func'] as const;

const jobOptions = plain.superRefine((options, ctx) => {
  for (const name of HOST_CODE_OPTIONS) {
    if (name === 'executor' && (options[name] === undefined || options[name] === 'inline')) continue;
    if (options[name] !== undefined) {
      ctx.addIssue({ code: 'custom', path: [name], message: `"${name}" would run code outside the sandbox; jobs of a sandboxed plugin run in its process` });
    }
  }
});

const routeShape = z.strictObject({
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']),
  path: z.string().min(1).max(2_000),
  auth: z.enum(['public', 'read', 'operate', 'admin']).optional(),
  summary: z.string().max(1_000).optional(),
  description: z.string().max(10_000).optional(),
  status: z.union([z.literal(200), z.literal(201), z.literal(202)]).optional(),
  hasBody: z.boolean(),
});

/** What {@link createGrantTable} works with. */
export interface GrantTableDeps {
  readonly plugin: string;
  /** The plugin's host-side context: its service views, logger and `call` (with it as the caller). */
  readonly context: PluginContext;
  /** The channel of the sandbox process these grants serve. */
  readonly rpc: RpcChannel;
}

/** The granted methods of one sandbox process, and the check every call goes through. */
export interface GrantTable {
  /** Names of the granted methods. */
  readonly methods: readonly string[];
  /** The services offered to the sandbox (granted and registered). */
  readonly services: readonly string[];
  /**
   * Checks `method` and `args` and performs the call.
   * @throws `XCORE_ERR_SANDBOX_NOT_GRANTED`, `XCORE_ERR_SANDBOX_CALL_INVALID`, or what the method throws.
   */
  perform(method: string, args: unknown): Promise<unknown>;
}

/** Builds the grant table of one sandbox process (one start of the plugin). */
export function createGrantTable(deps: GrantTableDeps): GrantTable {
  const { context, rpc, plugin } = deps;
  const grants = new Map<string, Grant>();
  const services = SANDBOX_SERVICES.filter((name) => context.getService(name as ServiceName, { optional: true }) !== undefined);

  if (services.includes('scheduler')) {
    const scheduler = (): SchedulerTarget => context.getService('scheduler' as ServiceName) as unknown as SchedulerTarget;
    const hostJob = (handler: number) => (ctx: HostJobContext) =>
      rpc.request({ t: 'run', handler, jobId: ctx.jobId, scheduledAt: ctx.scheduledAt, attempt: ctx.attempt, args: ctx.args }, ctx.signal);
    grants.set('scheduler.addJob', { args: z.tuple([key, jobOptions]), run: ([handler, options]) => scheduler().addJob(hostJob(handler as number), options as object) });
    for (const method of ['removeJob', 'pauseJob', 'resumeJob', 'getJob', 'runJob'] as const) {
      grants.set(`scheduler.${method}`, { args: z.tuple([id]), run: ([jobId]) => scheduler()[method](jobId as string) });
    }
    grants.set('scheduler.modifyJob', { args: z.tuple([id, jobOptions]), run: ([jobId, changes]) => scheduler().modifyJob(jobId as string, changes as object) });
    grants.set('scheduler.rescheduleJob', { args: z.tuple([id, z.unknown()]), run: ([jobId, trigger]) => scheduler().rescheduleJob(jobId as string, trigger) });
    grants.set('scheduler.jobs', { args: z.tuple([]), run: () => scheduler().jobs() });
    grants.set('scheduler.history', {
      args: z.union([z.tuple([id]), z.tuple([id, z.strictObject({ limit: z.number().int().positive().optional() })])]),
      run: ([jobId, options]) => scheduler().history(jobId as string, options as { limit?: number } | undefined),
    });
  }

  if (services.includes('http')) {
    const http = (): HttpTarget => context.getService('http' as ServiceName) as unknown as HttpTarget;
    const unmount = new Map<number, () => void>();
    grants.set('http.route', {
      args: z.tuple([key, routeShape]),
      run: ([handler, shape]) => {
        const { hasBody, ...route } = shape as z.output<typeof routeShape>;
        const remove = http().route({
          ...route,
          ...(hasBody ? { body: z.unknown() } : {}),
          handler: async (input: HostRouteInput) => answerOf(await rpc.request<SandboxRouteAnswer>({ t: 'request', handler, input: routeInput(input) }, input.signal)),
        });
        unmount.set(handler as number, remove);
        return undefined;
      },
    });
    grants.set('http.unroute', {
      args: z.tuple([key]),
      run: ([handler]) => {
        unmount.get(handler as number)?.();
        unmount.delete(handler as number);
        return undefined;
      },
    });
  }

  grants.set('call', {
    args: z.union([z.tuple([id, id, z.unknown()]), z.tuple([id, id, z.unknown(), z.strictObject({ timeoutMs: z.number().int().positive().optional() })])]),
    run: ([target, action, payload, options]) => context.call(target as string, action as string, payload, options as { timeoutMs?: number } | undefined),
  });

  const methods = [...grants.keys()];
  return {
    methods,
    services,
    async perform(method, args) {
      const grant = typeof method === 'string' ? grants.get(method) : undefined;
      if (grant === undefined) throw new SandboxNotGrantedError(plugin, `"${String(method)}"`, methods);
      const parsed = grant.args.safeParse(args);
      if (!parsed.success) {
        const problems = parsed.error.issues.map((issue) => `${issue.path.length === 0 ? 'arguments' : `argument ${issue.path.join('.')}`}: ${issue.message}`);
        throw new SandboxCallInvalidError(plugin, method, problems.join('; '));
      }
      return grant.run(parsed.data);
    },
  };
}

/** The parts of a request a sandboxed route handler gets (plain data). */
function routeInput(input: HostRouteInput): SandboxRouteInput {
  const headers: Record<string, string> = {};
  input.request.headers.forEach((value, name) => (headers[name] = value));
  return {
    method: input.request.method,
    url: input.request.url,
    headers,
    params: (input.params ?? {}) as Record<string, unknown>,
    query: (input.query ?? {}) as Record<string, unknown>,
    body: input.body,
    identity: JSON.parse(JSON.stringify(input.identity ?? null)) as unknown,
    client: input.client,
    requestId: input.requestId,
  };
}

/** Turns a sandboxed handler's answer into what the http service sends. */
function answerOf(answer: SandboxRouteAnswer): unknown {
  if (answer.kind === 'empty') return undefined;
  if (answer.kind === 'json' && (answer.status === undefined || answer.status === 200)) return answer.body;
  const body = answer.kind === 'json' ? JSON.stringify(answer.body) : String(answer.body ?? '');
  const headers = { ...(answer.kind === 'json' ? { 'content-type': 'application/json' } : {}), ...answer.headers };
  return new Response(body, { status: answer.status ?? 200, headers });
}
