/**
 * `GET /admin/v1/runs` over real HTTP against a real scheduler: with a run log (the reference
 * `MemoryRunLog`, fed by the scheduler's run path) every filter and the paging; without one, a
 * job's bounded history with the same filters, and the refusals.
 */
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryRunLog, MemoryStore, Scheduler } from '@xcore/scheduler';
import { call, expectError, startServer, TOKENS, type TestServer } from '../http.fixtures.js';

const HOUR = 3_600_000;
let scheduler: Scheduler;
let host: TestServer;

interface Item { runId: string | null; jobId: string; owner: string; outcome: string; manual: boolean; requestedBy: string | null; result: unknown; error: string | null; errorStack: string | null; process: string | null; finishedAt: string }
interface Page { source: string; items: Item[]; nextCursor: string | null }

async function boot(runLog?: MemoryRunLog): Promise<void> {
  scheduler = new Scheduler({ store: new MemoryStore(), logger: pino({ level: 'silent' }), owner: 'proc-1', ...(runLog === undefined ? {} : { runLog }) });
  // Run only when asked: without a startDate an hourly interval also fires on the hour (UTC).
  const startDate = new Date(Date.now() + HOUR);
  await scheduler.addJob(() => ({ rows: 3 }), { id: 'billing:sync', every: HOUR, startDate });
  await scheduler.addJob(() => {
    throw new RangeError('boom');
  }, { id: 'flaky', every: HOUR, startDate });
  await scheduler.addJob(async () => 'async value', { id: 'report', every: HOUR, startDate });
  scheduler.startFiring();
  host = await startServer({}, { getService: ((name: string) => (name === 'scheduler' ? scheduler : undefined)) as never });
}

afterEach(async () => {
  await host.close();
  await scheduler.stop({ deadlineMs: 1000 });
  await scheduler.dispose();
});

const runs = async (query: string): Promise<Page> => {
  const answer = await call(`${host.url}/admin/v1/runs${query}`, { token: TOKENS.read });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body as Page;
};
const runNow = (id: string) => call(`${host.url}/admin/v1/jobs/${encodeURIComponent(id)}/run`, { method: 'POST', token: TOKENS.operate, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ wait: true }) });

describe('GET /admin/v1/runs with a run log', () => {
  it('answers every job\'s runs from the run log, filtered and paged newest first', async () => {
    const log = new MemoryRunLog();
    await boot(log);
    for (const id of ['billing:sync', 'flaky', 'report', 'flaky']) expect((await runNow(id)).status).toBe(200);
    await scheduler.runJob('report');

    const all = await runs('');
    expect(all.source).toBe('runLog');
    expect(all.items.map((r) => [r.jobId, r.outcome, r.manual, r.requestedBy])).toEqual([
      ['report', 'succeeded', true, null],
      ['flaky', 'failed', true, 'token:operate-bot'],
      ['report', 'succeeded', true, 'token:operate-bot'],
      ['flaky', 'failed', true, 'token:operate-bot'],
      ['billing:sync', 'succeeded', true, 'token:operate-bot'],
    ]);
    expect(all.items.every((r) => r.process === 'proc-1' && /^[0-9a-f-]{36}$/.test(r.runId ?? ''))).toBe(true);
    expect(all.items[4]).toMatchObject({ owner: 'app', result: { rows: 3 } });
    expect(all.items[0]!.result).toBe('async value');
    expect(all.items[1]).toMatchObject({ error: 'boom', result: null });
    expect(all.items[1]!.errorStack).toContain('RangeError: boom');

    expect((await runs('?outcome=failed')).items.map((r) => r.jobId)).toEqual(['flaky', 'flaky']);
    expect((await runs('?outcome=failed,succeeded&job=report')).items).toHaveLength(2);
    expect((await runs('?manual=false')).items).toEqual([]);
    expect((await runs('?owner=nobody')).items).toEqual([]);
    const from = all.items[2]!.finishedAt;
    expect((await runs(`?from=${encodeURIComponent(from)}`)).items.map((r) => r.runId)).toEqual(all.items.filter((r) => r.finishedAt >= from).map((r) => r.runId));
    expect((await runs(`?to=${Date.parse(from)}`)).items.map((r) => r.runId)).toEqual(all.items.filter((r) => r.finishedAt < from).map((r) => r.runId));

    const paged: (string | null)[] = [];
    let cursor: string | null = null;
    do {
      const page: Page = await runs(`?limit=2${cursor === null ? '' : `&cursor=${cursor}`}`);
      paged.push(...page.items.map((r) => r.runId));
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(paged).toEqual(all.items.map((r) => r.runId));

    expectError(await call(`${host.url}/admin/v1/runs?outcome=late`, { token: TOKENS.read }), 400, 'XCORE_ERR_HTTP_VALIDATION');
    expectError(await call(`${host.url}/admin/v1/runs?from=yesterday`, { token: TOKENS.read }), 400, 'XCORE_ERR_RUNLOG_QUERY_INVALID');
    expectError(await call(`${host.url}/admin/v1/runs?cursor=abc`, { token: TOKENS.read }), 400, 'XCORE_ERR_RUNLOG_QUERY_INVALID');
    expectError(await call(`${host.url}/admin/v1/runs`), 401, 'XCORE_ERR_HTTP_UNAUTHENTICATED');
  });
});

describe('GET /admin/v1/runs without a run log', () => {
  it('answers one job\'s bounded history with the same filters, and refuses a query across jobs', async () => {
    await boot();
    for (const id of ['flaky', 'billing:sync', 'flaky']) expect((await runNow(id)).status).toBe(200);
    const flaky = await runs('?job=flaky');
    expect(flaky.source).toBe('history');
    expect(flaky.items.map((r) => [r.jobId, r.outcome, r.runId, r.requestedBy, r.owner])).toEqual([
      ['flaky', 'failed', null, 'token:operate-bot', 'app'],
      ['flaky', 'failed', null, 'token:operate-bot', 'app'],
    ]);
    expect((await runs('?job=flaky&outcome=succeeded')).items).toEqual([]);
    const first = await runs('?job=flaky&limit=1');
    expect(first.items).toHaveLength(1);
    const second = await runs(`?job=flaky&limit=1&cursor=${first.nextCursor}`);
    expect([second.items.length, second.nextCursor, second.items[0]!.finishedAt <= first.items[0]!.finishedAt]).toEqual([1, null, true]);
    expectError(await call(`${host.url}/admin/v1/runs`, { token: TOKENS.read }), 400, 'XCORE_ERR_JOB_QUERY_INVALID');
    expectError(await call(`${host.url}/admin/v1/runs?job=ghost`, { token: TOKENS.read }), 404, 'XCORE_ERR_JOB_NOT_FOUND');
  });
});
