import { afterEach, beforeEach, describe, expect, expectTypeOf, it, vi } from 'vitest';
import { z } from 'zod';
import type { Logger } from 'pino';
import { defineService } from '../services/define-service.js';
import type { ServiceDefinition } from '../services/service.js';
import { createKernel } from './create-kernel.js';
import type { Kernel } from './kernel-types.js';
import { fixtureApp, memoryLogger, resetTrace, trace, tracingPlugin, type FixtureApp } from './kernel.fixtures.js';

interface Recorder {
  record(entry: string): void;
  readonly owner: string;
}

declare module '../index.js' {
  interface XcoreServices {
    recorder: Recorder;
  }
}

/** A service that traces its lifecycle and gives each plugin a view naming it. */
const recorderService = (): ServiceDefinition =>
  defineService({
    name: 'recorder',
    configSchema: z.strictObject({ prefix: z.string().default('svc') }).prefault({}),
    create: ({ config }) => {
      trace().push(`${config.prefix}:create`);
      const instance = {
        owner: 'shared',
        record: (entry: string) => trace().push(entry),
        onPluginStopped: (plugin: string) => void trace().push(`${config.prefix}:released:${plugin}`),
      };
      return instance;
    },
    start: () => void trace().push('svc:start'),
    afterPluginsStarted: () => void trace().push('svc:after'),
    beforePluginsStop: () => void trace().push('svc:drain'),
    stop: () => void trace().push('svc:stop'),
    dispose: () => void trace().push('svc:dispose'),
    forPlugin: (instance, plugin) => ({ ...instance, owner: plugin }),
  }) as unknown as ServiceDefinition;

let app: FixtureApp;
let kernel: Kernel | undefined;

beforeEach(() => {
  resetTrace();
});

afterEach(async () => {
  await kernel?.stop();
  kernel = undefined;
  app?.cleanup();
});

const boot = async (yaml = '', services: ServiceDefinition[] = [recorderService()]): Promise<{ kernel: Kernel; lines: Record<string, unknown>[] }> => {
  const { logger, lines } = memoryLogger();
  kernel = createKernel({ loaded: app.load(yaml, services), services, logger });
  await kernel.start();
  return { kernel, lines };
};

const states = (k: Kernel): Record<string, string> => Object.fromEntries(k.plugins().map((p) => [p.name, p.state]));
const codes = (k: Kernel): Record<string, string | undefined> =>
  Object.fromEntries(k.plugins().map((p) => [p.name, (p.error as { code?: string } | undefined)?.code]));

