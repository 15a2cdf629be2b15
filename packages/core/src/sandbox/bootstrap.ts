/**
 * The host-owned main module of a sandbox process (built to `dist/sandbox-bootstrap.js`).
 *
 * @remarks
 * Started by the host with Node's permission model on and an IPC channel. It waits for `init`,
 * imports the plugin's bundled entry, checks its config with the plugin's own schema, then runs
 * what the host asks: hooks, actions, job attempts and HTTP requests. It exits when the channel
 * closes (the host stopped it or went away), so no sandbox outlives its host.
 */
import { pino, type Logger } from 'pino';
import { PluginActionUnknownError, SandboxConfigInvalidError } from '../errors.js';
import { serializeError, wantsErrorStacks } from '../reporting/render-error.js';
import type { PluginDefinition } from '../plugins/plugin.js';
import type { HostMessage, InitReply, InitRequest, SandboxRouteAnswer, SandboxRouteInput } from './protocol.js';
import { RpcChannel } from './rpc-channel.js';
import { createSandboxContext, type SandboxHandlers } from './sandbox-context.js';

/** Longest log line sent to the host; longer ones are cut (a runaway log cannot flood the channel). */
const MAX_LOG_LINE = 64 * 1024;

const send = (message: object): unknown => process.send?.(message);
const rpc = new RpcChannel({ send });
const handlers: SandboxHandlers = { jobs: new Map(), routes: new Map(), mounts: new Set() };
const inFlight = new Map<number, AbortController>();
let state: { definition: PluginDefinition; context: ReturnType<typeof createSandboxContext>; logger: Logger; plugin: string } | undefined;

process.on('disconnect', () => process.exit(0));

/** Reads the plugin's definition from its bundle's default export (a CommonJS wrapper unwrapped). */
function definitionOf(namespace: Record<string, unknown>): PluginDefinition {
  let candidate = namespace['default'];
  if (candidate !== null && typeof candidate === 'object' && 'default' in candidate && Object.keys(candidate).filter((k) => k !== '__esModule').length === 1) {
    candidate = (candidate as { default: unknown }).default;
  }
  if (candidate === null || typeof candidate !== 'object') throw new TypeError('the plugin entry has no default export made with definePlugin({...})');
  return candidate as PluginDefinition;
}

