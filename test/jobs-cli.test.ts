/**
 * The `xcore` commands that talk to a running host (`jobs`, `plugins`, `health`, `tail`), run
 * through the real built binary against a real `xcore start` (memory backend) on a free port:
 * tables and `--json` checked against what the admin API itself answers, the changes they make
 * seen through the API, and the exit codes of an unreachable host, a refused token and an unknown
 * job or plugin.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, type Answer } from '../packages/http/src/http.fixtures.js';
import { ADMIN_TOKENS as T, startAdminApp, writeAdminApp, type AdminApp } from './helpers/admin-app.js';
import { runXcore, runXcoreCommand, type XcoreProcess, type XcoreResult } from './helpers/cli-process.js';
import { parseTable } from './helpers/cli-table.js';
import { freePort } from './helpers/redis-server.js';
import { removeTempAppsAfterAll } from './helpers/cli-app.js';

removeTempAppsAfterAll();

const body = <T>(answer: Answer): T => answer.body as T;
const json = (value: unknown) => ({ headers: { 'content-type': 'application/json' }, body: JSON.stringify(value) });

interface ApiJob { id: string; owner: string; trigger: string; nextRunAt: string | null; paused: boolean; running: number; lastRun: { status: string } | null }

/** What a row of `xcore jobs ls` must show for a job as the API answers it (the README's column meanings). */
function expectedRow(job: ApiJob): Record<string, string> {
  const state = job.paused ? 'paused' : job.running > 0 ? `running (${job.running})` : job.nextRunAt === null ? 'done' : 'scheduled';
  return {
    ID: job.id,
    OWNER: job.owner,
    TRIGGER: job.trigger,
    'NEXT RUN (UTC)': job.nextRunAt === null ? '-' : `${job.nextRunAt.slice(0, 10)} ${job.nextRunAt.slice(11, 19)}`,
    'LAST RUN': job.lastRun === null ? '-' : expect.stringMatching(new RegExp(`^${job.lastRun.status} `)) as unknown as string,
    STATE: state,
  };
}

