/**
 * The host's health through the real `xcore start` (built CLI, child process, free port):
 * `/livez` and `/readyz` are public probes, `/health` the detail behind the `read` scope; a job
 * that keeps failing is a warning naming it by qualified id while `/readyz` stays 200, and fails
 * readiness only with `health.failReadinessOn: [jobs]`. `xcore health` reads `/health` and exits as it answers.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { runXcoreCommand, type XcoreProcess, type XcoreResult } from './helpers/cli-process.js';
import { READ_TOKEN, startHealthApp, writeHealthApp } from './helpers/health-app.js';
import { removeTempAppsAfterAll } from './helpers/cli-app.js';

/** `xcore health` against the app at `url` with the read token (or `token`). */
function xcoreHealth(dir: string, url: string, args: readonly string[] = [], token = READ_TOKEN): Promise<XcoreResult> {
  return runXcoreCommand(['health', '--url', url, '--token', token, ...args], { cwd: dir });
}

/** A plugin whose job calls a remote API that answers 502, every 300 ms, and one that works. */
const PAYMENTS = `export default {
  async onStart(ctx) {
    const s = ctx.getService('scheduler');
    await s.addJob(() => { throw new Error('remote API returned 502'); }, { id: 'sync', every: '300ms' });
    await s.addJob(() => undefined, { id: 'tidy', every: '300ms' });
  },
};
`;

interface Check {
  name: string;
  level: string;
  status: string;
  detail?: string;
  data?: Record<string, unknown>;
}
interface Report {
  status: string;
  live: boolean;
  ready: boolean;
  checks: Check[];
}

const running: XcoreProcess[] = [];
afterEach(() => {
  for (const p of running.splice(0)) p.child.kill('SIGKILL');
});
removeTempAppsAfterAll();

const jobsCheck = (body: unknown): Check | undefined => (body as Report).checks.find((c) => c.name === 'jobs');

describe('plugin states through xcore start', () => {
  it('the boot summary and /health name every plugin state: started, failed with its error, skipped with the dependency, not enabled (logged once)', async () => {
    const dir = writeHealthApp({
      plugins: {
        payments: { source: PAYMENTS },
        broken: { source: `export default { onStart() { throw new Error('cannot reach the ledger'); } };` },
        needy: { source: 'export default {};', dependencies: { ghost: '^1.0.0' } },
        spare: { source: 'export default {};' },
      },
      enabled: ['payments', 'broken', 'needy'],
    });
    const started = await startHealthApp(dir);
    running.push(started.app);
    const summary = started.app.lines.find((l) => l.msg === 'xcore started')!;
    expect(summary).toMatchObject({
      level: 40,
      started: ['payments'],
      failed: [{ plugin: 'broken', error: 'Plugin "broken": onStart failed: cannot reach the ledger.' }],
      skipped: [{ plugin: 'needy', dependency: 'ghost', error: expect.stringContaining('depends on "ghost", which is not installed or not enabled') }],
      notEnabled: ['spare'],
    });
    expect(started.app.lines.filter((l) => String(l.msg).startsWith('plugin folder present but not enabled')).map((l) => [l.level, l.plugin])).toEqual([[30, 'spare']]);

    const health = await started.get('/health');
    expect(health.status).toBe(200);
    const plugins = (health.body as Report).checks.find((c) => c.name === 'plugins')!;
    expect(plugins).toMatchObject({ level: 'warning', status: 'warn' });
    expect(plugins.detail).toContain('broken failed: Plugin "broken": onStart failed: cannot reach the ledger.');
    expect(plugins.detail).toContain('needy skipped because of "ghost"');
    expect(plugins.data!['plugins']).toEqual([
      { name: 'broken', version: '1.0.0', state: 'failed', error: { code: 'XCORE_ERR_PLUGIN_HOOK_FAILED', name: 'PluginHookFailedError', message: 'Plugin "broken": onStart failed: cannot reach the ledger.' } },
      { name: 'payments', version: '1.0.0', state: 'started' },
      { name: 'needy', version: '1.0.0', state: 'skipped', dependency: 'ghost', error: expect.objectContaining({ code: 'XCORE_ERR_PLUGIN_DEPENDENCY_MISSING' }) },
      { name: 'spare', version: '1.0.0', state: 'not-enabled' },
    ]);
    // Failed and skipped plugins warn; they fail readiness only with failReadinessOn: [plugins].
    expect((await started.get('/readyz')).status).toBe(200);
  });
});

