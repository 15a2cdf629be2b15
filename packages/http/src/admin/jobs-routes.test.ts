/**
 * The admin API's scheduler routes over real HTTP on a free port, against a real scheduler on the
 * memory store: every route's answer and errors, scopes refused with 403 changing nothing, the
 * audit line of each write, the event stream delivering a pause, the OpenAPI document.
 */
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryStore, Scheduler } from '@xcore/scheduler';
import { call, expectError, startServer, TOKENS, type TestServer } from '../http.fixtures.js';

const HOUR = 3_600_000;
let scheduler: Scheduler;
let host: TestServer;
const ran: unknown[][] = [];

beforeEach(async () => {
  ran.length = 0;
  scheduler = new Scheduler({ store: new MemoryStore(), logger: pino({ level: 'silent' }), owner: 'proc-1' });
  // Run only when asked: without a startDate an hourly interval also fires on the hour (UTC), the cron at 09:00.
  const startDate = new Date(Date.now() + HOUR);
  await scheduler.addJob((ctx) => void ran.push([...ctx.args]), { id: 'billing:sync', every: HOUR, startDate, args: ['own'] });
  await scheduler.addJob(() => undefined, { id: 'report', cron: '0 9 * * *', startDate, removable: true });
  await scheduler.addJob(() => {
    throw new Error('boom');
  }, { id: 'flaky', every: HOUR, startDate });
  scheduler.startFiring();
  host = await startServer({}, { getService: ((name: string) => (name === 'scheduler' ? scheduler : undefined)) as never, keepAliveMs: 200 });
});
afterEach(async () => {
  await host.close();
  await scheduler.stop({ deadlineMs: 1000 });
});

