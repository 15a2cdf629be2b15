/**
 * The host's policy for errors nobody caught, through the real binary: a floating rejection is
 * logged with its job and counted while the app runs on; an uncaught exception stops the app
 * gracefully and exits 70. Never a raw stack on stderr.
 */
import { describe, expect, it } from 'vitest';
import { killAppsAfterEach, lineWith, QUIET_LOGS, start, writeApp } from './helpers/cli-app.js';

killAppsAfterEach();

const REJECTION = 'unhandled promise rejection (a promise nobody awaited or caught); logged and counted, the app keeps running';
const UNCAUGHT = 'uncaught exception: stopping the app gracefully, then exiting with code 70';

describe('xcore start: errors nobody caught', () => {
  it('logs a floating rejection in a job with the job and plugin, counts it, and keeps running', async () => {
    const app = start(writeApp(QUIET_LOGS, [
      {
        name: 'careless',
        source: `export default {
  async onStart(ctx: any) {
    let runs = 0;
    await ctx.getService('scheduler').addJob(async () => {
      runs += 1;
      Promise.reject(new Error('forgot to await this'));
      ctx.logger.info({ runs }, 'careless ran');
    }, { id: 'float', every: '1s' });
  },
};\n`,
      },
    ]));
    await app.waitFor((l) => l.msg === 'careless ran' && l.runs === 2);
    const rejections = app.lines.filter((l) => l.msg === REJECTION);
    expect(rejections.length).toBeGreaterThanOrEqual(1);
    expect(rejections[0]).toMatchObject({ level: 50, plugin: 'careless', job: 'careless:float', unhandledRejections: 1, err: { message: 'forgot to await this' } });
    app.child.kill('SIGTERM');
    expect(await app.exited).toBe(0);
    expect((lineWith(app, 'xcore stopped cleanly')?.unhandledRejections as number) >= 2).toBe(true);
    expect(app.stderr()).toBe('');
  });

  it('stops gracefully and exits 70 on an exception thrown in a timer a job started, naming the job', async () => {
    const app = start(writeApp(QUIET_LOGS, [
      {
        name: 'thrower',
        source: `export default {
  async onStart(ctx: any) {
    await ctx.getService('scheduler').addJob(async () => {
      setTimeout(() => { throw new Error('boom in a timer'); }, 10);
    }, { id: 'later', every: '1s' });
  },
  onStop(ctx: any) { ctx.logger.info('thrower down'); },
};\n`,
      },
    ]));
    expect(await app.exited).toBe(70);
    expect(lineWith(app, UNCAUGHT)).toMatchObject({ level: 60, plugin: 'thrower', job: 'thrower:later', err: { message: 'boom in a timer' } });
    const messages = app.lines.map((l) => l.msg);
    expect(messages.indexOf('thrower down')).toBeGreaterThan(messages.indexOf(UNCAUGHT));
    expect(lineWith(app, 'xcore stopped')).toMatchObject({ exitCode: 70, uncaughtExceptions: 1 });
    expect(app.stderr()).toBe('');
  });

  it('exits 70 on an exception thrown in a timer a plugin started in onStart, naming the plugin', async () => {
    const app = start(writeApp(QUIET_LOGS, [
      { name: 'ticker', source: `export default { onStart() { setTimeout(() => { throw new TypeError('bad tick'); }, 200); } };\n` },
    ]));
    await app.waitFor((l) => l.msg === 'xcore started');
    expect(await app.exited).toBe(70);
    const line = lineWith(app, UNCAUGHT);
    expect(line).toMatchObject({ plugin: 'ticker', err: { type: 'TypeError', message: 'bad tick' } });
    expect(line).not.toHaveProperty('job');
  });

  it('with app.faultOrigins: false, still stops and exits 70, without naming the origin', async () => {
    const app = start(writeApp(`app:\n  faultOrigins: false\n${QUIET_LOGS}`, [
      { name: 'ticker', source: `export default { onStart() { setTimeout(() => { throw new Error('bad tick'); }, 200); } };\n` },
    ]));
    expect(await app.exited).toBe(70);
    const line = lineWith(app, UNCAUGHT);
    expect(line).toMatchObject({ err: { message: 'bad tick' } });
    expect(line).not.toHaveProperty('plugin');
  });
});