describe('health endpoints through xcore start', () => {
  it('a failing job is a warning in /health by its id; /readyz and /livez stay 200; probes are public, /health needs read', async () => {
    const dir = writeHealthApp({ plugins: { payments: { source: PAYMENTS } } });
    const started = await startHealthApp(dir);
    running.push(started.app);

    const health = await started.until('/health', (a) => jobsCheck(a.body)?.status === 'warn');
    expect(health.status).toBe(200);
    const report = health.body as Report;
    expect(report).toMatchObject({ status: 'warn', live: true, ready: true });
    const jobs = jobsCheck(report)!;
    expect(jobs).toMatchObject({ level: 'warning', detail: 'failing: payments:sync' });
    expect(jobs.data!['failing']).toEqual([expect.objectContaining({ id: 'payments:sync', status: 'failed', error: expect.stringContaining('remote API returned 502') })]);
    expect(report.checks.map((c) => [c.name, c.status])).toEqual(
      expect.arrayContaining([['event-loop', 'ok'], ['kernel', 'ok'], ['scheduler', 'ok'], ['plugins', 'ok']]),
    );

    const ready = await started.get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ status: 'ok', checks: { kernel: 'ok', scheduler: 'ok' } });
    // Public probes carry statuses only, never the detail (error texts, hosts).
    expect(ready.text).not.toContain('502');
    const live = await started.get('/livez');
    expect(live.status).toBe(200);
    expect(live.body).toEqual({ status: 'ok', checks: { 'event-loop': 'ok' } });

    expect((await started.get('/health', 'not-a-token')).status).toBe(401);
    expect((await started.get('/readyz', 'not-a-token')).status).toBe(200);

    // xcore health reads /health: ready with a warning is exit 0 (7 with --strict), the failing job named.
    const cli = await xcoreHealth(dir, started.url);
    expect([cli.code, cli.stderr]).toEqual([0, '']);
    expect(cli.stdout).toMatch(/^status +warn$/m);
    expect(cli.stdout).toMatch(/^jobs +warning +warn +failing: payments:sync$/m);
    expect((await xcoreHealth(dir, started.url, ['--strict'])).code).toBe(7);
    const asJson = JSON.parse((await xcoreHealth(dir, started.url, ['--json'])).stdout) as Report;
    expect(asJson).toMatchObject({ status: 'warn', live: true, ready: true });
    expect(jobsCheck(asJson)).toMatchObject({ status: 'warn', detail: 'failing: payments:sync' });
    expect(await xcoreHealth(dir, started.url, [], 'not-a-token')).toMatchObject({ code: 5, stderr: expect.stringContaining(`${started.url}/health refused the token`) });
  });

  it('with health.failReadinessOn: [jobs], the failing job fails /readyz (503) and /health answers 503 with the detail', async () => {
    const dir = writeHealthApp({ plugins: { payments: { source: PAYMENTS } }, health: '  failReadinessOn: [jobs]\n' });
    const started = await startHealthApp(dir);
    running.push(started.app);
    const ready = await started.until('/readyz', (a) => a.status === 503);
    expect(ready.body).toMatchObject({ status: 'fail', checks: { jobs: 'fail', kernel: 'ok', scheduler: 'ok' } });
    const health = await started.get('/health');
    expect(health.status).toBe(503);
    expect(health.body).toMatchObject({ status: 'not-ready', live: true, ready: false });
    expect(jobsCheck(health.body)).toMatchObject({ status: 'fail', detail: 'failing: payments:sync' });
    expect((await started.get('/livez')).status).toBe(200);

    const cli = await xcoreHealth(dir, started.url);
    expect(cli.code).toBe(7);
    expect(cli.stdout).toMatch(/^status +not-ready$/m);
    expect(cli.stdout).toMatch(/^ready +no$/m);
    expect(cli.stdout).toMatch(/^jobs +warning +fail +failing: payments:sync$/m);
  });
});

/** A plugin with one job every 300 ms. */
const REPORTS = `export default {
  async onStart(ctx) {
    await ctx.getService('scheduler').addJob(() => undefined, { id: 'daily', every: '300ms' });
  },
};
`;

describe('the deprecated health.overdueAfter', () => {
  it('is still accepted: used as services.scheduler.overdue.after, with a warning at boot that says where it moved', async () => {
    const started = await startHealthApp(writeHealthApp({ plugins: { reports: { source: REPORTS } }, health: '  overdueAfter: 90s\n' }));
    running.push(started.app);
    const warning = started.app.lines.find((l) => String(l.msg).startsWith('health.overdueAfter is deprecated'));
    expect(warning).toMatchObject({ level: 40, 'health.overdueAfter': 90_000, 'services.scheduler.overdue.after': 90_000 });
    expect(String(warning!.msg)).toContain('move it there');
    const health = await started.get('/health');
    expect(jobsCheck(health.body)).toMatchObject({ status: 'ok', data: { overdue: [], overdueAfterMs: 90_000 } });
  });
});