describe('createKernel: order', () => {
  it('starts services, then plugins in dependency order; on stop drains services, stops plugins in reverse, then services', async () => {
    app = fixtureApp([
      { name: 'web', dependencies: { db: '^1.0.0', cache: '*' }, source: tracingPlugin('web') },
      { name: 'db', version: '1.4.0', source: tracingPlugin('db') },
      { name: 'cache', dependencies: { db: '1.x' }, source: tracingPlugin('cache') },
      { name: 'audit', source: tracingPlugin('audit') },
    ]);
    const { kernel: k, lines } = await boot();
    expect(trace()).toEqual([
      'svc:create',
      'svc:start',
      'audit:load',
      'db:load',
      'cache:load',
      'web:load',
      'audit:start',
      'db:start',
      'cache:start',
      'web:start',
      'svc:after',
    ]);
    expect(k.plugins().map((p) => [p.name, p.version, p.state])).toEqual([
      ['audit', '1.0.0', 'started'],
      ['db', '1.4.0', 'started'],
      ['cache', '1.0.0', 'started'],
      ['web', '1.0.0', 'started'],
    ]);
    const started = lines.filter((l) => l['msg'] === 'plugin started');
    expect(started.map((l) => l['plugin'])).toEqual(['audit', 'db', 'cache', 'web']);
    expect(started.every((l) => typeof l['ms'] === 'number' && l['level'] === 30)).toBe(true);
    expect(k.plugins().map((p) => p.startMs)).toEqual(started.map((l) => l['ms']));

    resetTrace();
    const report = await k.stop();
    expect(report).toEqual({ timedOut: false, unfinished: [], failed: [] });
    expect(trace()).toEqual([
      'svc:drain',
      'web:stop',
      'svc:released:web',
      'cache:stop',
      'svc:released:cache',
      'db:stop',
      'svc:released:db',
      'audit:stop',
      'svc:released:audit',
      'svc:stop',
      'svc:dispose',
    ]);
    expect(states(k)).toEqual({ audit: 'stopped', db: 'stopped', cache: 'stopped', web: 'stopped' });
  });

  it('filters by plugins.enabled (a folder it does not name is listed as not-enabled and logged once) and reports an enabled plugin that is not installed with its line', async () => {
    app = fixtureApp([
      { name: 'a', source: tracingPlugin('a') },
      { name: 'b', source: tracingPlugin('b') },
    ]);
    const { kernel: k, lines } = await boot('  enabled: [b]\n');
    expect(states(k)).toEqual({ b: 'started', a: 'not-enabled' });
    expect(trace()).not.toContain('a:load');
    expect(lines.filter((l) => String(l['msg']).startsWith('plugin folder present but not enabled')).map((l) => [l['level'], l['plugin']])).toEqual([[30, 'a']]);
    await k.stop();

    const { logger } = memoryLogger();
    kernel = createKernel({ loaded: app.load('  enabled:\n    - b\n    - ghost\n'), logger });
    await expect(kernel.start()).rejects.toMatchObject({
      code: 'XCORE_ERR_PLUGIN_NOT_FOUND',
      message: expect.stringContaining(`Plugin "ghost" is enabled at ${app.dir}/xcore.yaml:6:7`),
    });
  });

  it('refuses a plugins.sandboxed name no folder declares, at its line (a typo would run the plugin unsandboxed)', async () => {
    app = fixtureApp([{ name: 'reports', source: tracingPlugin('reports') }]);
    kernel = createKernel({ loaded: app.load('  sandboxed: [reprots]\n'), logger: memoryLogger().logger });
    const error = await kernel.start().then(() => undefined, (e: unknown) => e as Error & { code: string });
    expect(error?.code).toBe('XCORE_ERR_PLUGIN_NOT_FOUND');
    expect(error?.message).toContain(`Plugin "reprots" is listed in plugins.sandboxed at ${app.dir}/xcore.yaml:4:15`);
    expect(kernel.plugins().filter((p) => p.state === 'started')).toEqual([]);
  });
});

