/**
 * Sandboxed plugins through the real binary: what a plugin in a sandbox cannot do (read outside
 * its folder, start processes or workers, load addons, call methods outside its grant, touch
 * another plugin's jobs), its jobs firing like an in-process plugin's, crashes restarted and
 * reported, folders with links refused, and no sandbox process left after stop.
 * Run it on Node 24 too: `scripts/with-node.sh 24 node node_modules/vitest/vitest.mjs run test/sandbox.test.ts`.
 */
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runXcore, type XcoreProcess } from './helpers/cli-process.js';
import { processAlive, sandboxApp } from './helpers/sandbox-app.js';

const running: XcoreProcess[] = [];
afterEach(() => {
  for (const p of running.splice(0)) p.child.kill('SIGKILL');
});

const HTTP = '  http: { enabled: true, port: 0, auth: none }';

/** Starts the app in `dir` and waits until it has started; returns it and its admin URL. */
async function start(dir: string, env: NodeJS.ProcessEnv = {}): Promise<{ app: XcoreProcess; url: string }> {
  const app = runXcore(['start'], { cwd: dir, env });
  running.push(app);
  const listening = await app.waitFor((line) => line.msg === 'http listening', 60_000);
  await app.waitFor((line) => line.msg === 'xcore started', 60_000);
  return { app, url: String(listening.url) };
}

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url);
  const body = (await response.json()) as T;
  expect(response.status, JSON.stringify(body)).toBe(200);
  return body;
}

/** Pids of the sandbox processes the host started (from its log). */
function sandboxPids(app: XcoreProcess): number[] {
  return app.lines.filter((line) => line.msg === 'sandbox process started').map((line) => Number(line.pid));
}

const PROBE = `
import { definePlugin } from '@xcore/core';
import type {} from '@xcore/scheduler';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const probes: Record<string, () => unknown> = {};
async function probe(ctx: { logger: { info(o: object, m: string): void } }, name: string, fn: () => unknown): Promise<void> {
  try {
    const value = await fn();
    ctx.logger.info({ probe: name, outcome: 'allowed', value: typeof value === 'string' ? value : undefined }, 'probe');
  } catch (err) {
    ctx.logger.info({ probe: name, outcome: (err as { code?: string }).code ?? String(err) }, 'probe');
  }
}

/** Sends a raw call over the IPC channel, as a plugin that bypasses its clients could. */
function raw(method: string, args: unknown[]): Promise<unknown> {
  const id = 1_000_000 + Math.floor(Math.random() * 1_000_000);
  return new Promise((resolve, reject) => {
    const onMessage = (message: { t: string; id: number; ok: boolean; value?: unknown; error?: { code?: string } }) => {
      if (message.t !== 'reply' || message.id !== id) return;
      process.off('message', onMessage);
      if (message.ok) resolve(message.value);
      else reject(message.error);
    };
    process.on('message', onMessage);
    process.send!({ t: 'call', id, method, args });
  });
}

export default definePlugin({
  actions: ['echo'],
  handle: (action, payload) => ({ echo: payload, sandboxed: typeof process.permission === 'object' }),
  async onStart(ctx) {
    const secret = (ctx.config as { secret: string }).secret;
    const dataDir = ctx.dataDir!;
    await probe(ctx, 'read-outside', () => readFileSync(secret, 'utf8'));
    await probe(ctx, 'read-own-folder', () => readFileSync(new URL('../notes.txt', import.meta.url), 'utf8'));
    await probe(ctx, 'write-data', () => writeFileSync(join(dataDir, 'out.txt'), 'ok'));
    await probe(ctx, 'write-outside', () => writeFileSync(secret + '.copy', 'stolen'));
    await probe(ctx, 'link-in-data', async () => (await import('node:fs')).symlinkSync('/etc', join(dataDir, 'etc')));
    await probe(ctx, 'spawn', async () => (await import('node:child_process')).execFileSync('/bin/sh', ['-c', 'echo hi']).toString());
    await probe(ctx, 'worker', async () => new (await import('node:worker_threads')).Worker('1', { eval: true }));
    await probe(ctx, 'addon', () => process.dlopen({ exports: {} } as never, join(dataDir, 'missing.node')));
    await probe(ctx, 'env', () => Object.keys(process.env).join(',') || 'empty');
    await probe(ctx, 'app-config', () => ctx.getService('config' as never));
    const scheduler = ctx.getService('scheduler');
    await probe(ctx, 'pause-other', () => scheduler.pauseJob('owner:secret'));
    await probe(ctx, 'remove-other', () => scheduler.removeJob('owner:secret'));
    await probe(ctx, 'register', () => scheduler.register({}));
    await probe(ctx, 'raw-ungranted', () => raw('kernel.stop', []));
    await probe(ctx, 'raw-pause-other', () => raw('scheduler.pauseJob', ['owner:secret']));
    await probe(ctx, 'raw-bad-args', () => raw('scheduler.pauseJob', [{ id: 'x' }]));
    await probe(ctx, 'raw-host-code', () => raw('scheduler.addJob', [99, { id: 'escape', every: '1s', executor: 'thread', module: '/tmp/x.js', export: 'run' }]));
    await probe(ctx, 'own-job', async () => (await scheduler.addJob(() => undefined, { id: 'mine', every: '1h' })).id);
    await probe(ctx, 'list-own', async () => (await scheduler.jobs()).map((j) => j.id).join(','));
    await probe(ctx, 'call-owner', () => ctx.call('owner', 'whoami'));
  },
});
`;

