/**
 * What `xcore start` promises about stopping, through the real binary: the drain deadline holds
 * whatever a handler does, the exit code says how the stop went, every stop signal is honoured
 * (during boot too), and an app runs with the scheduler disabled.
 */
import { symlinkSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { killAppsAfterEach, lineWith, QUIET_LOGS, start, writeApp } from './helpers/cli-app.js';

killAppsAfterEach();

/** A plugin whose job ignores its signal and holds the event loop with a 10-minute timer. */
const STUBBORN = {
  name: 'stubborn',
  source: `export default {
  async onStart(ctx: any) {
    await ctx.getService('scheduler').addJob(async () => {
      ctx.logger.info('job started');
      await new Promise((resolve) => setTimeout(resolve, 600_000));
    }, { id: 'slow', every: '1s' });
  },
};\n`,
};

describe('xcore start: the drain deadline holds', () => {
  it('exits 3 at the deadline when a job ignores its signal, logging what it waits for meanwhile', async () => {
    const app = start(writeApp(`app:\n  shutdownTimeoutMs: 3s\n${QUIET_LOGS}`, [STUBBORN]));
    await app.waitFor((l) => l.msg === 'job started');
    app.child.kill('SIGTERM');
    // The job's timer would hold the process for 10 minutes: the exit does not wait for it.
    expect(await app.exited).toBe(3);
    expect(lineWith(app, 'shutdown waiting')).toMatchObject({ running: ['job:stubborn:slow'] });
    expect(lineWith(app, 'stopped after the drain deadline; unfinished work was aborted')).toMatchObject({ exitCode: 3, unfinished: ['job:stubborn:slow'] });
    expect(lineWith(app, 'exiting with timers or sockets a plugin or job left running; they are abandoned')).toMatchObject({ resources: { Timeout: expect.any(Number) } });
    expect(lineWith(app, 'xcore stopped cleanly')).toBeUndefined();
  });

  it('exits 0 after a clean stop even when a plugin left a timer running', async () => {
    const app = start(
      writeApp(QUIET_LOGS, [{ name: 'leaky', source: `export default { onStart() { setInterval(() => {}, 60_000); } };\n` }]),
    );
    await app.waitFor((l) => l.msg === 'xcore started');
    app.child.kill('SIGTERM');
    expect(await app.exited).toBe(0);
    expect(lineWith(app, 'xcore stopped cleanly')).toMatchObject({ exitCode: 0 });
  });
});

describe('xcore start: stop signals', () => {
  it('stops gracefully on SIGHUP, exit 0', async () => {
    const app = start(writeApp(QUIET_LOGS, [{ name: 'p', source: `export default { onStop(ctx: any) { ctx.logger.info('p down'); } };\n` }]));
    await app.waitFor((l) => l.msg === 'xcore started');
    app.child.kill('SIGHUP');
    expect(await app.exited).toBe(0);
    expect(lineWith(app, 'p down')).toBeDefined();
    expect(lineWith(app, 'xcore stopped cleanly')).toBeDefined();
  });

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const)('a second %s forces exit %i while a plugin does not stop', async (signal, code) => {
    const app = start(writeApp(`app:\n  shutdownTimeoutMs: 60s\n${QUIET_LOGS}plugins:\n  hookTimeoutMs: 60s\n`, [
      { name: 'stuck', source: `export default { onStop() { return new Promise(() => {}); } };\n` },
    ]));
    await app.waitFor((l) => l.msg === 'xcore started');
    app.child.kill(signal);
    await app.waitFor((l) => typeof l.msg === 'string' && l.msg.startsWith('shutdown requested'));
    app.child.kill(signal);
    expect(await app.exited).toBe(code);
  });

  it('a signal during boot stops it at once (a plugin onStart still waiting), exit 0', async () => {
    const app = start(writeApp(`${QUIET_LOGS}plugins:\n  hookTimeoutMs: 120s\n`, [
      { name: 'first', source: `export default { onStop(ctx: any) { ctx.logger.info('first down'); } };\n` },
      {
        name: 'slow',
        dependencies: { first: '*' },
        source: `export default { async onStart(ctx: any) { ctx.logger.info('slow waiting'); await new Promise((r) => setTimeout(r, 110_000)); } };\n`,
      },
    ]));
    await app.waitFor((l) => l.msg === 'slow waiting');
    app.child.kill('SIGINT');
    expect(await app.exited).toBe(0);
    expect(lineWith(app, 'boot interrupted by a stop request; stopping what started')).toMatchObject({ reason: 'SIGINT' });
    expect(lineWith(app, 'first down')).toBeDefined();
    expect(lineWith(app, 'xcore started')).toBeUndefined();
  });
});

describe('xcore start: the scheduler disabled', () => {
  it('runs until a signal with services.scheduler.enabled: false, the shipped health plugin included', async () => {
    const dir = writeApp(`${QUIET_LOGS}services:\n  scheduler:\n    enabled: false\n`);
    mkdirSync(join(dir, 'plugins'));
    symlinkSync(fileURLToPath(new URL('../plugins/health', import.meta.url)), join(dir, 'plugins', 'health'));
    const app = start(dir);
    await app.waitFor((l) => l.msg === 'xcore started');
    expect(lineWith(app, 'xcore started')).toMatchObject({ started: ['health'], failed: [], skipped: [] });
    expect(lineWith(app, 'plugin runs without its optional service (not configured or disabled)')).toMatchObject({ plugin: 'health', service: 'scheduler' });
    // Still running a while later (it used to exit 13 right after "xcore started").
    const early = await Promise.race([app.exited, new Promise<'running'>((resolve) => setTimeout(() => resolve('running'), 1_500))]);
    expect(early).toBe('running');
    app.child.kill('SIGTERM');
    expect(await app.exited).toBe(0);
  });
});
