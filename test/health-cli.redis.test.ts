/**
 * Readiness through the real `xcore start` on a real redis-server: while Redis is down `/readyz`
 * answers 503 naming the `scheduler` check (and `/livez` stays 200: a restart would not help),
 * and once Redis is back it answers 200 again.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { XcoreProcess } from './helpers/cli-process.js';
import { startHealthApp, writeHealthApp } from './helpers/health-app.js';
import { redisUnavailable, startRedisServer, type RedisServer } from './helpers/redis-server.js';
import { removeTempAppsAfterAll } from './helpers/cli-app.js';

removeTempAppsAfterAll();

const TICKER = `export default {
  async onStart(ctx) {
    await ctx.getService('scheduler').addJob(() => undefined, { id: 'tick', every: '500ms' });
  },
};
`;

describe.skipIf(redisUnavailable({ needBinary: true }))('readiness across a Redis outage', () => {
  let redis: RedisServer | undefined;
  let app: XcoreProcess | undefined;
  afterAll(async () => {
    app?.child.kill('SIGKILL');
    await redis?.stop();
  });

  it('/readyz is 503 while Redis is down and 200 once it is back; /livez stays 200', async () => {
    redis = await startRedisServer();
    const started = await startHealthApp(writeHealthApp({ plugins: { ticker: { source: TICKER } }, redisUrl: redis.url }));
    app = started.app;
    expect((await started.until('/readyz', (a) => a.status === 200)).body).toMatchObject({ checks: { scheduler: 'ok' } });

    await redis.kill();
    const down = await started.until('/readyz', (a) => a.status === 503);
    expect(down.body).toMatchObject({ status: 'fail', checks: { scheduler: 'fail', kernel: 'ok' } });
    expect((await started.get('/livez')).status).toBe(200);
    const health = await started.get('/health');
    expect(health.status).toBe(503);
    const scheduler = (health.body as { checks: { name: string; status: string; detail?: string }[] }).checks.find((c) => c.name === 'scheduler');
    expect(scheduler).toMatchObject({ status: 'fail', detail: expect.stringContaining("the scheduler's store fails") });

    await redis.restart();
    const back = await started.until('/readyz', (a) => a.status === 200, 30_000);
    expect(back.body).toMatchObject({ status: 'ok', checks: { scheduler: 'ok' } });
  });
});