const OWNER = `
import { definePlugin } from '@xcore/core';
import type {} from '@xcore/scheduler';
export default definePlugin({
  actions: ['whoami'],
  handle: () => 'owner',
  async onStart(ctx) {
    const scheduler = ctx.getService('scheduler');
    await scheduler.addJob(() => undefined, { id: 'secret', every: '1h' });
    // Calls into the sandboxed plugin once every plugin has started.
    await scheduler.addJob(async ({ logger }) => {
      const answer = await ctx.call('probe', 'echo', { x: [1, 'two'] });
      const unknown = await ctx.call('probe', 'nope').catch((err: { code?: string }) => err.code);
      logger.info({ answer, unknown }, 'asked probe');
    }, { id: 'ask', runDate: new Date(Date.now() + 500) });
  },
});
`;

describe('a sandboxed plugin', () => {
  it('cannot read or write outside its folders, spawn, start workers, load addons, or go past its grant', async () => {
    const dir = sandboxApp(
      [
        { name: 'probe', source: PROBE, sandbox: true, files: { 'notes.txt': 'own notes' } },
        { name: 'owner', source: OWNER },
      ],
      ['plugins:', '  config:', '    probe: { secret: SECRET_PATH }', 'services:', HTTP, ''].join('\n'),
    );
    const secret = join(dir, 'secret.txt');
    writeFileSync(secret, 'top secret');
    writeFileSync(join(dir, 'xcore.yaml'), readFileSync(join(dir, 'xcore.yaml'), 'utf8').replace('SECRET_PATH', JSON.stringify(secret)));
    const { app, url } = await start(dir, { SECRET_TOKEN: 'do-not-pass' });
    const outcomes = Object.fromEntries(app.lines.filter((l) => l.msg === 'probe').map((l) => [l.probe, l.outcome === 'allowed' ? `allowed${l.value === undefined ? '' : `:${String(l.value)}`}` : l.outcome]));
    expect(outcomes).toEqual({
      'read-outside': 'ERR_ACCESS_DENIED',
      'read-own-folder': 'allowed:own notes',
      'write-data': 'allowed',
      'write-outside': 'ERR_ACCESS_DENIED',
      'link-in-data': 'ERR_ACCESS_DENIED',
      spawn: 'ERR_ACCESS_DENIED',
      worker: 'ERR_ACCESS_DENIED',
      addon: 'ERR_DLOPEN_DISABLED',
      env: 'allowed:empty',
      'app-config': 'XCORE_ERR_SANDBOX_NOT_GRANTED',
      'pause-other': 'XCORE_ERR_JOB_NOT_FOUND',
      'remove-other': 'XCORE_ERR_JOB_NOT_FOUND',
      register: 'XCORE_ERR_SANDBOX_NOT_GRANTED',
      'raw-ungranted': 'XCORE_ERR_SANDBOX_NOT_GRANTED',
      'raw-pause-other': 'XCORE_ERR_JOB_NOT_FOUND',
      'raw-bad-args': 'XCORE_ERR_SANDBOX_CALL_INVALID',
      'raw-host-code': 'XCORE_ERR_SANDBOX_CALL_INVALID',
      'own-job': 'allowed:probe:mine',
      'list-own': 'allowed:probe:mine',
      'call-owner': 'allowed:owner',
    });
    expect(readFileSync(join(dir, 'data', 'probe', 'out.txt'), 'utf8')).toBe('ok');
    // An in-process plugin calls the sandboxed one's actions; the answer comes from the sandbox.
    const asked = await app.waitFor((l) => l.msg === 'asked probe', 30_000);
    expect(asked).toMatchObject({ answer: { echo: { x: [1, 'two'] }, sandboxed: true }, unknown: 'XCORE_ERR_PLUGIN_ACTION_UNKNOWN' });
    // The other plugin's job is untouched.
    const secretJob = await getJson<{ paused: boolean }>(`${url}/admin/v1/jobs/${encodeURIComponent('owner:secret')}`);
    expect(secretJob.paused).toBe(false);
    app.child.kill('SIGTERM');
    expect(await app.exited, JSON.stringify(app.lines.slice(-8))).toBe(0);
  }, 120_000);
});

