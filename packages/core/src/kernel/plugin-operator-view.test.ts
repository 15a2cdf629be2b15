/**
 * The kernel's operator view of plugins, as a service receives it on its create context: list and
 * get with state and error, reload with coded refusals and failures.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineService } from '../services/define-service.js';
import type { ServiceDefinition } from '../services/service.js';
import { createKernel } from './create-kernel.js';
import type { Kernel } from './kernel-types.js';
import { fixtureApp, memoryLogger, resetTrace, trace, type FixtureApp } from './kernel.fixtures.js';
import type { PluginOperatorView } from './plugin-operator-view.js';

let app: FixtureApp | undefined;
let kernel: Kernel | undefined;
let seen: PluginOperatorView | undefined;

afterEach(async () => {
  await kernel?.stop();
  kernel = undefined;
  app?.cleanup();
  app = undefined;
  seen = undefined;
  resetTrace();
});

/** A service that keeps the plugin view its create context gets. */
const operatorService = defineService({
  name: 'operator-probe' as never,
  configSchema: z.strictObject({}).prefault({}),
  create: (ctx) => {
    seen = ctx.plugins;
    return {} as never;
  },
}) as unknown as ServiceDefinition;

const worker = (version: string, extra = '') => `const trace = globalThis.__xcoreTrace;
export default {
  onStart() { trace.push('worker:${version}:start'); ${extra} },
  onStop() { trace.push('worker:${version}:stop'); },
};`;

async function boot(pluginsYaml = ''): Promise<PluginOperatorView> {
  resetTrace();
  app?.cleanup();
  app = fixtureApp([
    { name: 'worker', source: worker('v1') },
    { name: 'user', dependencies: { worker: '^1.0.0' }, source: 'export default {};' },
    { name: 'orphan', dependencies: { ghost: '*' }, source: 'export default {};' },
  ]);
  const { logger } = memoryLogger();
  kernel = createKernel({ loaded: app.load(pluginsYaml, [operatorService]), services: [operatorService], logger });
  await kernel.start();
  expect(seen).toBe(kernel.pluginView);
  return seen!;
}

describe('PluginOperatorView', () => {
  it('lists every plugin with its state and the coded error of a disabled one, and gets one by name', async () => {
    const view = await boot();
    expect(view.list().map((p) => [p.name, p.state, (p.error as { code?: string } | undefined)?.code])).toEqual([
      ['worker', 'started', undefined],
      ['user', 'started', undefined],
      ['orphan', 'skipped', 'XCORE_ERR_PLUGIN_DEPENDENCY_MISSING'],
    ]);
    expect(view.get('user')).toMatchObject({ name: 'user', version: '1.0.0', state: 'started', dependencies: { worker: '^1.0.0' } });
    expect(view.get('ghost')).toBeUndefined();
  });

  it('reloads a plugin; an unknown name is XCORE_ERR_PLUGIN_UNKNOWN, a refusal changes nothing, failing new code is XCORE_ERR_PLUGIN_RELOAD_FAILED', async () => {
    const view = await boot('  enabled: [worker, user]\n');
    await expect(view.reload('ghost')).rejects.toMatchObject({ code: 'XCORE_ERR_PLUGIN_UNKNOWN', message: 'Unknown plugin "ghost". Known plugins: user, worker.' });
    await expect(view.reload('worker')).rejects.toMatchObject({ code: 'XCORE_ERR_PLUGIN_RELOAD_REFUSED' });
    expect(trace()).toEqual(['worker:v1:start']);

    await expect(view.reload('user')).resolves.toMatchObject({ name: 'user', state: 'started' });
    await kernel!.stop();
    resetTrace();
    const view2 = await boot('  enabled: [worker]\n');
    writeFileSync(join(app!.pluginsDir, 'worker', 'index.ts'), worker('v2', "throw new Error('v2 is broken');"));
    const failed = await view2.reload('worker').catch((error: unknown) => error);
    expect(failed).toMatchObject({ code: 'XCORE_ERR_PLUGIN_RELOAD_FAILED', cause: { code: 'XCORE_ERR_PLUGIN_HOOK_FAILED' } });
    expect((failed as Error).message).toContain('v2 is broken');
    expect(view2.get('worker')).toMatchObject({ state: 'failed', error: { code: 'XCORE_ERR_PLUGIN_HOOK_FAILED' } });
  });

  it('refuses a second reload of the same plugin while one runs', async () => {
    const view = await boot('  enabled: [worker]\n');
    writeFileSync(join(app!.pluginsDir, 'worker', 'index.ts'), worker('v2', 'await new Promise((r) => setTimeout(r, 200));').replace('onStart()', 'async onStart()'));
    const first = view.reload('worker');
    await expect(view.reload('worker')).rejects.toMatchObject({ code: 'XCORE_ERR_PLUGIN_RELOAD_REFUSED', message: expect.stringContaining('a reload of it is in progress') });
    await expect(first).resolves.toMatchObject({ state: 'started' });
    expect(trace()).toEqual(['worker:v1:start', 'worker:v1:stop', 'worker:v2:start']);
  });
});