const job = (id: string, rest = ''): string => `${host.url}/admin/v1/jobs/${encodeURIComponent(id)}${rest}`;
const json = (body: unknown) => ({ headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('admin job routes', () => {
  it('lists the next run times of a job from its trigger, for paused jobs as if resumed now', async () => {
    const detail = (await call(job('report'), { token: TOKENS.read })).body as { nextRunAt: string };
    const first = Date.parse(detail.nextRunAt);
    expect(new Date(first).toISOString().slice(11)).toBe('09:00:00.000Z');
    const next = await call(job('report', '/next?count=5'), { token: TOKENS.read });
    expect(next.body).toEqual({ items: [0, 1, 2, 3, 4].map((d) => new Date(first + d * 24 * HOUR).toISOString()), paused: false });
    expect(((await call(job('report', '/next'), { token: TOKENS.read })).body as { items: unknown[] }).items).toHaveLength(5);

    await call(job('billing:sync', '/pause'), { method: 'POST', token: TOKENS.operate });
    const before = Date.now();
    const paused = (await call(job('billing:sync', '/next?count=2'), { token: TOKENS.read })).body as { items: string[]; paused: boolean };
    expect(paused.paused).toBe(true);
    const [a, b] = paused.items.map((t) => Date.parse(t)) as [number, number];
    expect(a).toBeGreaterThan(before);
    expect(a).toBeLessThanOrEqual(Date.now() + HOUR);
    expect(b - a).toBe(HOUR);

    expectError(await call(job('report', '/next?count=0'), { token: TOKENS.read }), 400, 'XCORE_ERR_HTTP_VALIDATION');
    expectError(await call(job('report', '/next?count=101'), { token: TOKENS.read }), 400, 'XCORE_ERR_HTTP_VALIDATION');
    expectError(await call(job('ghost', '/next'), { token: TOKENS.read }), 404, 'XCORE_ERR_JOB_NOT_FOUND');
    expectError(await call(job('report', '/next')), 401, 'XCORE_ERR_HTTP_UNAUTHENTICATED');
  });

  it('lists, gets and pages history, with the query validated', async () => {
    const page = await call(`${host.url}/admin/v1/jobs?limit=2`, { token: TOKENS.read });
    expect(page.status).toBe(200);
    const body = page.body as { items: { id: string }[]; nextCursor: string };
    expect(body.items.map((j) => j.id)).toEqual(['billing:sync', 'flaky']);
    const rest = await call(`${host.url}/admin/v1/jobs?limit=2&cursor=${body.nextCursor}`, { token: TOKENS.read });
    expect(rest.body).toMatchObject({ items: [{ id: 'report', owner: 'app', removable: true, triggerSpec: { type: 'cron', expression: '0 9 * * *', timezone: 'UTC' } }], nextCursor: null });
    expect((await call(`${host.url}/admin/v1/jobs?q=ill&owner=app`, { token: TOKENS.read })).body).toMatchObject({ items: [{ id: 'billing:sync' }] });

    const detail = await call(job('billing:sync'), { token: TOKENS.read });
    expect(detail.body).toMatchObject({ id: 'billing:sync', args: ['own'], attached: true, heldBy: ['proc-1'], policy: { maxInstances: 1 } });
    expectError(await call(job('ghost'), { token: TOKENS.read }), 404, 'XCORE_ERR_JOB_NOT_FOUND');
    expectError(await call(`${host.url}/admin/v1/jobs?limit=0`, { token: TOKENS.read }), 400, 'XCORE_ERR_HTTP_VALIDATION');
    expectError(await call(`${host.url}/admin/v1/jobs?state=sleeping`, { token: TOKENS.read }), 400, 'XCORE_ERR_HTTP_VALIDATION');
    expectError(await call(`${host.url}/admin/v1/jobs?paused=yes`, { token: TOKENS.read }), 400, 'XCORE_ERR_HTTP_VALIDATION');
    expectError(await call(`${host.url}/admin/v1/jobs?cursor=bogus`, { token: TOKENS.read }), 400, 'XCORE_ERR_JOB_QUERY_INVALID');
    expectError(await call(`${host.url}/admin/v1/jobs?sort=id`, { token: TOKENS.read }), 400, 'XCORE_ERR_HTTP_VALIDATION');
    expectError(await call(`${host.url}/admin/v1/jobs`), 401, 'XCORE_ERR_HTTP_UNAUTHENTICATED');

    for (let i = 0; i < 3; i++) await call(job('flaky', '/run'), { method: 'POST', token: TOKENS.operate, ...json({ wait: true }) });
    const first = (await call(job('flaky', '/history?limit=2'), { token: TOKENS.read })).body as { items: { status: string; requestedBy: string }[]; nextCursor: string };
    expect(first.items).toEqual([expect.objectContaining({ status: 'failed', error: 'boom', manual: true, requestedBy: 'token:operate-bot' }), expect.objectContaining({ status: 'failed' })]);
    const older = (await call(job('flaky', `/history?limit=2&cursor=${first.nextCursor}`), { token: TOKENS.read })).body as { items: unknown[]; nextCursor: string | null };
    expect([older.items.length, older.nextCursor]).toEqual([1, null]);
    expect((await call(`${host.url}/admin/v1/scheduler`, { token: TOKENS.read })).body).toMatchObject({ backend: 'memory', firing: true, processes: 1, counts: { jobs: 3, paused: 0, failing: 1, running: 0 } });
  });

  it('runs a job now: 202 with a request to follow, or 200 with the record when waiting; args replace the job\'s', async () => {
    const queued = await call(job('billing:sync', '/run'), { method: 'POST', token: TOKENS.operate, ...json({ args: ['given', 1] }) });
    expect(queued.status).toBe(202);
    const request = queued.body as { requestId: string; status: string };
    expect(queued.headers.get('location')).toBe(`/admin/v1/runs/${request.requestId}`);
    const followed = await call(`${host.url}/admin/v1/runs/${request.requestId}?wait=5000`, { token: TOKENS.read });
    expect(followed.body).toMatchObject({ status: 'finished', takenBy: 'proc-1', record: { status: 'succeeded', manual: true, requestedBy: 'token:operate-bot', requestId: request.requestId } });
    const waited = await call(job('billing:sync', '/run'), { method: 'POST', token: TOKENS.operate, ...json({ wait: true, timeoutMs: 5000 }) });
    expect(waited.status).toBe(200);
    expect(waited.body).toMatchObject({ status: 'finished', record: { status: 'succeeded' } });
    const alias = await call(`${host.url}/scheduler/run/${encodeURIComponent('billing:sync')}`, { method: 'POST', token: TOKENS.operate, ...json({ wait: true }) });
    expect([alias.status, (alias.body as { status: string }).status]).toEqual([200, 'finished']);
    const empty = await call(job('billing:sync', '/run'), { method: 'POST', token: TOKENS.operate });
    expect(empty.status).toBe(202);
    await call(`${host.url}/admin/v1/runs/${(empty.body as { requestId: string }).requestId}?wait=5000`, { token: TOKENS.read });
    expect(ran).toEqual([['given', 1], ['own'], ['own'], ['own']]);

    expectError(await call(job('ghost', '/run'), { method: 'POST', token: TOKENS.operate }), 404, 'XCORE_ERR_JOB_NOT_FOUND');
    expectError(await call(job('billing:sync', '/run'), { method: 'POST', token: TOKENS.operate, ...json({ args: 'x' }) }), 400, 'XCORE_ERR_HTTP_VALIDATION');
    expectError(await call(job('billing:sync', '/run'), { method: 'POST', token: TOKENS.operate, ...json({ wait: true, timeoutMs: 999_999 }) }), 400, 'XCORE_ERR_HTTP_VALIDATION');
    expectError(await call(job('billing:sync', '/run'), { method: 'POST', token: TOKENS.operate, headers: { 'content-type': 'text/plain' }, body: 'go' }), 415, 'XCORE_ERR_HTTP_UNSUPPORTED_MEDIA_TYPE');
    expectError(await call(`${host.url}/admin/v1/runs/nope`, { token: TOKENS.read }), 404, 'XCORE_ERR_RUN_REQUEST_NOT_FOUND');
    expect(host.audits.filter((a) => a.action === 'job.run').map((a) => [a.target, a.result, a.status, a.actor.subject])).toEqual([
      ['billing:sync', 'ok', 202, 'operate-bot'],
      ['billing:sync', 'ok', 200, 'operate-bot'],
      ['billing:sync', 'ok', 200, 'operate-bot'],
      ['billing:sync', 'ok', 202, 'operate-bot'],
      ['ghost', 'rejected', 404, 'operate-bot'],
      ['billing:sync', 'rejected', 400, 'operate-bot'],
      ['billing:sync', 'rejected', 400, 'operate-bot'],
      ['billing:sync', 'rejected', 415, 'operate-bot'],
    ]);
  });

  it('pauses, resumes, reschedules and removes where allowed; a trigger is validated by the scheduler\'s schema', async () => {
    expect((await call(job('billing:sync', '/pause'), { method: 'POST', token: TOKENS.operate })).body).toMatchObject({ paused: true, nextRunAt: expect.any(String) });
    expect((await scheduler.getJob('billing:sync'))?.paused).toBe(true);
    expect((await call(job('billing:sync', '/resume'), { method: 'POST', token: TOKENS.operate })).body).toMatchObject({ paused: false });
    const moved = await call(job('billing:sync', '/trigger'), { method: 'PUT', token: TOKENS.operate, ...json({ type: 'interval', minutes: 5, startDate: '2030-01-01T00:00:00Z' }) });
    expect(moved.body).toMatchObject({ trigger: 'every 5m from 2030-01-01T00:00:00.000Z', triggerSpec: { type: 'interval', milliseconds: 300_000 }, nextRunAt: '2030-01-01T00:00:00.000Z' });
    const badCron = expectError(await call(job('billing:sync', '/trigger'), { method: 'PUT', token: TOKENS.operate, ...json({ type: 'cron', expression: 'every day' }) }), 400, 'XCORE_ERR_HTTP_VALIDATION');
    expect(badCron.issues?.[0]).toMatchObject({ in: 'body', path: 'expression' });
    expectError(await call(job('billing:sync', '/trigger'), { method: 'PUT', token: TOKENS.operate, ...json({ type: 'interval' }) }), 400, 'XCORE_ERR_HTTP_VALIDATION');
    expectError(await call(job('billing:sync', '/trigger'), { method: 'PUT', token: TOKENS.operate, ...json({ type: 'date', runDate: 'tomorrow' }) }), 400, 'XCORE_ERR_HTTP_VALIDATION');
    expectError(await call(job('ghost', '/pause'), { method: 'POST', token: TOKENS.operate }), 404, 'XCORE_ERR_JOB_NOT_FOUND');

    const refused = expectError(await call(job('billing:sync'), { method: 'DELETE', token: TOKENS.admin }), 409, 'XCORE_ERR_JOB_REMOVE_REFUSED');
    expect(refused.message).toContain('registered by the app\'s code');
    const removed = await call(job('report'), { method: 'DELETE', token: TOKENS.admin });
    expect(removed.status).toBe(204);
    expect(await scheduler.getJob('report')).toBeUndefined();
    expectError(await call(job('report'), { method: 'DELETE', token: TOKENS.admin }), 404, 'XCORE_ERR_JOB_NOT_FOUND');
    expect(host.audits.map((a) => [a.action, a.target, a.result])).toEqual([
      ['job.pause', 'billing:sync', 'ok'], ['job.resume', 'billing:sync', 'ok'], ['job.reschedule', 'billing:sync', 'ok'],
      ['job.reschedule', 'billing:sync', 'rejected'], ['job.reschedule', 'billing:sync', 'rejected'], ['job.reschedule', 'billing:sync', 'rejected'],
      ['job.pause', 'ghost', 'rejected'], ['job.remove', 'billing:sync', 'rejected'], ['job.remove', 'report', 'ok'], ['job.remove', 'report', 'rejected'],
    ]);
  });

  it('refuses each write without its scope with 403, changing nothing', async () => {
    const before = await scheduler.jobs();
    const writes: [string, string, string | undefined, string][] = [
      ['POST', job('billing:sync', '/run'), undefined, 'operate'],
      ['POST', job('billing:sync', '/pause'), undefined, 'operate'],
      ['POST', job('billing:sync', '/resume'), undefined, 'operate'],
      ['PUT', job('billing:sync', '/trigger'), JSON.stringify({ type: 'interval', seconds: 1 }), 'operate'],
      ['POST', `${host.url}/scheduler/run/billing%3Async`, undefined, 'operate'],
      ['DELETE', job('report'), undefined, 'admin'],
    ];
    for (const [method, url, body, scope] of writes) {
      for (const token of scope === 'admin' ? [TOKENS.read, TOKENS.operate] : [TOKENS.read]) {
        const answer = await call(url, { method, token, ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body }) });
        expect(expectError(answer, 403, 'XCORE_ERR_HTTP_FORBIDDEN').message).toContain(`"${scope}" scope`);
      }
    }
    expect(await scheduler.jobs()).toEqual(before);
    expect(ran).toEqual([]);
    expect(await scheduler.history('billing:sync')).toEqual([]);
    expect(host.audits.every((a) => a.result === 'denied')).toBe(true);
  });

  it('streams a pause made through the API as a Server-Sent Event, filtered by job', async () => {
    const controller = new AbortController();
    const response = await fetch(`${host.url}/admin/v1/events?job=${encodeURIComponent('billing:sync')}`, { headers: { authorization: `Bearer ${TOKENS.read}` }, signal: controller.signal });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const reader = response.body!.getReader();
    let text = '';
    const until = async (pattern: RegExp): Promise<void> => {
      while (!pattern.test(text)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended before ${pattern}: ${text}`);
        text += new TextDecoder().decode(value);
      }
    };
    await until(/: connected/);
    await call(job('flaky', '/pause'), { method: 'POST', token: TOKENS.operate });
    await call(job('billing:sync', '/pause'), { method: 'POST', token: TOKENS.operate });
    await until(/event: job\.paused\ndata: .*\n\n/);
    const event = /id: (\d+)\nevent: job\.paused\ndata: (.*)\n\n/.exec(text)!;
    expect(Number(event[1])).toBeGreaterThan(0);
    expect(JSON.parse(event[2]!)).toMatchObject({ type: 'job.paused', jobId: 'billing:sync', owner: 'app', time: expect.any(String) });
    expect(text).not.toContain('flaky');
    await until(/: keep-alive/);
    controller.abort();
    expectError(await call(`${host.url}/admin/v1/events?types=job.nope`, { token: TOKENS.read }), 400, 'XCORE_ERR_HTTP_VALIDATION');
  });

  it('documents every admin route and the alias in the OpenAPI document', async () => {
    const doc = (await call(`${host.url}/admin/v1/openapi.json`, { token: TOKENS.read })).body as { paths: Record<string, Record<string, { 'x-xcore-scope': string; responses: Record<string, unknown> }>> };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining([
      '/admin/v1/scheduler', '/admin/v1/jobs', '/admin/v1/jobs/{id}', '/admin/v1/jobs/{id}/history', '/admin/v1/jobs/{id}/run', '/admin/v1/jobs/{id}/pause',
      '/admin/v1/jobs/{id}/resume', '/admin/v1/jobs/{id}/trigger', '/admin/v1/runs/{requestId}', '/admin/v1/plugins', '/admin/v1/plugins/{name}',
      '/admin/v1/plugins/{name}/reload', '/admin/v1/events', '/scheduler/run/{jobId}',
    ]));
    expect(doc.paths['/admin/v1/jobs/{id}']!['delete']!['x-xcore-scope']).toBe('admin');
    expect(Object.keys(doc.paths['/admin/v1/jobs/{id}/run']!['post']!.responses)).toEqual(['200', '202', '400', '401', '403', '404', '409', '429', '500', '503']);
    expectError(await call(`${host.url}/admin/v1/plugins`, { token: TOKENS.read }), 503, 'XCORE_ERR_HTTP_SERVICE_UNAVAILABLE');
  });
});

describe('admin job routes without a scheduler', () => {
  it('answer 503 with the error shape', async () => {
    const bare = await startServer();
    try {
      expectError(await call(`${bare.url}/admin/v1/jobs`, { token: TOKENS.read }), 503, 'XCORE_ERR_HTTP_SERVICE_UNAVAILABLE');
      expectError(await call(`${bare.url}/scheduler/run/x`, { method: 'POST', token: TOKENS.operate }), 503, 'XCORE_ERR_HTTP_SERVICE_UNAVAILABLE');
      expect(() => bare.server.route({ method: 'GET', path: '/scheduler/run/:id/x', handler: () => ({}) })).toThrow(expect.objectContaining({ code: 'XCORE_ERR_HTTP_ROUTE_CONFLICT' }));
      expect(bare.server.route({ method: 'GET', path: '/scheduler/state', auth: 'public', handler: () => ({ ok: true }) })).toBeTypeOf('function');
    } finally {
      await bare.close();
    }
  });
});

