/**
 * The real `xcore` binary in a child process: boot, signals, exit codes, validate and schema.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { killAppsAfterEach, QUIET_LOGS, start, track, writeApp } from './helpers/cli-app.js';
import { runXcore } from './helpers/cli-process.js';

killAppsAfterEach();

describe('xcore start', () => {
  it('boots, logs each plugin start with timing, stops in reverse order on SIGTERM and exits 0', async () => {
    const dir = writeApp(`app:\n  name: fixture\n${QUIET_LOGS}`, [
      {
        name: 'base',
        source: `export default { onStart(ctx: any) { ctx.logger.info('base up'); }, onStop(ctx: any) { ctx.logger.info('base down'); } };\n`,
      },
      {
        name: 'top',
        dependencies: { base: '^1.0.0' },
        source: `export default { onStart(ctx: any) { ctx.logger.info('top up'); }, onStop(ctx: any) { ctx.logger.info('top down'); } };\n`,
      },
    ]);
    const app = start(dir);
    await app.waitFor((l) => l.msg === 'xcore started');
    const startedPlugins = app.lines.filter((l) => l.msg === 'plugin started');
    expect(startedPlugins.map((l) => l.plugin)).toEqual(['base', 'top']);
    for (const line of startedPlugins) expect(typeof line.ms).toBe('number');

    app.child.kill('SIGTERM');
    expect(await app.exited).toBe(0);
    const order = app.lines.map((l) => l.msg).filter((m) => m === 'top down' || m === 'base down');
    expect(order).toEqual(['top down', 'base down']);
    expect(app.lines.some((l) => l.msg === 'xcore stopped cleanly')).toBe(true);
  });

  it('exits 3 when a plugin does not stop within the drain deadline', async () => {
    const dir = writeApp(`app:\n  shutdownTimeoutMs: 300\n${QUIET_LOGS}plugins:\n  hookTimeoutMs: 5000\n`, [
      { name: 'stuck', source: `export default { onStop() { return new Promise(() => {}); } };\n` },
    ]);
    const app = start(dir);
    await app.waitFor((l) => l.msg === 'xcore started');
    app.child.kill('SIGTERM');
    expect(await app.exited).toBe(3);
  });

  it('on SIGTERM lets a plugin job in progress finish before the plugin stops (drain, not abort)', async () => {
    const dir = writeApp(`app:\n  shutdownTimeoutMs: 10s\n${QUIET_LOGS}`, [
      {
        name: 'worker',
        source: `export default {
  async onStart(ctx: any) {
    await ctx.getService('scheduler').addJob(async (job: any) => {
      ctx.logger.info('job started');
      await new Promise((r) => setTimeout(r, 1200));
      ctx.logger.info(job.signal.aborted ? 'job aborted' : 'job done');
    }, { id: 'slow', every: '1s' });
  },
  onStop(ctx: any) { ctx.logger.info('worker down'); },
};\n`,
      },
    ]);
    const app = start(dir);
    await app.waitFor((l) => l.msg === 'job started');
    app.child.kill('SIGTERM');
    expect(await app.exited).toBe(0);
    const order = app.lines.map((l) => l.msg).filter((m) => m === 'job done' || m === 'job aborted' || m === 'worker down');
    expect(order).toEqual(['job done', 'worker down']);
  });

  it('exits 1 and prints file:line:col for an invalid config', async () => {
    const dir = writeApp(`app:\n  name: fixture\n  colour: blue\n${QUIET_LOGS}`);
    const app = start(dir);
    expect(await app.exited).toBe(1);
    expect(app.stderr()).toContain(`${join(dir, 'xcore.yaml')}:3:3`);
    expect(app.stderr()).toContain('app.colour');
  });
});

describe('xcore validate and schema', () => {
  it('prints OK for a valid file and exits 0', async () => {
    const dir = writeApp(`app:\n  name: fixture\n`);
    const proc = runXcore(['validate', join(dir, 'xcore.yaml')], { cwd: dir });
    expect(await proc.exited).toBe(0);
    expect(proc.lines.map((l) => l.raw).join('\n')).toContain('OK');
  });

  it('lists every problem and exits 1', async () => {
    const dir = writeApp(`app:\n  name: 42\nlogging:\n  level: loud\n`);
    const proc = runXcore(['validate'], { cwd: dir });
    expect(await proc.exited).toBe(1);
    expect(proc.stderr()).toContain('xcore.yaml:2:9');
    expect(proc.stderr()).toContain('xcore.yaml:4:10');
  });

  it('exits 2 on an unknown command', async () => {
    const proc = runXcore(['launch'], { cwd: tmpdir() });
    expect(await proc.exited).toBe(2);
    expect(proc.stderr()).toContain('Unknown command "launch"');
  });

  it('prints a JSON Schema with the scheduler section', async () => {
    const proc = runXcore(['schema'], { cwd: tmpdir() });
    expect(await proc.exited).toBe(0);
    const text = proc.lines.map((l) => (l.raw as string | undefined) ?? JSON.stringify(l)).join('\n');
    const schema = JSON.parse(text) as { properties: Record<string, { properties?: Record<string, unknown> }> };
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['app', 'logging', 'plugins', 'services']));
    expect(schema.properties.services?.properties).toHaveProperty('scheduler');
  });
});

describe('shipped apps', () => {
  const repoRoot = fileURLToPath(new URL('..', import.meta.url));

  it('the default app (the README quick start) boots, fires its plugin jobs and stops cleanly', async () => {
    const app = track(runXcore(['start'], { cwd: repoRoot, env: { XCORE_LOG_PRETTY: 'false', XCORE_LOG_LEVEL: 'info' } }));
    await app.waitFor((l) => l.msg === 'xcore started');
    expect(app.lines.filter((l) => l.msg === 'plugin started').map((l) => l.plugin)).toEqual(['health', 'heartbeat']);
    // notify ships in ./plugins but the default xcore.yaml does not enable it: listed, logged once at info.
    expect(app.lines.find((l) => l.msg === 'xcore started')).toMatchObject({ level: 30, started: ['health', 'heartbeat'], failed: [], skipped: [], notEnabled: ['notify'] });
    expect(app.lines.filter((l) => typeof l.msg === 'string' && l.msg.startsWith('plugin folder present but not enabled')).map((l) => [l.level, l.plugin])).toEqual([[30, 'notify']]);
    // heartbeat beats once in onStart (before "xcore started"), then only from its 5 s interval job.
    const booted = app.lines.length;
    await app.waitFor((l) => l.msg === 'heartbeat' && app.lines.indexOf(l) >= booted, 12_000);
    app.child.kill('SIGTERM');
    expect(await app.exited).toBe(0);
  });

  it('runs the @Interval methods of a class-based plugin, bound to its instance', async () => {
    const app = track(runXcore(['start', '-c', 'test/fixtures/deco-app/xcore.yaml'], { cwd: repoRoot }));
    await app.waitFor((l) => l.msg === 'registered decorated jobs');
    expect(app.lines.find((l) => l.msg === 'registered decorated jobs')).toMatchObject({ jobs: ['reports:tick'] });
    await app.waitFor((l) => l.msg === 'decorated tick' && l.runs === 2);
    app.child.kill('SIGTERM');
    expect(await app.exited).toBe(0);
  });
});