/** The same plugin source runs sandboxed (`sjobs`) and in-process (`ijobs`). */
const JOBS = `
import { definePlugin } from '@xcore/core';
import type {} from '@xcore/scheduler';
export default definePlugin({
  async onStart(ctx) {
    const scheduler = ctx.getService('scheduler');
    await scheduler.addJob(({ jobId, scheduledAt, attempt, args, logger }) => {
      logger.info({ seen: { jobId, scheduledAt: scheduledAt.toISOString(), attempt, args } }, 'tick ran');
    }, { id: 'tick', cron: '* * * * * *', args: [1, 'a', { deep: [true] }] });
    await scheduler.addJob(() => {
      throw new Error('boom');
    }, { id: 'fail', cron: '*/2 * * * * *', retries: 1, retryDelay: 10 });
    await scheduler.addJob(({ signal, logger }) => new Promise((resolve) => {
      signal.addEventListener('abort', () => { logger.info('slow job saw its signal abort'); resolve(undefined); });
    }), { id: 'slow', cron: '*/2 * * * * *', timeout: 300 });
  },
});
`;

interface HistoryRecord {
  scheduledAt: string;
  status: string;
  attempts: number;
  error?: string;
}

describe('jobs of a sandboxed plugin', () => {
  it('fire, fail, retry and time out exactly as the same plugin in-process', async () => {
    const dir = sandboxApp(
      [
        { name: 'sjobs', source: JOBS, sandbox: true },
        { name: 'ijobs', source: JOBS },
      ],
      ['services:', HTTP, ''].join('\n'),
    );
    const { app, url } = await start(dir);
    const ran = (plugin: string) => app.lines.filter((l) => l.msg === 'tick ran' && String(l.job).startsWith(`${plugin}:`));
    await app.waitFor(() => ran('sjobs').length >= 4 && ran('ijobs').length >= 4, 30_000);
    await app.waitFor((l) => l.msg === 'slow job saw its signal abort' && l.job === 'sjobs:slow', 30_000);
    const history = async (id: string): Promise<HistoryRecord[]> =>
      (await getJson<{ items: HistoryRecord[] }>(`${url}/admin/v1/jobs/${encodeURIComponent(id)}/history?limit=50`)).items;
    // Compare the occurrences both have finished: same instants, same outcomes.
    const compare = async (job: string): Promise<void> => {
      const [sandboxed, inProcess] = [await history(`sjobs:${job}`), await history(`ijobs:${job}`)];
      const shape = (records: HistoryRecord[], common: Set<string>) =>
        records
          .filter((r) => common.has(r.scheduledAt))
          .map((r) => ({ at: r.scheduledAt, status: r.status, attempts: r.attempts, error: r.error?.replace(/[si]jobs:/, '<plugin>:') }));
      const common = new Set(sandboxed.map((r) => r.scheduledAt).filter((at) => inProcess.some((r) => r.scheduledAt === at)));
      expect(common.size, job).toBeGreaterThanOrEqual(1);
      expect(shape(sandboxed, common)).toEqual(shape(inProcess, common));
    };
    await compare('tick');
    const [fail] = await history('sjobs:fail');
    expect(fail).toMatchObject({ status: 'failed', attempts: 2, error: expect.stringContaining('boom') });
    const [slow] = await history('sjobs:slow');
    expect(slow).toMatchObject({ status: 'timed_out' });
    await compare('fail');
    await compare('slow');
    // The context a run gets: the same fields and values on both sides, args cloned whole.
    const seen = (plugin: string) => ran(plugin).map((l) => l.seen as { jobId: string; scheduledAt: string; attempt: number; args: unknown });
    const s = seen('sjobs')[0]!;
    expect(s).toEqual({ jobId: 'sjobs:tick', scheduledAt: expect.any(String), attempt: 1, args: [1, 'a', { deep: [true] }] });
    expect({ ...seen('ijobs')[0]!, jobId: 'x', scheduledAt: 'x' }).toEqual({ ...s, jobId: 'x', scheduledAt: 'x' });
    app.child.kill('SIGTERM');
    expect(await app.exited, JSON.stringify(app.lines.slice(-8))).toBe(0);
  }, 120_000);
});