describe('xcore jobs, plugins, health and tail against xcore start (memory)', () => {
  let app: AdminApp;
  let host: XcoreProcess;
  let url: string;
  let admin: string;
  let ledger: string;
  const following: XcoreProcess[] = [];
  /** Runs the CLI in a folder below the app's (so it finds the host through the app's xcore.yaml). */
  const cli = (args: string[], env: Record<string, string> = {}): Promise<XcoreResult> => runXcoreCommand(args, { cwd: join(app.dir, 'plugins', 'billing'), env: { XCORE_TOKEN: T.admin, ...env } });
  const job = (id: string, rest = ''): string => `${admin}/jobs/${encodeURIComponent(id)}${rest}`;
  const ledgerArgs = (): unknown[][] => readFileSync(ledger, 'utf8').split('\n').filter((l) => l !== '').map((l) => (JSON.parse(l) as { args: unknown[] }).args);

  beforeAll(async () => {
    app = writeAdminApp({ port: await freePort(), basePath: '/ops' });
    ledger = join(app.dir, 'ledger.jsonl');
    writeFileSync(ledger, '');
    const started = await startAdminApp(app.dir, { LEDGER: ledger, BILLING_JOBS: '3' });
    host = started.app;
    url = started.url;
    admin = `${url}/admin/v1`;
  }, 60_000);

  afterAll(() => {
    for (const p of [...following, host]) p?.child.kill('SIGKILL');
  });

  it('jobs ls finds the host through xcore.yaml (port and basePath); its table and --json are what GET /jobs answers, page by page', async () => {
    const api = body<{ items: ApiJob[]; nextCursor: null }>(await call(`${admin}/jobs?limit=500`, { token: T.read }));
    expect(api.items).toHaveLength(8);
    const asJson = await cli(['jobs', 'ls', '--json', '--limit', '500']);
    expect([asJson.code, JSON.parse(asJson.stdout)]).toEqual([0, api]);
    const table = await cli(['jobs', 'ls', '--limit', '500']);
    expect(table.code).toBe(0);
    expect(parseTable(table.stdout)).toEqual(api.items.map(expectedRow));

    const first = await cli(['jobs', 'ls', '--limit', '3', '--json']);
    const apiFirst = body<{ items: ApiJob[]; nextCursor: string }>(await call(`${admin}/jobs?limit=3`, { token: T.read }));
    expect(JSON.parse(first.stdout)).toEqual(apiFirst);
    const firstTable = await cli(['jobs', 'ls', '--limit', '3']);
    expect(parseTable(firstTable.stdout).map((r) => r.ID)).toEqual(apiFirst.items.map((j) => j.id));
    expect(firstTable.stderr).toContain(`--cursor ${apiFirst.nextCursor}`);
    const second = await cli(['jobs', 'ls', '--limit', '3', '--cursor', apiFirst.nextCursor, '--json']);
    expect(JSON.parse(second.stdout)).toEqual(body(await call(`${admin}/jobs?limit=3&cursor=${apiFirst.nextCursor}`, { token: T.read })));
    const all = await cli(['jobs', 'ls', '--all', '--limit', '3', '--json']);
    expect(JSON.parse(all.stdout)).toEqual(api);
  }, 120_000);

  it('jobs ls passes owner, state, paused, failing and q to the API', async () => {
    await call(job('billing:bulk-0001', '/pause'), { method: 'POST', token: T.operate });
    await call(job('billing:charge', '/run'), { method: 'POST', token: T.operate, ...json({ wait: true }) });
    const ids = async (args: string[]): Promise<string[]> => (JSON.parse((await cli(['jobs', 'ls', '--json', ...args])).stdout) as { items: ApiJob[] }).items.map((j) => j.id);
    const apiIds = async (query: string): Promise<string[]> => body<{ items: ApiJob[] }>(await call(`${admin}/jobs?${query}`, { token: T.read })).items.map((j) => j.id);
    expect(await ids(['--paused'])).toEqual(['billing:bulk-0001']);
    expect(await ids(['--no-paused'])).toEqual(await apiIds('paused=false'));
    expect(await ids(['--state', 'paused'])).toEqual(['billing:bulk-0001']);
    expect(await ids(['--failing'])).toEqual(['billing:charge']);
    expect(await ids(['--owner', 'reports'])).toEqual(['reports:weekly']);
    expect(await ids(['--q', 'bulk', '--failing=false'])).toEqual(await apiIds('q=bulk&failing=false'));
    expect((await ids(['--q', 'bulk', '--failing=false'])).length).toBe(3);
    await call(job('billing:bulk-0001', '/resume'), { method: 'POST', token: T.operate });
  }, 120_000);

  it('jobs show and history print what the API answers; jobs run runs once with args and exits 7 when the run fails', async () => {
    const shown = await cli(['jobs', 'show', 'billing:sync', '--json']);
    expect(JSON.parse(shown.stdout)).toEqual(body(await call(job('billing:sync'), { token: T.read })));
    const fields = (await cli(['jobs', 'show', 'billing:sync'])).stdout;
    expect(fields).toMatch(/^id +billing:sync$/m);
    expect(fields).toMatch(/^owner +billing$/m);
    expect(fields).toMatch(/^args +\["own"\]$/m);

    const ran = await cli(['jobs', 'run', 'billing:sync', '--args', '["cli-1", 2]', '--wait', '--json']);
    expect(ran.code).toBe(0);
    expect(JSON.parse(ran.stdout)).toMatchObject({ jobId: 'billing:sync', status: 'finished', requestedBy: 'token:admin-bot', record: { status: 'succeeded', manual: true, requestedBy: 'token:admin-bot' } });
    expect(ledgerArgs().filter((a) => a[0] === 'cli-1')).toEqual([['cli-1', 2]]);
    const human = await cli(['jobs', 'run', 'billing:sync', '--args', '["cli-2"]', '--wait']);
    expect([human.code, human.stdout]).toEqual([0, expect.stringMatching(/^billing:sync ran in process .+: succeeded in \d+ms \(request [\w-]+\)\n$/)]);
    const failed = await cli(['jobs', 'run', 'billing:charge', '--wait']);
    expect([failed.code, failed.stdout]).toEqual([7, expect.stringContaining('failed')]);
    expect(failed.stdout).toContain('card declined');
    const queued = await cli(['jobs', 'run', 'billing:sync', '--args', '["cli-3"]', '--json']);
    const request = JSON.parse(queued.stdout) as { requestId: string; status: string };
    expect([queued.code, request.status]).toEqual([0, expect.stringMatching(/^(pending|running|finished)$/)]);
    expect(body(await call(`${admin}/runs/${request.requestId}?wait=20000`, { token: T.read }))).toMatchObject({ status: 'finished', record: { status: 'succeeded' } });
    expect(ledgerArgs().filter((a) => a[0] === 'cli-3')).toHaveLength(1);

    const history = await cli(['jobs', 'history', 'billing:sync', '--json']);
    const apiHistory = body<{ items: { status: string; requestedBy?: string }[] }>(await call(job('billing:sync', '/history'), { token: T.read }));
    expect(JSON.parse(history.stdout)).toEqual(apiHistory);
    expect(apiHistory.items).toHaveLength(3);
    const rows = parseTable((await cli(['jobs', 'history', 'billing:sync'])).stdout);
    expect(rows.map((r) => [r.STATUS, r.BY])).toEqual(apiHistory.items.map((r) => [r.status, r.requestedBy]));
    const paged = await cli(['jobs', 'history', 'billing:sync', '--limit', '2']);
    expect(parseTable(paged.stdout)).toHaveLength(2);
    expect(paged.stderr).toMatch(/Older runs: add --cursor \S+/);

    // Run-log filters go to GET /runs (here without a run log: the job's history, filtered).
    const api = async (query: string) => body<{ source: string; items: { jobId: string; outcome: string; manual: boolean }[] }>(await call(`${admin}/runs?${query}`, { token: T.read }));
    const failedRuns = await cli(['jobs', 'history', 'billing:charge', '--outcome', 'failed', '--json']);
    const apiFailed = await api('job=billing:charge&outcome=failed');
    expect([failedRuns.code, JSON.parse(failedRuns.stdout)]).toEqual([0, apiFailed]);
    expect(apiFailed.items.length).toBeGreaterThan(0);
    expect(apiFailed.items.every((r) => r.outcome === 'failed')).toBe(true);
    expect(JSON.parse((await cli(['jobs', 'history', 'billing:sync', '--manual', '--since', '2020-01-01T00:00:00Z', '--json'])).stdout)).toEqual(await api('job=billing:sync&manual=true&from=2020-01-01T00:00:00Z'));
    const none = await cli(['jobs', 'history', 'billing:sync', '--outcome', 'timed_out']);
    expect([none.code, parseTable(none.stdout), none.stderr]).toEqual([0, [], 'No runs of billing:sync recorded that match.\n']);
    const badOutcome = await cli(['jobs', 'history', 'billing:sync', '--outcome', 'exploded']);
    expect([badOutcome.code, badOutcome.stderr]).toEqual([1, expect.stringContaining('XCORE_ERR_HTTP_VALIDATION')]);
  }, 120_000);

  it('pause, resume, reschedule and rm change what the API shows; a refused remove exits 1 with the host\'s code', async () => {
    const apiJob = async (id: string) => body<{ paused: boolean; triggerSpec: unknown }>(await call(job(id), { token: T.read }));
    expect(await cli(['jobs', 'pause', 'billing:bulk-0002'])).toMatchObject({ code: 0, stdout: 'billing:bulk-0002 paused\n' });
    expect((await apiJob('billing:bulk-0002')).paused).toBe(true);
    expect((await cli(['jobs', 'resume', 'billing:bulk-0002'])).code).toBe(0);
    expect((await apiJob('billing:bulk-0002')).paused).toBe(false);
    expect((await cli(['jobs', 'reschedule', 'billing:bulk-0002', '--every', '5m'])).stdout).toMatch(/^billing:bulk-0002 rescheduled: every 5m; next run /);
    expect((await apiJob('billing:bulk-0002')).triggerSpec).toEqual({ type: 'interval', milliseconds: 300_000 });
    await cli(['jobs', 'reschedule', 'billing:bulk-0002', '--cron', '0 9 * * 1-5', '--timezone', 'Europe/Berlin']);
    expect((await apiJob('billing:bulk-0002')).triggerSpec).toEqual({ type: 'cron', expression: '0 9 * * 1-5', timezone: 'Europe/Berlin' });
    const at = await cli(['jobs', 'reschedule', 'billing:bulk-0002', '--at', '2030-01-01T09:00:00Z', '--json']);
    expect(JSON.parse(at.stdout)).toMatchObject({ triggerSpec: { type: 'date', runDate: '2030-01-01T09:00:00.000Z' }, nextRunAt: '2030-01-01T09:00:00.000Z' });
    const badCron = await cli(['jobs', 'reschedule', 'billing:bulk-0002', '--cron', 'bad']);
    expect([badCron.code, badCron.stderr]).toEqual([1, expect.stringContaining('XCORE_ERR_HTTP_VALIDATION')]);

    expect(await cli(['jobs', 'rm', 'billing:cleanup'])).toMatchObject({ code: 0, stdout: 'billing:cleanup removed\n' });
    expect((await call(job('billing:cleanup'), { token: T.read })).status).toBe(404);
    const refused = await cli(['jobs', 'rm', 'billing:sync']);
    expect([refused.code, refused.stderr]).toEqual([1, expect.stringContaining('409 XCORE_ERR_JOB_REMOVE_REFUSED')]);
    expect((await call(job('billing:sync'), { token: T.read })).status).toBe(200);
  }, 120_000);

  it('plugins ls and reload; health reads /health, and a failed plugin is a warning there (exit 7 only with --strict)', async () => {
    const listed = await cli(['plugins', 'ls', '--json']);
    expect(JSON.parse(listed.stdout)).toEqual(body(await call(`${admin}/plugins`, { token: T.read })));
    const apiPlugins = body<{ items: { name: string; version: string; state: string }[] }>(await call(`${admin}/plugins`, { token: T.read })).items;
    expect(apiPlugins.map((p) => p.name).sort()).toEqual(['billing', 'dash', 'reports']);
    expect(parseTable((await cli(['plugins', 'ls'])).stdout).map((r) => [r.NAME, r.VERSION, r.STATE])).toEqual(apiPlugins.map((p) => [p.name, p.version, p.state]));
    expect(await cli(['plugins', 'reload', 'dash'])).toMatchObject({ code: 0, stdout: expect.stringMatching(/^dash reloaded: started/) });

    // xcore health reads the host's /health: its JSON, and exit 0 while the host is ready.
    const health = await cli(['health', '--json']);
    const report = JSON.parse(health.stdout) as { status: string; ready: boolean; checks: { name: string; status: string; detail?: string }[] };
    const direct = body<{ status: string; checks: { name: string }[] }>(await call(`${url}/health`, { token: T.read }));
    expect([health.code, report.ready, report.status]).toEqual([0, true, direct.status]);
    expect(report.checks.map((c) => c.name)).toEqual(direct.checks.map((c) => c.name));
    expect((await cli(['health'])).stdout).toMatch(new RegExp(`^status +${direct.status}$`, 'm'));

    app.writePlugin('dash', 'export default { onStart() { throw new Error("dash is broken"); } };');
    const reload = await cli(['plugins', 'reload', 'dash']);
    expect([reload.code, reload.stderr]).toEqual([1, expect.stringContaining('XCORE_ERR_PLUGIN_RELOAD_FAILED')]);
    // A failed plugin is a warning (the host stays ready): exit 0, or 7 with --strict.
    const sick = await cli(['health']);
    expect([sick.code, sick.stdout]).toEqual([0, expect.stringMatching(/^status +warn$/m)]);
    expect(sick.stdout).toMatch(/^plugins +warning +warn +.*dash.*$/m);
    expect((await cli(['health', '--strict'])).code).toBe(7);
    app.writePlugin('dash', 'export default {};');
    expect((await cli(['plugins', 'reload', 'dash'])).code).toBe(0);
    expect((await cli(['health'])).stdout).not.toMatch(/^plugins +warning +warn/m);
  }, 120_000);

  it('exit codes: 4 unreachable (naming the URL and where it came from), 5 refused token, 6 unknown job or plugin, 2 bad usage', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const down = await cli(['jobs', 'ls', '--url', closed]);
    expect([down.code, down.stderr]).toEqual([4, expect.stringContaining(`Cannot reach the xcore host at ${closed}/admin/v1/jobs (from --url): connection refused`)]);
    const fromEnv = await cli(['health'], { XCORE_URL: closed });
    expect([fromEnv.code, fromEnv.stderr]).toEqual([4, expect.stringContaining('(from XCORE_URL)')]);
    const noBase = await cli(['jobs', 'ls', '--url', url.replace(/\/ops$/, '')]);
    expect([noBase.code, noBase.stderr]).toEqual([4, expect.stringContaining('not the xcore admin API')]);
    const asJson = await cli(['jobs', 'ls', '--url', closed, '--json']);
    expect(JSON.parse(asJson.stderr)).toEqual({ error: { code: 'XCORE_ERR_CLI_HOST_UNREACHABLE', message: expect.stringContaining(closed), exitCode: 4 } });

    const none = await cli(['jobs', 'ls'], { XCORE_TOKEN: '' });
    expect([none.code, none.stderr]).toEqual([5, expect.stringContaining('needs a token (401) and none was given')]);
    const wrong = await cli(['jobs', 'ls', '--token', 'not-a-token-the-host-knows']);
    expect([wrong.code, wrong.stderr]).toEqual([5, expect.stringContaining('refused the token from --token (401)')]);
    const scope = await cli(['jobs', 'pause', 'billing:sync'], { XCORE_TOKEN: T.read });
    expect([scope.code, scope.stderr]).toEqual([5, expect.stringContaining('refused the token from XCORE_TOKEN (403)')]);
    expect(body<{ paused: boolean }>(await call(job('billing:sync'), { token: T.read })).paused).toBe(false);

    const unknown = await cli(['jobs', 'show', 'billing:nope']);
    expect([unknown.code, unknown.stderr]).toEqual([6, expect.stringContaining('No job "billing:nope" on the host')]);
    expect(unknown.stderr).toContain('xcore jobs ls');
    expect(unknown.stderr).not.toContain('Did you mean');
    const typo = await cli(['jobs', 'run', 'billing:synk']);
    expect([typo.code, typo.stderr]).toEqual([6, expect.stringContaining('Did you mean "billing:sync"?')]);
    for (const args of [['jobs', 'run', 'nope'], ['jobs', 'history', 'nope'], ['jobs', 'pause', 'nope'], ['jobs', 'rm', 'nope']]) expect((await cli(args)).code).toBe(6);
    const plugin = await cli(['plugins', 'reload', 'nope', '--json']);
    expect([plugin.code, JSON.parse(plugin.stderr)]).toEqual([6, { error: { code: 'XCORE_ERR_CLI_NOT_FOUND', message: expect.stringContaining('xcore plugins ls'), exitCode: 6 } }]);

    for (const args of [['jobs', 'ls', '--limit', '0'], ['jobs', 'frob'], ['jobs', 'show'], ['jobs', 'run', 'x', '--args', '{}'], ['jobs', 'reschedule', 'x'], ['jobs', 'ls', '--paused=maybe']]) {
      const usage = await cli(args);
      expect([args, usage.code]).toEqual([args, 2]);
    }
  }, 180_000);

  it('narrow terminals get truncated columns, pipes the full values', async () => {
    const ids = body<{ items: ApiJob[] }>(await call(`${admin}/jobs`, { token: T.read })).items.map((j) => j.id);
    for (const width of [100, 60]) {
      const narrow = await cli(['jobs', 'ls'], { COLUMNS: String(width) });
      const lines = narrow.stdout.trimEnd().split('\n');
      expect(lines.every((l) => l.length <= width), `${width}:\n${narrow.stdout}`).toBe(true);
      // The id and state stay; the optional columns go first (last run, trigger, owner).
      expect(parseTable(narrow.stdout).map((r) => [r.ID, r.STATE]), narrow.stdout).toEqual(ids.map((id) => [id, 'scheduled']));
    }
    const tiny = await cli(['jobs', 'ls'], { COLUMNS: '40' });
    expect(tiny.stdout.trimEnd().split('\n').every((l) => l.length <= 40), tiny.stdout).toBe(true);
    expect(tiny.stdout).toContain('billing:bul…');
    const piped = await cli(['jobs', 'ls']);
    expect(piped.stdout).toContain('billing:bulk-0000');
    expect(piped.stdout).not.toContain('…');
    expect(piped.stdout).not.toContain('\x1b[');
  }, 60_000);

  it('tail follows the event stream (--json, one event a line) and ends with 0 on SIGINT', async () => {
    const tail = runXcore(['tail', '--json', '--types', 'job.*'], { cwd: app.dir, env: { XCORE_TOKEN: T.read } });
    following.push(tail);
    await expect.poll(() => tail.stderr(), { timeout: 30_000 }).toContain('following events of');
    await call(job('billing:bulk-0000', '/pause'), { method: 'POST', token: T.operate });
    const paused = await tail.waitFor((l) => l.type === 'job.paused', 30_000);
    expect(paused).toMatchObject({ id: expect.any(String), type: 'job.paused', data: { type: 'job.paused', jobId: 'billing:bulk-0000', owner: 'billing' } });
    await call(job('billing:bulk-0000', '/resume'), { method: 'POST', token: T.operate });
    await tail.waitFor((l) => l.type === 'job.resumed', 30_000);
    tail.child.kill('SIGINT');
    expect(await tail.exited).toBe(0);
  }, 90_000);

  it('jobs ls --watch draws the listing again when an event says a job changed', async () => {
    const watch = runXcore(['jobs', 'ls', '--watch', '--json', '--q', 'bulk-0000'], { cwd: app.dir, env: { XCORE_TOKEN: T.read } });
    following.push(watch);
    const page = (l: Record<string, unknown>): { id: string; paused: boolean }[] => (l.items as { id: string; paused: boolean }[] | undefined) ?? [];
    await watch.waitFor((l) => page(l)[0]?.paused === false, 30_000);
    // Once the stream is open (the first listing comes before it), a pause is redrawn.
    await expect.poll(() => watch.stderr(), { timeout: 30_000 }).toContain('watching the event stream of');
    await call(job('billing:bulk-0000', '/pause'), { method: 'POST', token: T.operate });
    await watch.waitFor((l) => page(l)[0]?.paused === true, 30_000);
    await call(job('billing:bulk-0000', '/resume'), { method: 'POST', token: T.operate });
    const lines = watch.lines.length;
    await watch.waitFor((l) => page(l)[0]?.paused === false && watch.lines.indexOf(l) >= lines, 30_000);
    watch.child.kill('SIGINT');
    expect(await watch.exited).toBe(0);
    expect(watch.lines.every((l) => page(l).every((j) => j.id === 'billing:bulk-0000'))).toBe(true);
  }, 90_000);
});


