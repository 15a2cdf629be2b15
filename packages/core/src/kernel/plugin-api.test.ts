import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { afterEach, beforeEach, describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import type { PluginContext } from '../plugins/plugin.js';
import { defineService } from '../services/define-service.js';
import type { ServiceDefinition } from '../services/service.js';
import { createKernel } from './create-kernel.js';
import type { Kernel } from './kernel-types.js';
import { fixtureApp, memoryLogger, resetTrace, trace, type FixtureApp } from './kernel.fixtures.js';

interface Counter {
  readonly owner: string;
  next(): number;
}

declare module '../index.js' {
  interface XcoreServices {
    counter: Counter;
  }
}

let views = 0;
const counterService = defineService({
  name: 'counter',
  configSchema: z.strictObject({ start: z.number().default(0) }).prefault({}),
  create: ({ config }) => {
    let value = config.start;
    return { owner: 'shared', next: () => ++value };
  },
  forPlugin: (instance, plugin) => {
    views += 1;
    return { owner: plugin, next: () => instance.next() };
  },
}) as unknown as ServiceDefinition;

let app: FixtureApp;
let kernel: Kernel | undefined;

beforeEach(() => {
  resetTrace();
  views = 0;
});

afterEach(async () => {
  await kernel?.stop();
  kernel = undefined;
  app?.cleanup();
});

const boot = async (pluginsYaml = '', topLevel = ''): Promise<Kernel> => {
  const { logger } = memoryLogger();
  kernel = createKernel({ loaded: app.load(pluginsYaml, [counterService], topLevel), services: [counterService], logger });
  await kernel.start();
  return kernel;
};

/** The context a fixture plugin kept on globalThis under `__ctx_<name>` in its onStart. */
const ctxOf = (name: string): PluginContext => (globalThis as Record<string, unknown>)[`__ctx_${name}`] as PluginContext;
const keepCtx = (name: string): string => `onStart(ctx) { globalThis.__ctx_${name} = ctx; },`;
const stateOf = (k: Kernel, name: string) => k.plugins().find((p) => p.name === name);

describe('ctx.getService', () => {
  it('returns core services and per-plugin views (cached per start), and lists the names for an unknown one', async () => {
    app = fixtureApp([
      { name: 'a', source: `export default { ${keepCtx('a')} };` },
      { name: 'b', source: `export default { ${keepCtx('b')} };` },
    ]);
    await boot();
    const a = ctxOf('a');
    const counter = a.getService('counter');
    expectTypeOf(counter).toEqualTypeOf<Counter>();
    expectTypeOf(a.getService('logger')).toEqualTypeOf<Logger>();
    expect(counter.owner).toBe('a');
    expect(a.getService('counter')).toBe(counter);
    expect(ctxOf('b').getService('counter').owner).toBe('b');
    expect(views).toBe(2);
    expect(counter.next()).toBe(1);
    expect(ctxOf('b').getService('counter').next()).toBe(2);
    expect(a.getService('config').plugins.hookTimeoutMs).toBe(2000);
    expect(() => a.getService('nope' as 'counter')).toThrow(
      expect.objectContaining({
        code: 'XCORE_ERR_SERVICE_UNKNOWN',
        message:
          'Unknown service "nope" requested by plugin "a". Registered services: config, counter, events, health, logger. ' +
          'Fix the name, or enable the service under `services:` in xcore.yaml, or, if the plugin can run without it, ' +
          'declare it in optionalServices and ask with getService(name, { optional: true }).',
      }),
    );
  });

  it('creates a service with its validated section', async () => {
    app = fixtureApp([{ name: 'a', source: `export default { ${keepCtx('a')} };` }]);
    await boot('', 'services:\n  counter:\n    start: 41\n');
    expect(ctxOf('a').getService('counter').next()).toBe(42);
  });
});

describe('ctx.call', () => {
  const health = `export default {
  actions: ['report', 'hang', 'fail'],
  handle(action, payload, ctx) {
    if (action === 'report') return { from: ctx.name, got: payload };
    if (action === 'hang') return new Promise(() => {});
    throw Object.assign(new Error('bad payload'), { code: 'HEALTH_BAD' });
  },
};`;

  beforeEach(() => {
    app = fixtureApp([
      { name: 'health', source: health },
      { name: 'caller', source: `export default { ${keepCtx('caller')} };` },
      { name: 'mute', source: `export default {};` },
      { name: 'broken', source: `export default { handle() { return 1; }, onStart() { throw new Error('down'); } };` },
    ]);
  });

  it("reaches the target's handle and returns its answer", async () => {
    await boot();
    await expect(ctxOf('caller').call('health', 'report', { ok: true })).resolves.toEqual({ from: 'health', got: { ok: true } });
  });

  it('fails with coded errors for an unknown plugin, an unknown action, a missing handle, a target not started and a timeout', async () => {
    await boot();
    const caller = ctxOf('caller');
    await expect(caller.call('ghost', 'x')).rejects.toMatchObject({
      code: 'XCORE_ERR_PLUGIN_UNKNOWN',
      message: 'Plugin "caller" called unknown plugin "ghost". Known plugins: broken, caller, health, mute.',
    });
    await expect(caller.call('health', 'delete')).rejects.toMatchObject({
      code: 'XCORE_ERR_PLUGIN_ACTION_UNKNOWN',
      message: 'Plugin "health" has no action "delete". Its actions: report, hang, fail.',
    });
    await expect(caller.call('mute', 'x')).rejects.toMatchObject({ code: 'XCORE_ERR_PLUGIN_ACTION_UNKNOWN', message: expect.stringContaining('has no handle()') });
    await expect(caller.call('broken', 'x')).rejects.toMatchObject({ code: 'XCORE_ERR_PLUGIN_NOT_STARTED', message: expect.stringContaining('"broken" is failed') });
    await expect(caller.call('health', 'hang', undefined, { timeoutMs: 20 })).rejects.toMatchObject({
      code: 'XCORE_ERR_PLUGIN_CALL_TIMEOUT',
      message: expect.stringContaining('within 20 ms'),
    });
    await expect(caller.call('health', 'fail')).rejects.toMatchObject({ code: 'HEALTH_BAD', message: 'bad payload' });
  });

  it('refuses getService and call once the plugin has stopped', async () => {
    const k = await boot();
    const caller = ctxOf('caller');
    await k.stop();
    expect(() => caller.getService('counter')).toThrow(expect.objectContaining({ code: 'XCORE_ERR_PLUGIN_CONTEXT_CLOSED' }));
    await expect(caller.call('health', 'report')).rejects.toMatchObject({
      code: 'XCORE_ERR_PLUGIN_CONTEXT_CLOSED',
      message: expect.stringContaining('Plugin "caller" used call("health", "report") after it stopped'),
    });
  });
});

describe('plugin config', () => {
  const pinger = `import { z } from 'zod';
export default {
  configSchema: z.strictObject({ everyMs: z.number().int().positive(), target: z.string().default('health') }),
  onStart(ctx) { globalThis.__ctx_pinger = ctx; },
};`;

  it('validates plugins.config.<name> with the plugin schema and hands it over frozen', async () => {
    app = fixtureApp([{ name: 'pinger', source: pinger }]);
    await boot('  config:\n    pinger:\n      everyMs: 500\n');
    const config = ctxOf('pinger').config as { everyMs: number; target: string };
    expect(config).toEqual({ everyMs: 500, target: 'health' });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('fails boot with the file, line and key path of an invalid value', async () => {
    app = fixtureApp([{ name: 'pinger', source: pinger }]);
    const error = await boot('  config:\n    pinger:\n      everyMs: -5\n      extra: 1\n').then(
      () => undefined,
      (e: unknown) => e as Error & { code: string },
    );
    expect(error?.code).toBe('XCORE_ERR_CONFIG_INVALID');
    expect(error?.message).toContain(`${app.dir}/xcore.yaml:6:`);
    expect(error?.message).toContain('plugins.config.pinger.everyMs');
    expect(error?.message).toContain(`${app.dir}/xcore.yaml:7:`);
    expect(error?.message).toContain('extra');
  });

  it('fails boot for a config section of a plugin that is not installed', async () => {
    app = fixtureApp([{ name: 'pinger', source: pinger }]);
    await expect(boot('  config:\n    pinger:\n      everyMs: 5\n    pnger:\n      everyMs: 5\n')).rejects.toMatchObject({
      code: 'XCORE_ERR_PLUGIN_CONFIG_ORPHAN',
      message: expect.stringContaining(`${app.dir}/xcore.yaml:7:5: plugins.config.pnger configures a plugin that is not installed`),
    });
  });
});

describe('bad plugins', () => {
  it('marks a plugin with an unknown hook or a failing import failed and starts the others', async () => {
    app = fixtureApp([
      { name: 'typo', source: `export default { onStrat() {} };` },
      { name: 'syntax', source: `export default { onStart( {} };` },
      { name: 'fine', source: `export default { onStart() { globalThis.__xcoreTrace.push('fine'); } };` },
    ]);
    const k = await boot();
    expect(stateOf(k, 'typo')).toMatchObject({ state: 'failed', error: { code: 'XCORE_ERR_PLUGIN_DEFINITION_INVALID', message: expect.stringContaining('unknown key "onStrat"') } });
    expect(stateOf(k, 'syntax')).toMatchObject({ state: 'failed', error: { code: 'XCORE_ERR_PLUGIN_IMPORT_FAILED' } });
    expect(stateOf(k, 'fine')?.state).toBe('started');
    expect(trace()).toEqual(['fine']);
  });

  it('loads and reloads a TypeScript plugin whose package.json is not "type": "module" (Node 24 loads it through its CommonJS loader)', async () => {
    app = fixtureApp([{ name: 'plain', commonJs: true, source: `export default { onStart() { globalThis.__xcoreTrace.push('plain'); } };` }]);
    const k = await boot();
    expect(stateOf(k, 'plain')?.state).toBe('started');
    await k.reload('plain');
    expect(trace()).toEqual(['plain', 'plain']);
  });

  it('says to install a package a plugin imports but nobody installed, and to fix a bad relative path', async () => {
    app = fixtureApp([
      { name: 'needs', source: `import pad from 'xcore-test-package-that-is-not-installed';\nexport default { onStart() { pad(); } };` },
      { name: 'path', source: `import { x } from './missing-file.js';\nexport default { onStart() { x(); } };` },
    ]);
    const k = await boot();
    const needs = stateOf(k, 'needs')?.error;
    expect(needs).toMatchObject({ code: 'XCORE_ERR_PLUGIN_IMPORT_FAILED' });
    expect(needs?.message).toContain('the package "xcore-test-package-that-is-not-installed" is not installed');
    expect(needs?.message).toContain('run `pnpm install`');
    expect(stateOf(k, 'path')?.error?.message).toContain('Check the import path');
  });

  it('fails boot on a malformed manifest, naming the file', async () => {
    app = fixtureApp([{ name: 'ok', source: 'export default {};' }]);
    const file = join(app.pluginsDir, 'ok', 'package.json');
    writeFileSync(file, JSON.stringify({ name: 'ok', version: '1.0.0', xcore: { entry: './index.ts', depends: {} } }));
    await expect(boot()).rejects.toMatchObject({
      code: 'XCORE_ERR_PLUGIN_MANIFEST_INVALID',
      message: expect.stringContaining(`Invalid plugin manifest ${file}:`),
    });
  });
});

describe('kernel.reload', () => {
  const worker = (version: string, extra = '') => `import { label } from './label.ts';
const trace = globalThis.__xcoreTrace;
export default {
  onStart(ctx) { globalThis.__ctx_worker = ctx; trace.push('worker:' + label + ':${version}:start'); ${extra} },
  onStop() { trace.push('worker:${version}:stop'); },
};`;

  beforeEach(() => {
    app = fixtureApp([
      { name: 'worker', source: worker('v1') },
      { name: 'user', dependencies: { worker: '^1.0.0' }, source: `export default { onStop() { globalThis.__xcoreTrace.push('user:stop'); } };` },
    ]);
    writeFileSync(join(app.pluginsDir, 'worker', 'label.ts'), `export const label = 'a';`);
  });

  it('stops the plugin, re-imports its modules and starts the new code', async () => {
    const k = await boot('  enabled: [worker]\n');
    const before = ctxOf('worker');
    writeFileSync(join(app.pluginsDir, 'worker', 'index.ts'), worker('v2'));
    writeFileSync(join(app.pluginsDir, 'worker', 'label.ts'), `export const label = 'b';`);
    const status = await k.reload('worker');
    expect(status).toMatchObject({ name: 'worker', state: 'started', error: undefined });
    expect(trace()).toEqual(['worker:a:v1:start', 'worker:v1:stop', 'worker:b:v2:start']);
    expect(() => before.getService('counter')).toThrow(expect.objectContaining({ code: 'XCORE_ERR_PLUGIN_CONTEXT_CLOSED' }));
    expect(ctxOf('worker').getService('counter').owner).toBe('worker');
  });

  it('refuses while a dependent is started, and marks the plugin failed when the new code fails', async () => {
    const k = await boot();
    await expect(k.reload('worker')).rejects.toMatchObject({
      code: 'XCORE_ERR_PLUGIN_RELOAD_REFUSED',
      message: 'Cannot reload plugin "worker": plugins that depend on it are started (user); stop or reload them first.',
    });
    expect(trace()).toEqual(['worker:a:v1:start']);
    await k.stop();
    kernel = undefined;

    resetTrace();
    const k2 = await boot('  enabled: [worker]\n');
    writeFileSync(join(app.pluginsDir, 'worker', 'index.ts'), worker('v3', "throw new Error('v3 is broken');"));
    await expect(k2.reload('worker')).rejects.toMatchObject({ code: 'XCORE_ERR_PLUGIN_HOOK_FAILED', message: 'Plugin "worker": onStart failed: v3 is broken.' });
    expect(stateOf(k2, 'worker')?.state).toBe('failed');
    writeFileSync(join(app.pluginsDir, 'worker', 'index.ts'), worker('v4'));
    await expect(k2.reload('worker')).resolves.toMatchObject({ state: 'started' });
    expect(trace()).toEqual(['worker:a:v1:start', 'worker:v1:stop', 'worker:a:v3:start', 'worker:a:v4:start']);
  });

  it('starts a plugin skipped for a failed dependency once the dependency is reloaded and runs', async () => {
    writeFileSync(join(app.pluginsDir, 'worker', 'index.ts'), worker('v1', "throw new Error('v1 is broken');"));
    const k = await boot();
    expect(k.plugins().map((p) => [p.name, p.state])).toEqual([
      ['worker', 'failed'],
      ['user', 'skipped'],
    ]);
    await expect(k.reload('user')).rejects.toMatchObject({ code: 'XCORE_ERR_PLUGIN_RELOAD_REFUSED', message: expect.stringContaining('its dependency "worker" is not started') });
    writeFileSync(join(app.pluginsDir, 'worker', 'index.ts'), worker('v2'));
    await k.reload('worker');
    await expect(k.reload('user')).resolves.toMatchObject({ state: 'started', error: undefined });
    await k.stop();
    expect(trace()).toEqual(['worker:a:v1:start', 'worker:a:v2:start', 'user:stop', 'worker:v2:stop']);
  });
});