const CRASHY = `
import { definePlugin } from '@xcore/core';
import type {} from '@xcore/scheduler';
import { existsSync, writeFileSync } from 'node:fs';
export default definePlugin({
  async onStart(ctx) {
    await ctx.getService('scheduler').addJob(({ logger }) => {
      if (!existsSync('crashed-once')) {
        writeFileSync('crashed-once', '1');
        process.exit(7);
      }
      logger.info('crashy work ran');
    }, { id: 'work', cron: '* * * * * *' });
  },
});
`;

const LOOPING = `
import { definePlugin } from '@xcore/core';
export default definePlugin({
  onStart() {
    setTimeout(() => { throw new Error('loop bug'); }, 50);
  },
});
`;

const STUBBORN = `
import { definePlugin } from '@xcore/core';
export default definePlugin({
  onStart() {
    // Ignores the host closing its channel: only the kill after the stop grace ends it.
    process.removeAllListeners('disconnect');
    setInterval(() => undefined, 1_000);
  },
});
`;

const STEADY = `
import { definePlugin } from '@xcore/core';
import type {} from '@xcore/scheduler';
export default definePlugin({
  async onStart(ctx) {
    await ctx.getService('scheduler').addJob(({ logger }) => logger.info('steady ran'), { id: 'beat', cron: '* * * * * *' });
  },
});
`;

interface PluginJson {
  name: string;
  state: string;
  error: { code?: string; message: string } | null;
  sandbox?: { pid: number | null; restarts: number; recentCrashes: number; lastCrash: string | null } | null;
}

