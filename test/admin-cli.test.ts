/**
 * The admin API through the real `xcore start` (built CLI, child process, free port), on the
 * memory backend and on a real redis-server: every scheduler, job and plugin route's happy path
 * and errors, writes refused by
 * scope changing nothing, the event stream delivering a pause, plugin reloads that work, are
 * refused and fail, and what a failed plugin's jobs allow (run refused, remove allowed).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { call, expectError, type Answer } from '../packages/http/src/http.fixtures.js';
import { ADMIN_TOKENS as T, FAR_FUTURE, startAdminApp, writeAdminApp } from './helpers/admin-app.js';
import type { XcoreProcess } from './helpers/cli-process.js';
import { redisUnavailable, startRedisServer, type RedisServer } from './helpers/redis-server.js';
import { removeTempAppsAfterAll } from './helpers/cli-app.js';

removeTempAppsAfterAll();

const running: XcoreProcess[] = [];
afterEach(() => {
  for (const p of running.splice(0)) p.child.kill('SIGKILL');
});
let redis: RedisServer | undefined;
afterAll(async () => {
  await redis?.stop();
});

const json = (body: unknown) => ({ headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const body = <T>(answer: Answer): T => answer.body as T;

type Backend = 'memory' | 'redis';
const BACKENDS: Backend[] = redisUnavailable({ needBinary: true }) ? ['memory'] : ['memory', 'redis'];

async function boot(backend: Backend, env: Record<string, string> = {}) {
  const app = writeAdminApp(backend === 'redis' ? { redisUrl: redis!.url, prefix: `cli-${randomUUID().slice(0, 8)}` } : {});
  const ledger = join(app.dir, 'ledger.jsonl');
  writeFileSync(ledger, '');
  const started = await startAdminApp(app.dir, { LEDGER: ledger, ...env });
  running.push(started.app);
  const admin = `${started.url}/admin/v1`;
  const job = (id: string, rest = ''): string => `${admin}/jobs/${encodeURIComponent(id)}${rest}`;
  const ledgerLines = (): { job: string; args: unknown[] }[] => readFileSync(ledger, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as { job: string; args: unknown[] });
  return { ...started, app, process: started.app, admin, job, ledgerLines };
}

describe.each(BACKENDS)('admin API through xcore start (%s)', (backend) => {
  beforeAll(async () => {
    if (backend === 'redis') redis ??= await startRedisServer();
  });

  it('reads: scheduler state, job pages with filters, a job, its history; errors have the shape', async () => {
    const { admin, job } = await boot(backend, { BILLING_JOBS: '3' });
    expect(body(await call(`${admin}/scheduler`, { token: T.read }))).toMatchObject({
      backend, degraded: null, firing: true, processes: 1, counts: { jobs: 8, paused: 0, failing: 0, running: 0 }, runningScope: backend === 'redis' ? 'cluster' : 'process',
    });
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: { id: string }[]; nextCursor: string | null } = body(await call(`${admin}/jobs?limit=3${cursor === null ? '' : `&cursor=${cursor}`}`, { token: T.read }));
      expect(page.items.length).toBeLessThanOrEqual(3);
      ids.push(...page.items.map((j) => j.id));
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(ids).toEqual(['billing:bulk-0000', 'billing:bulk-0001', 'billing:bulk-0002', 'billing:charge', 'billing:cleanup', 'billing:sync', 'nightly', 'reports:weekly']);
    expect(body<{ items: { id: string }[] }>(await call(`${admin}/jobs?owner=config`, { token: T.read })).items.map((j) => j.id)).toEqual(['nightly']);
    expect(body<{ items: { id: string }[] }>(await call(`${admin}/jobs?q=bulk-0001`, { token: T.read })).items.map((j) => j.id)).toEqual(['billing:bulk-0001']);
    expect(body(await call(job('reports:weekly'), { token: T.read }))).toMatchObject({
      id: 'reports:weekly', owner: 'reports', trigger: `cron "0 9 * * 1" (UTC) from ${FAR_FUTURE}`, triggerSpec: { type: 'cron', expression: '0 9 * * 1', timezone: 'UTC', startDate: FAR_FUTURE }, attached: true, paused: false, lastRun: null,
    });
    expect(body(await call(job('billing:sync', '/history'), { token: T.read }))).toEqual({ items: [], nextCursor: null });
    expectError(await call(job('billing:nope'), { token: T.read }), 404, 'XCORE_ERR_JOB_NOT_FOUND');
    expectError(await call(job('billing:nope', '/history'), { token: T.read }), 404, 'XCORE_ERR_JOB_NOT_FOUND');
    expectError(await call(`${admin}/jobs?limit=501`, { token: T.read }), 400, 'XCORE_ERR_HTTP_VALIDATION');
    expectError(await call(`${admin}/jobs?cursor=abc`, { token: T.read }), 400, 'XCORE_ERR_JOB_QUERY_INVALID');
    expectError(await call(`${admin}/scheduler`), 401, 'XCORE_ERR_HTTP_UNAUTHENTICATED');
  });

  it('acts: run now (queued and waited, alias too), pause, resume, reschedule, remove where allowed; audit lines name who did what', async () => {
    const { admin, job, ledgerLines, url, process } = await boot(backend);
    const queued = await call(job('billing:sync', '/run'), { method: 'POST', token: T.operate, ...json({ args: ['from-api'] }) });
    expect(queued.status).toBe(202);
    const { requestId } = body<{ requestId: string }>(queued);
    expect(body(await call(`${url}${queued.headers.get('location')!}?wait=10000`, { token: T.read }))).toMatchObject({
      status: 'finished', record: { status: 'succeeded', manual: true, requestedBy: 'token:operate-bot', requestId },
    });
    const failed = await call(job('billing:charge', '/run'), { method: 'POST', token: T.operate, ...json({ wait: true }) });
    expect([failed.status, body<{ record: { status: string; error: string } }>(failed).record]).toMatchObject([200, { status: 'failed', error: 'card declined' }]);
    const alias = await call(`${url}/scheduler/run/nightly`, { method: 'POST', token: T.operate, ...json({ wait: true }) });
    expect(body(alias)).toMatchObject({ status: 'finished', record: { status: 'succeeded' } });
    expect(ledgerLines()).toEqual([{ job: 'billing:sync', args: ['from-api'], pid: expect.any(Number) }, { job: 'nightly', args: [], pid: expect.any(Number) }]);
    expect(body<{ items: { status: string }[] }>(await call(job('billing:charge', '/history'), { token: T.read })).items).toEqual([expect.objectContaining({ status: 'failed', requestedBy: 'token:operate-bot' })]);
    expect(body<{ items: { id: string }[] }>(await call(`${admin}/jobs?failing=true`, { token: T.read })).items.map((j) => j.id)).toEqual(['billing:charge']);

    expect(body(await call(job('billing:sync', '/pause'), { method: 'POST', token: T.operate }))).toMatchObject({ paused: true });
    expect(body<{ items: { id: string }[] }>(await call(`${admin}/jobs?state=paused`, { token: T.read })).items.map((j) => j.id)).toEqual(['billing:sync']);
    expect(body(await call(job('billing:sync', '/resume'), { method: 'POST', token: T.operate }))).toMatchObject({ paused: false });
    expect(body(await call(job('billing:sync', '/trigger'), { method: 'PUT', token: T.operate, ...json({ type: 'cron', expression: '*/10 * * * *', timezone: 'Europe/Berlin' }) }))).toMatchObject({
      trigger: 'cron "*/10 * * * *" (Europe/Berlin)',
    });
    expectError(await call(job('billing:sync', '/trigger'), { method: 'PUT', token: T.operate, ...json({ type: 'cron', expression: '*/10 * * * *', timezone: 'Mars/Olympus' }) }), 400, 'XCORE_ERR_HTTP_VALIDATION');
    expectError(await call(job('billing:sync'), { method: 'DELETE', token: T.admin }), 409, 'XCORE_ERR_JOB_REMOVE_REFUSED');
    expectError(await call(job('nightly'), { method: 'DELETE', token: T.admin }), 409, 'XCORE_ERR_JOB_REMOVE_REFUSED');
    expect((await call(job('billing:cleanup'), { method: 'DELETE', token: T.admin })).status).toBe(204);
    expectError(await call(job('billing:cleanup'), { token: T.read }), 404, 'XCORE_ERR_JOB_NOT_FOUND');

    // The host's stdout reaches this process through a pipe, after the answers: wait for the lines.
    const audits = (): string[] => process.lines
      .filter((l) => l.msg === 'audit')
      .map((l) => l.audit as { action: string; target: string; result: string; actor: { subject: string } })
      .map((a) => `${a.actor.subject} ${a.action} ${a.target} ${a.result}`);
    await vi.waitFor(() => expect(audits()).toEqual([
      'operate-bot job.run billing:sync ok', 'operate-bot job.run billing:charge ok', 'operate-bot job.run nightly ok',
      'operate-bot job.pause billing:sync ok', 'operate-bot job.resume billing:sync ok', 'operate-bot job.reschedule billing:sync ok',
      'operate-bot job.reschedule billing:sync rejected', 'admin-bot job.remove billing:sync rejected', 'admin-bot job.remove nightly rejected',
      'admin-bot job.remove billing:cleanup ok',
    ]), { timeout: 10_000, interval: 50 });
  });

  it('refuses every write without its scope with 403 and changes nothing', async () => {
    const { admin, job, url, ledgerLines } = await boot(backend);
    const before = body(await call(`${admin}/jobs`, { token: T.read }));
    const writes: [string, string, unknown, readonly string[]][] = [
      ['POST', job('billing:sync', '/run'), { args: [1] }, [T.read]],
      ['POST', `${url}/scheduler/run/${encodeURIComponent('billing:sync')}`, undefined, [T.read]],
      ['POST', job('billing:sync', '/pause'), undefined, [T.read]],
      ['POST', job('billing:sync', '/resume'), undefined, [T.read]],
      ['PUT', job('billing:sync', '/trigger'), { type: 'interval', seconds: 1 }, [T.read]],
      ['DELETE', job('billing:cleanup'), undefined, [T.read, T.operate]],
      ['POST', `${admin}/plugins/reports/reload`, undefined, [T.read, T.operate]],
    ];
    for (const [method, target, payload, tokens] of writes) {
      for (const token of tokens) expectError(await call(target, { method, token, ...(payload === undefined ? {} : json(payload)) }), 403, 'XCORE_ERR_HTTP_FORBIDDEN');
      expectError(await call(target, { method }), 401, 'XCORE_ERR_HTTP_UNAUTHENTICATED');
    }
    expect(body(await call(`${admin}/jobs`, { token: T.read }))).toEqual(before);
    expect(ledgerLines()).toEqual([]);
    expect(body<{ items: { name: string; startMs: number }[] }>(await call(`${admin}/plugins`, { token: T.read })).items.find((p) => p.name === 'reports')).toMatchObject({ state: 'started' });
  });

  it('streams a pause made through the API to an SSE client', async () => {
    const { admin, job } = await boot(backend);
    const controller = new AbortController();
    const response = await fetch(`${admin}/events?owner=billing&types=job.*`, { headers: { authorization: `Bearer ${T.read}` }, signal: controller.signal });
    expect([response.status, response.headers.get('content-type')]).toEqual([200, 'text/event-stream; charset=utf-8']);
    const reader = response.body!.getReader();
    let text = '';
    const until = async (pattern: RegExp): Promise<RegExpExecArray> => {
      for (;;) {
        const found = pattern.exec(text);
        if (found) return found;
        const { value, done } = await reader.read();
        if (done) throw new Error(`the stream ended before ${pattern}: ${text}`);
        text += new TextDecoder().decode(value);
      }
    };
    await until(/: connected/);
    await call(job('reports:weekly', '/pause'), { method: 'POST', token: T.operate });
    await call(job('billing:sync', '/pause'), { method: 'POST', token: T.operate });
    const [, id, data] = await until(/id: (\d+)\nevent: job\.paused\ndata: (.*)\n\n/);
    expect(Number(id)).toBeGreaterThan(0);
    expect(JSON.parse(data!)).toMatchObject({ type: 'job.paused', jobId: 'billing:sync', owner: 'billing' });
    expect(text).not.toContain('reports:weekly');
    controller.abort();
  });

  it('lists plugins, reloads one, refuses a reload with started dependents, reports a failed reload; a failed plugin\'s job cannot run but can be removed', async () => {
    const { admin, job, app } = await boot(backend);
    const plugins = body<{ items: { name: string; state: string; error: unknown }[] }>(await call(`${admin}/plugins`, { token: T.read }));
    expect(plugins.items.map((p) => [p.name, p.state, p.error])).toEqual([['billing', 'started', null], ['reports', 'started', null], ['dash', 'started', null]]);
    expect(body(await call(`${admin}/plugins/dash`, { token: T.read }))).toMatchObject({ name: 'dash', version: '1.0.0', dependencies: { reports: '^1.0.0' } });
    expectError(await call(`${admin}/plugins/ghost`, { token: T.read }), 404, 'XCORE_ERR_PLUGIN_UNKNOWN');
    expectError(await call(`${admin}/plugins/ghost/reload`, { method: 'POST', token: T.admin }), 404, 'XCORE_ERR_PLUGIN_UNKNOWN');
    const refused = expectError(await call(`${admin}/plugins/reports/reload`, { method: 'POST', token: T.admin }), 409, 'XCORE_ERR_PLUGIN_RELOAD_REFUSED');
    expect(refused.message).toContain('plugins that depend on it are started (dash)');
    expect(body(await call(`${admin}/plugins/billing/reload`, { method: 'POST', token: T.admin }))).toMatchObject({ name: 'billing', state: 'started', error: null });

    app.writePlugin('billing', 'export default { onStart() { throw new Error("billing v2 is broken"); } };');
    const broken = expectError(await call(`${admin}/plugins/billing/reload`, { method: 'POST', token: T.admin }), 409, 'XCORE_ERR_PLUGIN_RELOAD_FAILED');
    expect(broken.message).toContain('billing v2 is broken');
    expect(body(await call(`${admin}/plugins/billing`, { token: T.read }))).toMatchObject({ state: 'failed', error: { code: 'XCORE_ERR_PLUGIN_HOOK_FAILED', message: expect.stringContaining('billing v2 is broken') } });
    expect(body(await call(job('billing:sync'), { token: T.read }))).toMatchObject({ attached: false, heldBy: [] });
    const cannotRun = expectError(await call(job('billing:sync', '/run'), { method: 'POST', token: T.operate }), 409, 'XCORE_ERR_JOB_RUN_REFUSED');
    expect(cannotRun.message).toContain('plugin "billing" runs in no process sharing the store');
    expect((await call(job('billing:sync'), { method: 'DELETE', token: T.admin })).status).toBe(204);
    expectError(await call(`${admin}/plugins/billing/reload`, { method: 'POST', token: T.operate }), 403, 'XCORE_ERR_HTTP_FORBIDDEN');
  });
});