async function init(message: InitRequest): Promise<InitReply> {
  const logger = pino(
    {
      level: message.logLevel,
      base: null,
      timestamp: false,
      // The host's error rendering (cause chain once, the user's frame, stacks only at debug), so a
      // sandboxed plugin's error lines read like an in-process plugin's.
      serializers: { err: (error: unknown) => serializeError(error, { debug: wantsErrorStacks(message.logLevel, { debugErrors: message.debugErrors }) }) },
    },
    { write: (line: string) => void send({ t: 'log', line: line.length > MAX_LOG_LINE ? `${line.slice(0, MAX_LOG_LINE)}…` : line }) },
  );
  const definition = definitionOf((await import(message.entry)) as Record<string, unknown>);
  let config: unknown = message.config ?? {};
  const schema = definition.configSchema as { safeParse?(value: unknown): { success: boolean; data?: unknown; error?: { issues: { path: PropertyKey[]; message: string }[] } } } | undefined;
  if (schema?.safeParse !== undefined) {
    const parsed = schema.safeParse(message.config);
    if (!parsed.success) {
      const problems = parsed.error?.issues.map((i) => `${['plugins', 'config', message.plugin, ...i.path.map(String)].join('.')}: ${i.message}`) ?? [];
      throw new SandboxConfigInvalidError(message.plugin, problems);
    }
    config = parsed.data ?? {};
  }
  const context = createSandboxContext(
    { plugin: message.plugin, config: deepFreeze(config), dataDir: message.dataDir, logger, rpc, services: message.services, handlers },
    message.httpUrl,
  );
  state = { definition, context, logger, plugin: message.plugin };
  const hooks = (['onLoad', 'onStart', 'onStop'] as const).filter((h) => typeof definition[h] === 'function');
  return { hooks, handles: typeof definition.handle === 'function', ...(definition.actions === undefined ? {} : { actions: [...definition.actions] }) };
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

function current(): NonNullable<typeof state> {
  if (state === undefined) throw new Error('the sandbox was asked to work before init');
  return state;
}

async function hook(name: 'onLoad' | 'onStart' | 'onStop'): Promise<void> {
  const { definition, context } = current();
  await definition[name]?.call(definition, context);
  // A route mount refused by the host fails the hook that mounted it, as in-process.
  while (handlers.mounts.size > 0) await Promise.all([...handlers.mounts]);
}

async function action(name: string, payload: unknown): Promise<unknown> {
  const { definition, context, plugin } = current();
  if (definition.handle === undefined) throw new PluginActionUnknownError(plugin, name, undefined);
  if (definition.actions !== undefined && !definition.actions.includes(name)) throw new PluginActionUnknownError(plugin, name, definition.actions);
  return definition.handle(name, payload, context);
}

async function run(id: number, handler: number, jobId: string, scheduledAt: Date, attempt: number, args: readonly unknown[]): Promise<unknown> {
  const fn = handlers.jobs.get(handler);
  if (fn === undefined) throw new Error(`job "${jobId}" has no handler in this sandbox (it was registered by an earlier process)`);
  const controller = new AbortController();
  inFlight.set(id, controller);
  const { logger } = current();
  let jobLogger: Logger | undefined;
  try {
    await fn({
      signal: controller.signal,
      jobId,
      scheduledAt,
      attempt,
      args,
      get logger() {
        return (jobLogger ??= logger.child({ job: jobId, attempt }));
      },
    });
    return undefined;
  } finally {
    inFlight.delete(id);
  }
}

async function request(id: number, handler: number, input: SandboxRouteInput): Promise<SandboxRouteAnswer> {
  const route = handlers.routes.get(handler);
  if (route === undefined) return { status: 404, kind: 'json', body: { error: { code: 'XCORE_ERR_HTTP_NOT_FOUND', message: 'the route was removed' } } };
  const { def } = route;
  const parsed: Record<string, unknown> = {};
  for (const part of ['params', 'query', 'body'] as const) {
    const schema = def[part] as { safeParse?(v: unknown): { success: boolean; data?: unknown; error?: { issues: { path: PropertyKey[]; message: string }[] } } } | undefined;
    if (schema?.safeParse === undefined) {
      parsed[part] = part === 'body' ? undefined : input[part];
      continue;
    }
    const result = schema.safeParse(input[part]);
    if (!result.success) {
      const issues = result.error?.issues.map((i) => ({ path: [part, ...i.path.map(String)].join('.'), message: i.message })) ?? [];
      return { status: 400, kind: 'json', body: { error: { code: 'XCORE_ERR_HTTP_VALIDATION', message: `Invalid ${part}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues } } };
    }
    parsed[part] = result.data;
  }
  const controller = new AbortController();
  inFlight.set(id, controller);
  const { logger } = current();
  try {
    const answer = await def.handler({
      ...parsed,
      identity: input.identity,
      client: input.client,
      requestId: input.requestId,
      request: new Request(input.url, { method: input.method, headers: input.headers }),
      signal: controller.signal,
      logger: logger.child({ requestId: input.requestId }),
    });
    if (answer instanceof Response) {
      const headers: Record<string, string> = {};
      answer.headers.forEach((value, name) => (headers[name] = value));
      return { status: answer.status, headers, kind: 'text', body: await answer.text() };
    }
    if (answer === undefined) return { kind: 'empty' };
    return { kind: 'json', body: answer };
  } finally {
    inFlight.delete(id);
  }
}

process.on('message', (raw: unknown) => {
  const message = raw as HostMessage;
  switch (message.t) {
    case 'reply':
      rpc.settle(message);
      return;
    case 'abort':
      inFlight.get(message.of)?.abort(new Error(message.reason));
      return;
    case 'init':
      void rpc.answer(message.id, () => init(message));
      return;
    case 'hook':
      void rpc.answer(message.id, () => hook(message.hook));
      return;
    case 'action':
      void rpc.answer(message.id, () => action(message.action, message.payload));
      return;
    case 'run':
      void rpc.answer(message.id, () => run(message.id, message.handler, message.jobId, message.scheduledAt, message.attempt, message.args));
      return;
    case 'request':
      void rpc.answer(message.id, () => request(message.id, message.handler, message.input));
      return;
  }
});