describe('a sandbox process that crashes', () => {
  it('is restarted with backoff, failed after repeated crashes, and never takes the host down; links refused; stop leaves no process', async () => {
    const dir = sandboxApp(
      [
        { name: 'crashy', source: CRASHY, sandbox: true },
        { name: 'looping', source: LOOPING, sandbox: true },
        { name: 'stubborn', source: STUBBORN },
        { name: 'linked', source: STEADY, sandbox: true },
        { name: 'datalinked', source: STEADY, sandbox: true },
        { name: 'steady', source: STEADY },
      ],
      [
        'plugins:',
        '  sandboxed: [stubborn]',
        '  sandbox: { restartDelayMs: 100, maxCrashes: 3, crashWindowMs: 1m, stopGraceMs: 500 }',
        'services:',
        HTTP,
        '',
      ].join('\n'),
    );
    symlinkSync('/etc', join(dir, 'plugins', 'linked', 'src', 'etc-link'), 'dir');
    mkdirSync(join(dir, 'data', 'datalinked'), { recursive: true });
    symlinkSync('/etc', join(dir, 'data', 'datalinked', 'etc'), 'dir');
    const { app, url } = await start(dir);

    // crashy: its first run exits the process; it is restarted and its job runs again.
    const crashed = await app.waitFor((l) => l.msg === 'sandboxed plugin process crashed' && l.plugin === 'crashy', 30_000);
    expect(crashed).toMatchObject({ exit: 'exit code 7', reason: 'exit', err: { code: 'XCORE_ERR_SANDBOX_CRASHED' } });
    await app.waitFor((l) => l.msg === 'sandboxed plugin restarted' && l.plugin === 'crashy', 30_000);
    await app.waitFor((l) => l.msg === 'crashy work ran', 30_000);
    // The run in flight when it crashed is recorded as failed with the crash (history is newest first).
    const runs = (await getJson<{ items: HistoryRecord[] }>(`${url}/admin/v1/jobs/crashy%3Awork/history?limit=50`)).items;
    expect(runs.at(-1)).toMatchObject({ status: 'failed', error: expect.stringContaining('exited (exit code 7)') });

    // looping: crashes after every start; the third crash in the window fails it.
    const failed = await app.waitFor((l) => l.msg === 'plugin failed' && l.plugin === 'looping', 30_000);
    expect(failed).toMatchObject({ hook: 'sandbox', err: { code: 'XCORE_ERR_SANDBOX_CRASH_LOOP', message: expect.stringContaining('Error: loop bug') } });
    expect(app.lines.filter((l) => l.msg === 'sandboxed plugin process crashed' && l.plugin === 'looping')).toHaveLength(3);

    // The host and its in-process plugin never stopped.
    const now = Date.now();
    await app.waitFor((l) => l.msg === 'steady ran' && l.job === 'steady:beat' && Number(l.time) > now, 10_000);

    const plugins = new Map((await getJson<{ items: PluginJson[] }>(`${url}/admin/v1/plugins`)).items.map((p) => [p.name, p]));
    expect(plugins.get('crashy')).toMatchObject({ state: 'started', sandbox: { restarts: 1, recentCrashes: 1, lastCrash: expect.stringContaining('exit code 7') } });
    expect(plugins.get('crashy')?.sandbox?.pid).toEqual(expect.any(Number));
    expect(plugins.get('looping')).toMatchObject({ state: 'failed', error: { code: 'XCORE_ERR_SANDBOX_CRASH_LOOP' }, sandbox: { pid: null, recentCrashes: 3 } });
    expect(plugins.get('linked')).toMatchObject({ state: 'failed', error: { code: 'XCORE_ERR_SANDBOX_SYMLINK', message: expect.stringContaining(join(dir, 'plugins', 'linked', 'src', 'etc-link')) } });
    expect(plugins.get('datalinked')).toMatchObject({ state: 'failed', error: { code: 'XCORE_ERR_SANDBOX_SYMLINK', message: expect.stringContaining(join(dir, 'data', 'datalinked', 'etc')) } });
    expect(plugins.get('steady')).toMatchObject({ state: 'started', sandbox: null });

    // Stop: every sandbox process is gone, the one ignoring its channel killed after the grace.
    const pids = sandboxPids(app);
    expect(pids.length).toBeGreaterThanOrEqual(6);
    app.child.kill('SIGTERM');
    expect(await app.exited, JSON.stringify(app.lines.slice(-8))).toBe(0);
    expect(app.lines.some((l) => l.msg === 'sandbox process did not exit within its stop grace; killing it' && l.plugin === 'stubborn')).toBe(true);
    expect(pids.filter(processAlive)).toEqual([]);
  }, 120_000);
});

const WEB = `
import { definePlugin } from '@xcore/core';
import type {} from '@xcore/http';
import { z } from 'zod';
export default definePlugin({
  onStart(ctx) {
    const http = ctx.getService('http');
    http.route({ method: 'GET', path: '/hello', auth: 'public', query: z.object({ name: z.string().min(2) }), handler: ({ query }) => ({ hi: query.name }) });
    http.route({ method: 'POST', path: '/double', auth: 'public', status: 201, body: z.object({ n: z.number() }), handler: ({ body }) => ({ n: body.n * 2 }) });
    http.route({ method: 'GET', path: '/text', auth: 'public', handler: () => new Response('plain words', { status: 202, headers: { 'content-type': 'text/plain', 'x-from': 'sandbox' } }) });
    http.route({ method: 'GET', path: '/url', auth: 'public', handler: () => ({ url: http.url }) });
  },
});
`;

/** Runs `fn` once (a marker file in the data folder remembers), then behaves. */
const ONCE = (body: string) => `
import { definePlugin } from '@xcore/core';
import type {} from '@xcore/scheduler';
import { existsSync, writeFileSync } from 'node:fs';
const held: unknown[] = [];
export default definePlugin({
  async onStart(ctx) {
    await ctx.getService('scheduler').addJob(({ logger }) => {
      if (existsSync('done-once')) return logger.info('calm run');
      writeFileSync('done-once', '1');
      ${body}
    }, { id: 'hog', cron: '* * * * * *' });
  },
});
`;

