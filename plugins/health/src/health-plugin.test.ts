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
import { createKernel, createLogger, parseConfigText, type HealthCheckResult, type Kernel } from '@xcore/core';

const healthDir = fileURLToPath(new URL('../', import.meta.url));
let dir: string;
let kernel: Kernel | undefined;

const writeFlaky = (source: string): void => {
  writeFileSync(join(dir, 'flaky', 'index.ts'), source);
};

/** Starts a kernel on `dir` with the given lines under `plugins:` (and other top-level sections). */
const boot = async (pluginsYaml = '', otherYaml = ''): Promise<Kernel> => {
  const loaded = parseConfigText(`${otherYaml}plugins:\n  directory: ${JSON.stringify(dir)}\n${pluginsYaml}`, join(dir, 'xcore.yaml'), { env: {}, prettyDefault: false });
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

/** The check `name` of the host's full health report. */
const checkOf = async (k: Kernel, name: string): Promise<HealthCheckResult | undefined> => (await k.health.report()).checks.find((c) => c.name === name);

describe('health plugin and the host health', () => {
  it('a plugin that fails is a warning of the host check "plugins", with its error, and the host stays ready', async () => {
    writeFlaky(`export default { onStart() { throw new Error('cannot reach the queue'); } };`);
    kernel = await boot();
    expect(kernel.plugins().map((p) => [p.name, p.state])).toEqual([
      ['flaky', 'failed'],
      ['health', 'started'],
    ]);
    const report = await kernel.health.report();
    expect(report).toMatchObject({ status: 'warn', live: true, ready: true });
    expect(report.checks.find((c) => c.name === 'plugins')).toMatchObject({
      level: 'warning',
      status: 'warn',
      detail: expect.stringContaining('flaky failed: Plugin "flaky": onStart failed: cannot reach the queue'),
    });
    expect((await kernel.health.ready()).ok).toBe(true);

    writeFlaky(`export default {};`);
    await kernel.reload('flaky');
    expect(await checkOf(kernel, 'plugins')).toMatchObject({ status: 'ok' });
    expect((await kernel.health.report()).status).toBe('ok');
  });

  it('with failReadinessOn: [plugins], a failed plugin fails readiness', async () => {
    writeFlaky(`export default { onStart() { throw new Error('cannot reach the queue'); } };`);
    kernel = await boot('', 'health:\n  failReadinessOn: [plugins]\n');
    const ready = await kernel.health.ready();
    expect(ready.ok).toBe(false);
    expect(ready.checks.find((c) => c.name === 'plugins')).toMatchObject({ status: 'fail', failsReadiness: true });
  });

  it('reports to the plugin are the host check "checks": a failing report warns, and fails readiness only when configured', async () => {
    writeFlaky(`export default {};`);
    kernel = await boot();
    await kernel.call('health', 'report', { check: 'db', status: 'warn', detail: 'replica lag' });
    expect(await checkOf(kernel, 'checks')).toMatchObject({ status: 'ok', data: { checks: [{ check: 'db', status: 'warn', detail: 'replica lag' }] } });
    await kernel.call('health', 'report', { check: 'db', status: 'fail', detail: 'connection refused' });
    expect(await checkOf(kernel, 'checks')).toMatchObject({ status: 'warn', detail: 'db: connection refused' });
    expect((await kernel.health.ready()).ok).toBe(true);
    await kernel.stop();

    kernel = await boot('', 'health:\n  failReadinessOn: [checks]\n');
    await kernel.call('health', 'report', { check: 'db', status: 'fail', detail: 'connection refused' });
    expect((await kernel.health.ready()).ok).toBe(false);
    await kernel.call('health', 'remove', { check: 'db' });
    expect((await kernel.health.ready()).ok).toBe(true);
  });

  // The jobs below start in an hour: they run only when asked, not also on the hour (UTC) as an
  // hourly interval without a startDate would.
  it('a job that failed after its last retry is a warning of the host check "jobs" by its qualified id; readiness holds', async () => {
    writeFlaky(`export default {
      async onStart(ctx: any) { await ctx.getService('scheduler').addJob(() => { throw new Error('disk full'); }, { id: 'boom', every: '1h', startDate: new Date(Date.now() + 3_600_000), retries: 1, retryDelay: 1 }); },
      actions: ['boom'],
      handle: (_action: string, _payload: unknown, ctx: any) => ctx.getService('scheduler').runJob('boom'),
    };`);
    kernel = await boot('  config:\n    health:\n      summary: null\n');
    expect(await checkOf(kernel, 'jobs')).toMatchObject({ status: 'ok' });
    await expect(kernel.call('flaky', 'boom')).resolves.toMatchObject({ status: 'failed', attempts: 2, error: expect.stringContaining('disk full') });
    const jobs = await checkOf(kernel, 'jobs');
    expect(jobs).toMatchObject({ status: 'warn', detail: 'failing: flaky:boom', data: { failing: [{ id: 'flaky:boom', status: 'failed', error: expect.stringContaining('disk full') }] } });
    expect((await kernel.health.ready()).ok).toBe(true);
    expect((await kernel.health.report()).status).toBe('warn');
  });

  it('a job whose last attempt timed out is failing too', async () => {
    writeFlaky(`export default {
      async onStart(ctx: any) { await ctx.getService('scheduler').addJob(() => new Promise(() => {}), { id: 'stuck', every: '1h', startDate: new Date(Date.now() + 3_600_000), timeout: '50ms' }); },
      actions: ['stuck'],
      handle: (_action: string, _payload: unknown, ctx: any) => ctx.getService('scheduler').runJob('stuck'),
    };`);
    kernel = await boot('  config:\n    health:\n      summary: null\n');
    await expect(kernel.call('flaky', 'stuck')).resolves.toMatchObject({ status: 'timed_out' });
    expect(await checkOf(kernel, 'jobs')).toMatchObject({ status: 'warn', data: { failing: [{ id: 'flaky:stuck', status: 'timed_out' }] } });
  });
});