describe('createKernel: dependency problems and failures', () => {
  it('skips plugins with missing, out-of-range or cyclic dependencies and their dependents, naming the dependency; the rest start', async () => {
    app = fixtureApp([
      { name: 'health', version: '2.0.0', source: tracingPlugin('health') },
      { name: 'old', dependencies: { health: '^1.0.0' }, source: tracingPlugin('old') },
      { name: 'orphan', dependencies: { ghost: '*' }, source: tracingPlugin('orphan') },
      { name: 'x', dependencies: { y: '*' }, source: tracingPlugin('x') },
      { name: 'y', dependencies: { x: '*' }, source: tracingPlugin('y') },
      { name: 'uses-old', dependencies: { old: '*' }, source: tracingPlugin('uses-old') },
    ]);
    const { kernel: k } = await boot();
    expect(states(k)).toEqual({ health: 'started', old: 'skipped', orphan: 'skipped', 'uses-old': 'skipped', x: 'skipped', y: 'skipped' });
    expect(codes(k)).toEqual({
      health: undefined,
      old: 'XCORE_ERR_PLUGIN_DEPENDENCY_VERSION',
      orphan: 'XCORE_ERR_PLUGIN_DEPENDENCY_MISSING',
      'uses-old': 'XCORE_ERR_PLUGIN_DEPENDENCY_FAILED',
      x: 'XCORE_ERR_PLUGIN_DEPENDENCY_CYCLE',
      y: 'XCORE_ERR_PLUGIN_DEPENDENCY_CYCLE',
    });
    expect(k.plugins().find((p) => p.name === 'x')!.error!.message).toContain('x -> y -> x');
    expect(Object.fromEntries(k.plugins().map((p) => [p.name, p.dependency]))).toEqual({ health: undefined, old: 'health', orphan: 'ghost', 'uses-old': 'old', x: 'y', y: 'x' });
    expect(trace()).toEqual(['svc:create', 'svc:start', 'health:load', 'health:start', 'svc:after']);
  });

  it('isolates a plugin whose onStart throws: marked failed, dependents skipped naming it, others run, services told', async () => {
    app = fixtureApp([
      { name: 'base', source: tracingPlugin('base') },
      { name: 'broken', dependencies: { base: '*' }, source: `export default { onStart() { throw new Error('no database'); } };` },
      { name: 'child', dependencies: { broken: '*' }, source: tracingPlugin('child') },
      { name: 'other', source: tracingPlugin('other') },
    ]);
    const { logger, lines } = memoryLogger();
    const services = [recorderService()];
    kernel = createKernel({ loaded: app.load('', services), services, logger });
    await kernel.start();
    expect(states(kernel)).toEqual({ base: 'started', broken: 'failed', child: 'skipped', other: 'started' });
    expect(codes(kernel)).toMatchObject({ broken: 'XCORE_ERR_PLUGIN_HOOK_FAILED', child: 'XCORE_ERR_PLUGIN_DEPENDENCY_FAILED' });
    const brokenError = kernel.plugins().find((p) => p.name === 'broken')!.error!;
    expect(brokenError.message).toBe('Plugin "broken": onStart failed: no database.');
    expect((brokenError.cause as Error).message).toBe('no database');
    expect(trace()).toContain('svc:released:broken');
    expect(trace()).toContain('svc:released:child');
    expect(trace()).not.toContain('child:start');
    // The log names the failed plugin with its hook, and the skipped one with the dependency that stopped it.
    expect(lines.filter((l) => l['msg'] === 'plugin failed').map((l) => [l['plugin'], l['hook']])).toEqual([['broken', 'onStart']]);
    expect(lines.filter((l) => l['msg'] === 'plugin skipped').map((l) => [l['plugin'], l['dependency']])).toEqual([['child', 'broken']]);
    expect(kernel.plugins().find((p) => p.name === 'child')).toMatchObject({ state: 'skipped', dependency: 'broken' });
  });

  it('fails a hook that does not settle within plugins.hookTimeoutMs', async () => {
    app = fixtureApp([
      { name: 'slow', source: `export default { onStart() { return new Promise(() => {}); } };` },
      { name: 'fast', source: tracingPlugin('fast') },
    ]);
    const { kernel: k } = await boot('  hookTimeoutMs: 30\n', []);
    expect(states(k)).toEqual({ fast: 'started', slow: 'failed' });
    expect(k.plugins().find((p) => p.name === 'slow')!.error).toMatchObject({
      code: 'XCORE_ERR_PLUGIN_HOOK_TIMEOUT',
      message: expect.stringContaining('Plugin "slow": onStart did not finish within 30 ms'),
    });
  });

  it('with failFast, stops what started and throws XCORE_ERR_PLUGIN_START_FAILED', async () => {
    app = fixtureApp([
      { name: 'a', source: tracingPlugin('a') },
      { name: 'b', dependencies: { a: '*' }, source: `export default { onStart() { throw new Error('boom'); } };` },
      { name: 'c', dependencies: { b: '*' }, source: tracingPlugin('c') },
    ]);
    const services = [recorderService()];
    const { logger } = memoryLogger();
    kernel = createKernel({ loaded: app.load('  failFast: true\n', services), services, logger });
    await expect(kernel.start()).rejects.toMatchObject({ code: 'XCORE_ERR_PLUGIN_START_FAILED', message: expect.stringContaining('plugin "b" failed') });
    expect(trace()).toEqual([
      'svc:create',
      'svc:start',
      'a:load',
      'c:load',
      'a:start',
      'svc:released:b',
      'svc:drain',
      'a:stop',
      'svc:released:a',
      'svc:released:c',
      'svc:stop',
      'svc:dispose',
    ]);
    expect(states(kernel)).toEqual({ a: 'stopped', b: 'failed', c: 'stopped' });
  });
});