describe('xcore plugins ls against an https host', () => {
  const fixture = (name: string): string => fileURLToPath(new URL(`../packages/http/src/server/fixtures/${name}`, import.meta.url));
  let host: XcoreProcess | undefined;
  afterAll(() => {
    host?.child.kill('SIGKILL');
  });

  it('trusts the certificate services.http.tls names; with only --url a self-signed one is refused (exit 4) unless NODE_EXTRA_CA_CERTS adds it', async () => {
    const port = await freePort();
    const app = writeAdminApp({ port, tls: { cert: fixture('localhost.crt'), key: fixture('localhost.key') } });
    const started = await startAdminApp(app.dir);
    host = started.app;
    expect(started.url).toBe(`https://127.0.0.1:${port}`);
    const cli = (args: string[], env: Record<string, string> = {}) => runXcoreCommand(args, { cwd: app.dir, env: { XCORE_TOKEN: T.read, ...env } });
    const viaConfig = await cli(['plugins', 'ls', '--json']);
    expect([viaConfig.code, viaConfig.stderr]).toEqual([0, '']);
    expect((JSON.parse(viaConfig.stdout) as { items: { name: string }[] }).items.map((p) => p.name).sort()).toEqual(['billing', 'dash', 'reports']);
    const untrusted = await cli(['plugins', 'ls', '--url', started.url]);
    expect([untrusted.code, untrusted.stderr]).toEqual([4, expect.stringContaining('certificate is not trusted')]);
    expect(untrusted.stderr).toContain('NODE_EXTRA_CA_CERTS');
    const extra = await cli(['plugins', 'ls', '--url', started.url, '--json'], { NODE_EXTRA_CA_CERTS: fixture('localhost.crt') });
    expect(extra.code, extra.stderr).toBe(0);
    expect(JSON.parse(extra.stdout)).toEqual(JSON.parse(viaConfig.stdout));
    const plain = await cli(['plugins', 'ls', '--url', `http://127.0.0.1:${port}`]);
    expect(plain.code).toBe(4);
  }, 90_000);
});
