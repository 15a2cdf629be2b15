/**
 * The host's health through the real `xcore start` (built CLI, child process, free port):
 * `/livez` and `/readyz` are public probes, `/health` the detail behind the `read` scope; a job
 * that keeps failing is a warning naming it by qualified id while `/readyz` stays 200, and fails
 * readiness only with `health.failReadinessOn: [jobs]`.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { XcoreProcess } from './helpers/cli-process.js';
import { removeHealthApps, startHealthApp, writeHealthApp } from './helpers/health-app.js';

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
afterAll(() => removeHealthApps());

const jobsCheck = (body: unknown): Check | undefined => (body as Report).checks.find((c) => c.name === 'jobs');

describe('health endpoints through xcore start', () => {
  it('a failing job is a warning in /health by its id; /readyz and /livez stay 200; probes are public, /health needs read', async () => {
    const started = await startHealthApp(writeHealthApp({ plugins: { payments: { source: PAYMENTS } } }));
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
  });

  it('with health.failReadinessOn: [jobs], the failing job fails /readyz (503) and /health answers 503 with the detail', async () => {
    const started = await startHealthApp(writeHealthApp({ plugins: { payments: { source: PAYMENTS } }, health: '  failReadinessOn: [jobs]\n' }));
    running.push(started.app);
    const ready = await started.until('/readyz', (a) => a.status === 503);
    expect(ready.body).toMatchObject({ status: 'fail', checks: { jobs: 'fail', kernel: 'ok', scheduler: 'ok' } });
    const health = await started.get('/health');
    expect(health.status).toBe(503);
    expect(health.body).toMatchObject({ status: 'not-ready', live: true, ready: false });
    expect(jobsCheck(health.body)).toMatchObject({ status: 'fail', detail: 'failing: payments:sync' });
    expect((await started.get('/livez')).status).toBe(200);
  });
});