describe('createKernel: shutdown deadline', () => {
  it('abandons what does not stop within app.shutdownTimeoutMs, aborts the services signal, and still disposes', async () => {
    app = fixtureApp([
      { name: 'stuck', source: `export default { onStop() { globalThis.__xcoreTrace.push('stuck:stop'); return new Promise(() => {}); } };` },
      { name: 'quick', source: tracingPlugin('quick') },
    ]);
    let signal: AbortSignal | undefined;
    const slowService = defineService({
      name: 'recorder',
      configSchema: z.strictObject({}).prefault({}),
      create: () => ({ owner: 'shared', record: () => undefined }),
      stop: (_instance, ctx) => {
        signal = ctx.signal;
        trace().push(`slow:stop:${ctx.deadlineMs <= 100}`);
        return new Promise(() => {});
      },
      dispose: () => void trace().push('slow:dispose'),
    }) as unknown as ServiceDefinition;
    const { logger, lines } = memoryLogger();
    kernel = createKernel({ loaded: app.load('', [slowService], 'app:\n  shutdownTimeoutMs: 100\n'), services: [slowService], logger });
    await kernel.start();
    resetTrace();
    const report = await kernel.stop();
    expect(report).toEqual({ timedOut: true, unfinished: ['plugin:stuck', 'service:recorder'], failed: [] });
    expect(trace()).toEqual(['stuck:stop', 'quick:stop', 'slow:stop:true', 'slow:dispose']);
    expect(signal?.aborted).toBe(true);
    expect(lines.find((l) => l['msg'] === 'shutdown passed the drain deadline')?.['unfinished']).toEqual(['plugin:stuck', 'service:recorder']);
  });

  it('honours a shutdownTimeoutMs past 2^31-1 ms: with 30d the services signal aborts at 30 days, not at 24.8', async () => {
    app = fixtureApp([]);
    let signal: AbortSignal | undefined;
    const waitingService = defineService({
      name: 'recorder',
      configSchema: z.strictObject({}).prefault({}),
      create: () => ({ owner: 'shared', record: () => undefined }),
      stop: (_instance, ctx) => {
        signal = ctx.signal;
        return new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve()));
      },
    }) as unknown as ServiceDefinition;
    kernel = createKernel({ loaded: app.load('', [waitingService], 'app:\n  shutdownTimeoutMs: 30d\n'), services: [waitingService], logger: memoryLogger().logger });
    await kernel.start();
    vi.useFakeTimers();
    try {
      const stopping = kernel.stop();
      await vi.advanceTimersByTimeAsync(30 * 86_400_000 - 1);
      expect(signal?.aborted).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      expect(signal?.aborted).toBe(true);
      await stopping;
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('createKernel: services', () => {
  const made: Record<string, unknown> = {};
  const service = (name: string, configSchema: z.ZodType): ServiceDefinition =>
    ({ name, configSchema, create: ({ config }: { config: unknown }) => (made[name] = config) }) as unknown as ServiceDefinition;

  it('uses the section as the loader validated it, applies defaults when the loader did not know the service, and skips the rest', async () => {
    app = fixtureApp([]);
    const parsedOnce = service('when', z.strictObject({ at: z.string().transform((text) => new Date(text)) }));
    const defaulted = service('withDefaults', z.strictObject({ size: z.number().default(3) }).prefault({}));
    const required = service('needsUrl', z.strictObject({ url: z.string() }));
    const off = service('off', z.strictObject({ enabled: z.boolean().default(true) }).prefault({}));
    const loaded = app.load('', [parsedOnce, off], 'services:\n  when:\n    at: "2030-01-02T03:04:05Z"\n  off:\n    enabled: false\n');
    const { logger } = memoryLogger();
    kernel = createKernel({ loaded, services: [parsedOnce, defaulted, required, off], logger });
    await kernel.start();
    expect(made).toEqual({ when: { at: new Date('2030-01-02T03:04:05Z') }, withDefaults: { size: 3 } });
  });

  it('rethrows a coded error from create as it is, and wraps any other as XCORE_ERR_SERVICE_FAILED', async () => {
    app = fixtureApp([]);
    const coded = { name: 'coded', configSchema: z.object({}).prefault({}), create: () => { throw Object.assign(new Error('bad job'), { code: 'XCORE_ERR_JOB_INVALID' }); } } as unknown as ServiceDefinition;
    const plain = { name: 'plain', configSchema: z.object({}).prefault({}), create: () => { throw new Error('ECONNREFUSED'); } } as unknown as ServiceDefinition;
    const { logger } = memoryLogger();
    kernel = createKernel({ loaded: app.load(), services: [coded], logger });
    await expect(kernel.start()).rejects.toMatchObject({ code: 'XCORE_ERR_JOB_INVALID', message: 'bad job' });
    kernel = createKernel({ loaded: app.load(), services: [plain], logger });
    await expect(kernel.start()).rejects.toMatchObject({
      code: 'XCORE_ERR_SERVICE_FAILED',
      message: 'Service "plain" failed in create: ECONNREFUSED. Boot was stopped; fix the cause above.',
    });
  });
});
