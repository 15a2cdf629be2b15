/**
 * The admin API through three real `xcore start` processes sharing one real redis-server: the job
 * listing from any process shows every job of the cluster once; run-now runs each request exactly
 * once in the cluster, also when asked of a process that lacks the job's plugin; the state counts
 * the processes; pause is seen from every process; remove is refused while another process holds
 * the job and allowed once none does; run-now is refused then.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { call, expectError, type Answer } from '../packages/http/src/http.fixtures.js';
import { ADMIN_TOKENS as T, startAdminCluster } from './helpers/admin-app.js';
import type { XcoreProcess } from './helpers/cli-process.js';
import { redisUnavailable, startRedisServer, type RedisServer } from './helpers/redis-server.js';
import { removeTempAppsAfterAll } from './helpers/cli-app.js';

removeTempAppsAfterAll();

const BULK = 40;
const body = <T>(answer: Answer): T => answer.body as T;
const json = (value: unknown) => ({ headers: { 'content-type': 'application/json' }, body: JSON.stringify(value) });

/** Every job id the listing of `admin` returns, following cursors `limit` at a time. */
async function listAll(admin: string, limit: number): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const page: { items: { id: string }[]; nextCursor: string | null } = body(await call(`${admin}/jobs?limit=${limit}${cursor === null ? '' : `&cursor=${cursor}`}`, { token: T.read }));
    ids.push(...page.items.map((j) => j.id));
    cursor = page.nextCursor;
  } while (cursor !== null);
  return ids;
}

describe.skipIf(redisUnavailable({ needBinary: true }))('admin API with three xcore processes on one Redis', () => {
  let redis: RedisServer | undefined;
  const processes: XcoreProcess[] = [];

  afterAll(async () => {
    for (const p of processes) p.child.kill('SIGKILL');
    await redis?.stop();
  });

  it('lists every job once from any process and runs each run-now exactly once in the cluster, also from a process without the plugin', async () => {
    redis = await startRedisServer();
    const { a, b, c, ledger } = await startAdminCluster(redis.url, BULK, (p) => processes.push(p));
    const admins = [a, b, c].map((p) => `${p.url}/admin/v1`);
    const [adminA, , adminC] = admins as [string, string, string];
    const job = (admin: string, id: string, rest = ''): string => `${admin}/jobs/${encodeURIComponent(id)}${rest}`;

    // Every process answers for the whole cluster.
    const expected = [...Array.from({ length: BULK }, (_, i) => `billing:bulk-${String(i).padStart(4, '0')}`), 'billing:charge', 'billing:cleanup', 'billing:sync', 'nightly', 'reports:weekly'];
    for (const admin of admins) {
      const ids = await listAll(admin, 7);
      expect(ids).toEqual(expected);
      expect(new Set(ids).size).toBe(ids.length);
    }
    await expect.poll(async () => body<{ processes: number }>(await call(`${adminC}/scheduler`, { token: T.read })).processes, { timeout: 10_000 }).toBe(3);
    const state = body<{ backend: string; runningScope: string; counts: { jobs: number }; processList: { owner: string; plugins: string[]; self: boolean }[] }>(await call(`${adminC}/scheduler`, { token: T.read }));
    expect(state).toMatchObject({ backend: 'redis', runningScope: 'cluster', counts: { jobs: expected.length } });
    expect(state.processList.filter((p) => p.plugins.includes('billing'))).toHaveLength(2);
    const sync = body<{ attached: boolean; heldBy: string[] }>(await call(job(adminC, 'billing:sync'), { token: T.read }));
    expect([sync.attached, sync.heldBy.length]).toEqual([false, 2]);

    // Run-now from all three processes at once: each request runs once, only where billing runs.
    const asks = admins.flatMap((admin, p) => Array.from({ length: 8 }, (_, i) => ({ admin, arg: `p${p}-r${i}` })));
    const answers = await Promise.all(asks.map(({ admin, arg }) => call(job(admin, 'billing:sync', '/run'), { method: 'POST', token: T.operate, ...json({ args: [arg], wait: true, timeoutMs: 30_000 }) })));
    for (const answer of answers) expect([answer.status, body<{ status: string; record?: { status: string } }>(answer)]).toMatchObject([200, { status: 'finished', record: { status: 'succeeded' } }]);
    const lines = readFileSync(ledger, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as { job: string; args: string[]; pid: number });
    expect(lines.map((l) => l.args[0]).sort()).toEqual(asks.map((q) => q.arg).sort());
    expect(new Set(lines.map((l) => l.pid)).has(c.app.child.pid!)).toBe(false);
    const takers = new Set(answers.map((answer) => body<{ takenBy: string }>(answer).takenBy));
    expect(takers.size).toBeGreaterThanOrEqual(1);
    const history = body<{ items: { requestedBy: string }[] }>(await call(job(adminA, 'billing:sync', '/history?limit=50'), { token: T.read }));
    expect(history.items).toHaveLength(20);
    expect(history.items.every((r) => r.requestedBy === 'token:operate-bot')).toBe(true);

    // Pause from the process without the plugin is seen by the others.
    await call(job(adminC, 'billing:sync', '/pause'), { method: 'POST', token: T.operate });
    expect(body(await call(job(adminA, 'billing:sync'), { token: T.read }))).toMatchObject({ paused: true });
    const refused = expectError(await call(job(adminC, 'billing:sync'), { method: 'DELETE', token: T.admin }), 409, 'XCORE_ERR_JOB_REMOVE_REFUSED');
    expect(refused.message).toMatch(/the plugin runs in process .+, process .+: it would be registered again/);

    // Once no process runs billing, its jobs cannot run and may be removed.
    a.app.child.kill('SIGTERM');
    b.app.child.kill('SIGTERM');
    expect(await a.app.exited).toBe(0);
    expect(await b.app.exited).toBe(0);
    await expect.poll(async () => body<{ processes: number }>(await call(`${adminC}/scheduler`, { token: T.read })).processes, { timeout: 10_000 }).toBe(1);
    expectError(await call(job(adminC, 'billing:sync', '/run'), { method: 'POST', token: T.operate }), 409, 'XCORE_ERR_JOB_RUN_REFUSED');
    expect((await call(job(adminC, 'billing:sync'), { method: 'DELETE', token: T.admin })).status).toBe(204);
    expect((await listAll(adminC, 100)).includes('billing:sync')).toBe(false);
    expect(body(await call(job(adminC, 'reports:weekly', '/run'), { method: 'POST', token: T.operate, ...json({ wait: true }) }))).toMatchObject({ status: 'finished' });
  }, 120_000);
});
