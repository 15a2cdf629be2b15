/**
 * The shipped `health` and `heartbeat` plugins, loaded from this repo's `plugins/` folder by a
 * real kernel (their `@xcore/core` import resolves to the built package: run `pnpm build` first,
 * as `pnpm test` does).
 */
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { schedulerService } from '@xcore/scheduler';
import { createKernel, createLogger, parseConfigText, type Kernel } from '@xcore/core';

const pluginsDir = fileURLToPath(new URL('../../', import.meta.url));
let kernel: Kernel | undefined;

afterEach(async () => {
  await kernel?.stop();
  kernel = undefined;
});

const boot = async (pluginConfig: string, enabled = '[health, heartbeat]'): Promise<Kernel> => {
  const yaml = `plugins:\n  directory: ${JSON.stringify(pluginsDir)}\n  enabled: ${enabled}\n  config:\n${pluginConfig}`;
  const loaded = parseConfigText(yaml, '/virtual/xcore.yaml', { env: {}, prettyDefault: false });
  kernel = createKernel({ loaded, services: [schedulerService], logger: createLogger({ level: 'silent', pretty: false }) });
  await kernel.start();
  return kernel;
};

interface Snapshot {
  status: string;
  checks: { check: string; status: string; detail?: string; stale: boolean }[];
}

describe('shipped plugins: health and heartbeat', () => {
  it('start in dependency order and the first beat is reported to health', async () => {
    const k = await boot('    heartbeat:\n      interval: 1h\n      check: vitals\n');
    expect(k.plugins().map((p) => [p.name, p.state])).toEqual([
      ['health', 'started'],
      ['heartbeat', 'started'],
      ['notify', 'not-enabled'],
    ]);
    const snapshot = await k.call<Snapshot>('health', 'status');
    expect(snapshot.checks.map((c) => [c.check, c.stale])).toEqual([['vitals', false]]);
    expect(snapshot.checks[0]!.detail).toMatch(/lag p99 [\d.]+ ms \(max [\d.]+\), heap \d+\/\d+ MiB \(\d+%\), rss \d+ MiB$/);

  });

  it('the beat action samples, judges with the configured thresholds and reports to health', async () => {
    // Lag thresholds no machine reaches and a heap ratio every process passes: the verdict is "warn" for the heap.
    const k = await boot('    heartbeat:\n      interval: 1h\n      check: vitals\n      lagWarn: 1h\n      lagFail: 2h\n      heapWarnRatio: 0.0001\n');
    const beat = await k.call<{ sample: { heapUsedBytes: number; heapLimitBytes: number }; verdict: { status: string; detail: string } }>('heartbeat', 'beat');
    expect(beat.sample.heapUsedBytes).toBeGreaterThan(0);
    expect(beat.sample.heapLimitBytes).toBeGreaterThan(beat.sample.heapUsedBytes);
    expect(beat.verdict.status).toBe('warn');
    expect(beat.verdict.detail).toMatch(/^heap above 0% of its limit: lag p99/);
    const snapshot = await k.call<Snapshot>('health', 'status');
    expect(snapshot.checks).toMatchObject([{ check: 'vitals', status: 'warn', detail: beat.verdict.detail }]);
    expect(snapshot.status).toBe('degraded');
  });

  it('health takes reports, sums them up and rejects malformed ones with a coded error', async () => {
    const k = await boot('    health:\n      defaultTtlMs: 1h\n', '[health]');
    await k.call('health', 'report', { check: 'db', status: 'warn', detail: 'replica lag' });
    await k.call('health', 'report', { check: 'queue', status: 'ok' });
    expect(await k.call<Snapshot>('health', 'status')).toMatchObject({
      status: 'degraded',
      checks: [
        { check: 'db', status: 'warn', detail: 'replica lag', stale: false },
        { check: 'queue', status: 'ok', stale: false },
      ],
    });
    await expect(k.call('health', 'report', { check: 'db', status: 'great' })).rejects.toMatchObject({
      code: 'XCORE_ERR_HEALTH_REPORT_INVALID',
      message: expect.stringContaining('"status" must be "ok", "warn" or "fail", got "great"'),
    });
    await k.call('health', 'report', { check: 'db', status: 'fail' });
    expect((await k.call<Snapshot>('health', 'status')).status).toBe('down');
    expect(await k.call('health', 'remove', { check: 'db' })).toBe(true);
  });

  it('refuses a reload of health while heartbeat depends on it', async () => {
    const k = await boot('    heartbeat:\n      interval: 1h\n');
    await expect(k.reload('health')).rejects.toMatchObject({ code: 'XCORE_ERR_PLUGIN_RELOAD_REFUSED' });
    await expect(k.reload('heartbeat')).resolves.toMatchObject({ state: 'started' });
  });
});