describe('a sandboxed plugin with routes and limits', () => {
  it('serves its routes through the host, and is killed at its heap cap or resident memory limit', async () => {
    const dir = sandboxApp(
      [
        { name: 'web', source: WEB, sandbox: true },
        { name: 'heapy', source: ONCE('for (;;) held.push(new Array(100_000).fill(held.length));'), sandbox: true },
        { name: 'rssy', source: ONCE("const b = Buffer.alloc(400 * 1024 * 1024, 1); held.push(b); setInterval(() => held.length, 100); return new Promise(() => undefined);"), sandbox: true },
      ],
      ['plugins:', '  sandbox: { maxOldSpaceMb: 64, maxRssMb: 250, restartDelayMs: 100 }', 'services:', HTTP, ''].join('\n'),
    );
    const { app, url } = await start(dir);
    const base = `${url}/plugins/web`;
    const hello = await fetch(`${base}/hello?name=ada`);
    expect([hello.status, await hello.json()]).toEqual([200, { hi: 'ada' }]);
    const refused = await fetch(`${base}/hello?name=a`);
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('XCORE_ERR_HTTP_VALIDATION');
    const doubled = await fetch(`${base}/double`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ n: 21 }) });
    expect([doubled.status, await doubled.json()]).toEqual([201, { n: 42 }]);
    const text = await fetch(`${base}/text`);
    expect([text.status, text.headers.get('x-from'), await text.text()]).toEqual([202, 'sandbox', 'plain words']);
    expect(await (await fetch(`${base}/url`)).json()).toEqual({ url: base });

    const heap = await app.waitFor((l) => l.msg === 'sandboxed plugin process crashed' && l.plugin === 'heapy', 60_000);
    expect(heap).toMatchObject({ reason: 'heap', err: { code: 'XCORE_ERR_SANDBOX_CRASHED' } });
    const rss = await app.waitFor((l) => l.msg === 'sandboxed plugin process crashed' && l.plugin === 'rssy', 60_000);
    expect(rss).toMatchObject({ reason: 'rss', exit: 'signal SIGKILL' });
    // Both run again after their restart; the routes still answer.
    await app.waitFor((l) => l.msg === 'calm run' && l.plugin === 'heapy', 30_000);
    await app.waitFor((l) => l.msg === 'calm run' && l.plugin === 'rssy', 30_000);
    expect((await fetch(`${base}/hello?name=bob`)).status).toBe(200);

    // A reload stops the sandbox and starts a new one from a fresh bundle: the routes come back.
    const before = (await getJson<PluginJson>(`${url}/admin/v1/plugins/web`)).sandbox?.pid;
    const reloaded = await fetch(`${url}/admin/v1/plugins/web/reload`, { method: 'POST' });
    const after = (await reloaded.json()) as PluginJson;
    expect([reloaded.status, after.state]).toEqual([200, 'started']);
    expect(after.sandbox?.pid).toEqual(expect.any(Number));
    expect(after.sandbox?.pid).not.toBe(before);
    expect(processAlive(before!)).toBe(false);
    expect(await (await fetch(`${base}/hello?name=eve`)).json()).toEqual({ hi: 'eve' });
    app.child.kill('SIGTERM');
    expect(await app.exited, JSON.stringify(app.lines.slice(-8))).toBe(0);
    expect(sandboxPids(app).filter(processAlive)).toEqual([]);
  }, 120_000);
});

describe('error lines of a sandboxed plugin', () => {
  const LOUD = `
import { definePlugin } from '@xcore/core';
export default definePlugin({
  onStart(ctx) {
    ctx.logger.error({ err: new Error('sandboxed failure', { cause: new Error('root cause') }) }, 'loud error');
  },
});
`;
  const errorLine = async (args: string[], env: NodeJS.ProcessEnv): Promise<Record<string, unknown>> => {
    const dir = sandboxApp([{ name: 'loud', source: LOUD, sandbox: true }], 'plugins: {}\n');
    const app = runXcore(['start', ...args], { cwd: dir, env });
    running.push(app);
    const line = await app.waitFor((l) => l.msg === 'loud error', 60_000);
    return line.err as Record<string, unknown>;
  };

  it('carry their stacks when the host runs with --debug or XCORE_DEBUG=1, as an in-process plugin does, and not otherwise', async () => {
    const [plain, flagged, fromEnv] = await Promise.all([errorLine([], { XCORE_DEBUG: '' }), errorLine(['--debug'], { XCORE_DEBUG: '' }), errorLine([], { XCORE_DEBUG: '1' })]);
    expect(plain.message).toContain('sandboxed failure');
    expect(plain.stack).toBeUndefined();
    for (const err of [flagged, fromEnv]) {
      expect(err.message).toContain('sandboxed failure');
      expect(String(err.stack)).toMatch(/sandboxed failure[\s\S]*root cause/);
    }
  }, 120_000);
});
