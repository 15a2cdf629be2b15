/**
 * The `health` plugin in a real kernel next to a plugin that fails and is then repaired.
 * Its `@xcore/core` import resolves to the built package: run `pnpm build` first, as `pnpm test` does.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { schedulerService } from '@xcore/scheduler';
import { createKernel, createLogger, parseConfigText, type Kernel } from '@xcore/core';
import type { HealthSnapshot } from './health-registry.js';

const healthDir = fileURLToPath(new URL('../', import.meta.url));
let dir: string;
let kernel: Kernel | undefined;

const writeFlaky = (source: string): void => {
  writeFileSync(join(dir, 'flaky', 'index.ts'), source);
};

/** Starts a kernel on `dir` with the given lines under `plugins:`. */
const boot = async (pluginsYaml = ''): Promise<Kernel> => {
  const loaded = parseConfigText(`plugins:\n  directory: ${JSON.stringify(dir)}\n${pluginsYaml}`, join(dir, 'xcore.yaml'), { env: {}, prettyDefault: false });
  const k = createKernel({ loaded, services: [schedulerService], logger: createLogger({ level: 'silent', pretty: false }) });
  await k.start();
  return k;
};

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'xcore-health-'));
  symlinkSync(healthDir, join(dir, 'health'));
  mkdirSync(join(dir, 'flaky'));
  writeFileSync(join(dir, 'flaky', 'package.json'), JSON.stringify({ name: 'flaky', version: '1.0.0', type: 'module', xcore: { entry: './index.ts' } }));
});

afterEach(async () => {
  await kernel?.stop();
  kernel = undefined;
  rmSync(dir, { recursive: true, force: true });
});

describe('health plugin', () => {
  it('records a plugin that fails as a failing check, and clears it when the plugin starts again', async () => {
    writeFlaky(`export default { onStart() { throw new Error('cannot reach the queue'); } };`);
    kernel = await boot();
    expect(kernel.plugins().map((p) => [p.name, p.state])).toEqual([
      ['flaky', 'failed'],
      ['health', 'started'],
    ]);
    // flaky sorts before health, so it failed before health was listening: nothing recorded yet.
    expect(await kernel.call<HealthSnapshot>('health', 'status')).toEqual({ status: 'ok', checks: [] });

    writeFlaky(`export default { onStart() { throw new Error('still down'); } };`);
    await expect(kernel.reload('flaky')).rejects.toMatchObject({ code: 'XCORE_ERR_PLUGIN_HOOK_FAILED' });
    expect(await kernel.call<HealthSnapshot>('health', 'status')).toMatchObject({
      status: 'down',
      checks: [{ check: 'plugin:flaky', status: 'fail', detail: 'onStart: Plugin "flaky": onStart failed: still down.' }],
    });

    writeFlaky(`export default {};`);
    await kernel.reload('flaky');
    expect(await kernel.call<HealthSnapshot>('health', 'status')).toMatchObject({ status: 'ok', checks: [{ check: 'plugin:flaky', status: 'ok' }] });
  });

  it('records a scheduled job that failed after its last retry as a failing job check', async () => {
    writeFlaky(`export default {
      async onStart(ctx: any) { await ctx.getService('scheduler').addJob(() => { throw new Error('disk full'); }, { id: 'boom', every: '1h' }); },
      actions: ['boom'],
      handle: (_action: string, _payload: unknown, ctx: any) => ctx.getService('scheduler').runJob('boom'),
    };`);
    kernel = await boot('  config:\n    health:\n      summary: null\n');
    expect(await kernel.call<HealthSnapshot>('health', 'status')).toEqual({ status: 'ok', checks: [] });
    await expect(kernel.call('flaky', 'boom')).resolves.toMatchObject({ status: 'failed', error: expect.stringContaining('disk full') });
    expect(await kernel.call<HealthSnapshot>('health', 'status')).toMatchObject({
      status: 'down',
      checks: [{ check: 'job:flaky:boom', status: 'fail', detail: expect.stringContaining('disk full') }],
    });
  });

  it('records a scheduled job whose last attempt timed out as a failing job check', async () => {
    writeFlaky(`export default {
      async onStart(ctx: any) { await ctx.getService('scheduler').addJob(() => new Promise(() => {}), { id: 'stuck', every: '1h', timeout: '50ms' }); },
      actions: ['stuck'],
      handle: (_action: string, _payload: unknown, ctx: any) => ctx.getService('scheduler').runJob('stuck'),
    };`);
    kernel = await boot('  config:\n    health:\n      summary: null\n');
    await expect(kernel.call('flaky', 'stuck')).resolves.toMatchObject({ status: 'timed_out' });
    expect(await kernel.call<HealthSnapshot>('health', 'status')).toMatchObject({
      status: 'down',
      checks: [{ check: 'job:flaky:stuck', status: 'fail', detail: expect.stringContaining('timed out after 50 ms') }],
    });
  });
});
