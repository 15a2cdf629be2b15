/**
 * The `xcore jobs` commands against three real `xcore start` processes sharing one real
 * redis-server: `jobs ls` from any process shows every job of the cluster once, and `jobs run`
 * runs the job exactly once in the cluster, also when asked of the process that lacks the job's
 * plugin.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKENS as T, startAdminCluster } from './helpers/admin-app.js';
import { runXcoreCommand, type XcoreProcess } from './helpers/cli-process.js';
import { redisUnavailable, startRedisServer, type RedisServer } from './helpers/redis-server.js';
import { parseTable } from './helpers/cli-table.js';
import { removeTempAppsAfterAll } from './helpers/cli-app.js';

removeTempAppsAfterAll();

const BULK = 25;

describe.skipIf(redisUnavailable({ needBinary: true }))('xcore jobs against three xcore processes on one Redis', () => {
  let redis: RedisServer | undefined;
  const processes: XcoreProcess[] = [];

  afterAll(async () => {
    for (const p of processes) p.child.kill('SIGKILL');
    await redis?.stop();
  });

  it('jobs ls from any process lists every job once; jobs run runs it exactly once in the cluster', async () => {
    redis = await startRedisServer();
    const { a, b, c, ledger, withoutBillingDir } = await startAdminCluster(redis.url, BULK, (p) => processes.push(p));
    const cli = (url: string, args: string[]) => runXcoreCommand([...args, '--url', url], { cwd: withoutBillingDir, env: { XCORE_TOKEN: T.operate } });

    const expected = [...Array.from({ length: BULK }, (_, i) => `billing:bulk-${String(i).padStart(4, '0')}`), 'billing:charge', 'billing:cleanup', 'billing:sync', 'nightly', 'reports:weekly'];
    for (const { url } of [a, b, c]) {
      const listed = await cli(url, ['jobs', 'ls', '--all', '--limit', '7', '--json']);
      expect(listed.code, listed.stderr).toBe(0);
      expect((JSON.parse(listed.stdout) as { items: { id: string }[] }).items.map((j) => j.id)).toEqual(expected);
      const table = await cli(url, ['jobs', 'ls', '--all']);
      expect(parseTable(table.stdout).map((r) => r.ID)).toEqual(expected);
    }

    // Three runs asked at once, one of each process (c has no billing plugin): each runs once, never in c.
    const asks = [a, b, c].map((p, i) => ({ url: p.url, tag: `cli-run-${i}` }));
    const answers = await Promise.all(asks.map(({ url, tag }) => cli(url, ['jobs', 'run', 'billing:sync', '--args', JSON.stringify([tag]), '--wait', '--json'])));
    for (const answer of answers) {
      expect(answer.code, answer.stderr).toBe(0);
      expect(JSON.parse(answer.stdout)).toMatchObject({ status: 'finished', record: { status: 'succeeded', manual: true, requestedBy: 'token:operate-bot' } });
    }
    const lines = readFileSync(ledger, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as { job: string; args: string[]; pid: number });
    expect(lines.map((l) => l.args[0]).sort()).toEqual(asks.map((q) => q.tag).sort());
    expect(lines.some((l) => l.pid === c.app.child.pid)).toBe(false);
    const history = await cli(c.url, ['jobs', 'history', 'billing:sync', '--json']);
    expect((JSON.parse(history.stdout) as { items: unknown[] }).items).toHaveLength(3);

    // A pause from the process without the plugin shows from every process.
    expect((await cli(c.url, ['jobs', 'pause', 'billing:sync'])).code).toBe(0);
    for (const { url } of [a, b]) {
      const shown = JSON.parse((await cli(url, ['jobs', 'show', 'billing:sync', '--json'])).stdout) as { paused: boolean };
      expect(shown.paused).toBe(true);
    }
  }, 180_000);
});
