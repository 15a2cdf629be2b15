import { afterEach, describe, expect, it } from 'vitest';
import type { HealthSnapshot } from './health-registry.js';
import { listenHealthEndpoint, type HealthEndpoint } from './http-endpoint.js';

let endpoint: HealthEndpoint | undefined;
afterEach(async () => {
  await endpoint?.close();
  endpoint = undefined;
});

describe('health HTTP endpoint', () => {
  it('answers 200 with the snapshot, 503 when down, 404 elsewhere', async () => {
    let snapshot: HealthSnapshot = { status: 'degraded', checks: [{ check: 'db', status: 'warn', detail: 'slow', reportedAt: 5, stale: false }] };
    endpoint = await listenHealthEndpoint({ host: '127.0.0.1', port: 0, path: '/health', snapshot: () => snapshot });
    const base = `http://127.0.0.1:${endpoint.port}`;

    const ok = await fetch(`${base}/health`);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual(snapshot);

    snapshot = { status: 'down', checks: [] };
    const down = await fetch(`${base}/health`);
    expect(down.status).toBe(503);
    expect(await down.json()).toEqual({ status: 'down', checks: [] });

    expect((await fetch(`${base}/other`)).status).toBe(404);
    expect((await fetch(`${base}/health`, { method: 'POST' })).status).toBe(404);
  });
});
