/**
 * The kernel's side of a host's promises: a stop requested during boot ends boot, a shutdown says
 * what it waits for and counts what a service aborted, optional services, and code origins.
 */
import { afterEach, beforeEach, describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import type { PluginContext } from '../plugins/plugin.js';
import { defineService } from '../services/define-service.js';
import type { ServiceDefinition } from '../services/service.js';
import { currentOrigin, trackCodeOrigins, type CodeOrigin } from './code-origin.js';
import { createKernel } from './create-kernel.js';
import type { Kernel } from './kernel-types.js';
import { fixtureApp, memoryLogger, resetTrace, trace, tracingPlugin, type FixtureApp } from './kernel.fixtures.js';

interface Jobs {
  running: string[];
}

declare module '../index.js' {
  interface XcoreServices {
    jobs: Jobs;
  }
}

let app: FixtureApp;
let kernel: Kernel | undefined;

beforeEach(() => resetTrace());
afterEach(async () => {
  await kernel?.stop();
  kernel = undefined;
  app?.cleanup();
});

const states = (k: Kernel): Record<string, string> => Object.fromEntries(k.plugins().map((p) => [p.name, p.state]));

describe('a stop requested during boot', () => {
  it('ends boot while a plugin onStart still waits: start rejects with XCORE_ERR_BOOT_ABORTED, stop stops what started', async () => {
    app = fixtureApp([
      { name: 'first', source: tracingPlugin('first') },
      { name: 'second', dependencies: { first: '*' }, source: `export default { onStart() { globalThis.__xcoreTrace.push('second:waiting'); return new Promise(() => {}); } };` },
    ]);
    kernel = createKernel({ loaded: app.load('  hookTimeoutMs: 60s\n'), logger: memoryLogger().logger });
    const controller = new AbortController();
    const starting = kernel.start({ signal: controller.signal });
    while (!trace().includes('second:waiting')) await new Promise((resolve) => setTimeout(resolve, 5));
    controller.abort();
    await expect(starting).rejects.toMatchObject({ code: 'XCORE_ERR_BOOT_ABORTED', message: expect.stringContaining('starting plugin "second"') });
    const report = await kernel.stop();
    expect(report.timedOut).toBe(false);
    expect(trace()).toEqual(['first:load', 'first:start', 'second:waiting', 'first:stop']);
    expect(states(kernel)).toEqual({ first: 'stopped', second: 'stopped' });
  });

  it('hands the signal to a service create, which can end boot there', async () => {
    app = fixtureApp([{ name: 'p', source: tracingPlugin('p') }]);
    const slow = defineService({
      name: 'jobs',
      configSchema: z.strictObject({}).prefault({}),
      create: ({ signal }) =>
        new Promise<Jobs>((_resolve, reject) => {
          trace().push('jobs:creating');
          signal?.addEventListener('abort', () => reject(signal.reason as Error));
        }),
    }) as unknown as ServiceDefinition;
    kernel = createKernel({ loaded: app.load('', [slow]), services: [slow], logger: memoryLogger().logger });
    const controller = new AbortController();
    const starting = kernel.start({ signal: controller.signal });
    while (!trace().includes('jobs:creating')) await new Promise((resolve) => setTimeout(resolve, 5));
    controller.abort();
    await expect(starting).rejects.toMatchObject({ code: 'XCORE_ERR_BOOT_ABORTED', message: expect.stringContaining('creating services') });
    await kernel.stop();
    expect(trace()).toEqual(['jobs:creating']);
  });

  it('with a signal aborted before start, starts nothing', async () => {
    app = fixtureApp([{ name: 'p', source: tracingPlugin('p') }]);
    kernel = createKernel({ loaded: app.load(), logger: memoryLogger().logger });
    await expect(kernel.start({ signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'XCORE_ERR_BOOT_ABORTED' });
    await kernel.stop();
    expect(trace()).toEqual([]);
  });
});

describe('shutdown', () => {
  const jobsService = (drain: (instance: Jobs, signal: AbortSignal) => Promise<unknown>): ServiceDefinition =>
    defineService({
      name: 'jobs',
      configSchema: z.strictObject({}).prefault({}),
      create: () => ({ running: ['job:report'] }),
      inProgress: (instance) => instance.running,
      beforePluginsStop: async (instance, ctx) => (await drain(instance, ctx.signal)) as undefined,
    }) as unknown as ServiceDefinition;

  it('logs what it waits for while a service drains, and counts the work the service aborted at the deadline as unfinished', async () => {
    app = fixtureApp([]);
    const service = jobsService(
      (instance, signal) =>
        new Promise((resolve) =>
          signal.addEventListener('abort', () => {
            instance.running = [];
            resolve({ aborted: ['job:report'] });
          }),
        ),
    );
    const { logger, lines } = memoryLogger();
    kernel = createKernel({ loaded: app.load('', [service], 'app:\n  shutdownTimeoutMs: 2500\n'), services: [service], logger });
    await kernel.start();
    const report = await kernel.stop();
    expect(report).toEqual({ timedOut: true, unfinished: ['job:report'], failed: [] });
    const waiting = lines.filter((l) => l['msg'] === 'shutdown waiting');
    // One line at the start (work is in progress), one after the first 2 s pause.
    expect(waiting.map((l) => [l['step'], l['running']])).toEqual([
      ['services finishing their work', ['job:report']],
      ['services finishing their work', ['job:report']],
    ]);
    expect(waiting[0]!['remainingMs']).toBeGreaterThan(waiting[1]!['remainingMs'] as number);
  });

  it('reports nothing unfinished when the service drained in time', async () => {
    app = fixtureApp([]);
    const service = jobsService(async (instance) => {
      instance.running = [];
      return { aborted: [] };
    });
    const { logger, lines } = memoryLogger();
    kernel = createKernel({ loaded: app.load('', [service]), services: [service], logger });
    await kernel.start();
    expect(await kernel.stop()).toEqual({ timedOut: false, unfinished: [], failed: [] });
    expect(lines.filter((l) => l['msg'] === 'shutdown waiting')).toHaveLength(1);
  });
});

describe('optional services', () => {
  const keep = `export default { optionalServices: ['jobs'], onStart(ctx) { globalThis.__ctx_user = ctx; } };`;
  const ctx = (): PluginContext => (globalThis as { __ctx_user?: PluginContext }).__ctx_user!;
  const jobs = defineService({ name: 'jobs', configSchema: z.strictObject({ enabled: z.boolean().default(true) }).prefault({}), create: () => ({ running: [] }) }) as unknown as ServiceDefinition;

  it('getService(name, { optional: true }) is undefined when the service is disabled, and the start log says the plugin runs without it', async () => {
    app = fixtureApp([{ name: 'user', source: keep }]);
    const { logger, lines } = memoryLogger();
    kernel = createKernel({ loaded: app.load('', [jobs], 'services:\n  jobs:\n    enabled: false\n'), services: [jobs], logger });
    await kernel.start();
    const service = ctx().getService('jobs', { optional: true });
    expectTypeOf(service).toEqualTypeOf<Jobs | undefined>();
    expect(service).toBeUndefined();
    expect(() => ctx().getService('jobs')).toThrow(expect.objectContaining({ code: 'XCORE_ERR_SERVICE_UNKNOWN', message: expect.stringContaining('{ optional: true }') }));
    expect(lines.find((l) => l['msg'] === 'plugin runs without its optional service (not configured or disabled)')).toMatchObject({ plugin: 'user', service: 'jobs' });
  });

  it('getService(name, { optional: true }) returns the service when it is registered', async () => {
    app = fixtureApp([{ name: 'user', source: keep }]);
    kernel = createKernel({ loaded: app.load('', [jobs]), services: [jobs], logger: memoryLogger().logger });
    await kernel.start();
    expect(ctx().getService('jobs', { optional: true })).toEqual({ running: [] });
  });

  it('refuses optionalServices that is not a list of names', async () => {
    app = fixtureApp([{ name: 'user', source: `export default { optionalServices: 'jobs' };` }]);
    kernel = createKernel({ loaded: app.load(), logger: memoryLogger().logger });
    await kernel.start();
    expect(kernel.plugins()[0]).toMatchObject({ state: 'failed', error: { message: expect.stringContaining('"optionalServices" must be an array of service names') } });
  });
});

describe('code origins', () => {
  it('with tracking on, what a plugin hook or action starts carries the plugin as its origin', async () => {
    trackCodeOrigins();
    const seen: Array<CodeOrigin | undefined> = [];
    (globalThis as { __seeOrigin?: () => void }).__seeOrigin = () => seen.push(currentOrigin());
    app = fixtureApp([
      {
        name: 'timers',
        source: `export default {
  onStart() { setTimeout(() => globalThis.__seeOrigin(), 1); },
  actions: ['ping'],
  handle() { return Promise.resolve().then(() => globalThis.__seeOrigin()); },
};`,
      },
    ]);
    kernel = createKernel({ loaded: app.load(), logger: memoryLogger().logger });
    await kernel.start();
    await kernel.call('timers', 'ping');
    while (seen.length < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(seen).toEqual([{ plugin: 'timers' }, { plugin: 'timers' }]);
    expect(currentOrigin()).toBeUndefined();
  });
});
