/**
 * An interval job's phase through restarts of the real binary on the memory backend: every boot
 * fires it at the same instants (whole multiples of its period since the epoch), not at a phase
 * taken from the boot time. Read from the run lines (`services.scheduler.logRuns: info`).
 */
import { describe, expect, it } from 'vitest';
import { killAppsAfterEach, QUIET_LOGS, start, writeApp } from './helpers/cli-app.js';

killAppsAfterEach();

const PERIOD_MS = 2000;

const yaml = `${QUIET_LOGS}services:
  scheduler:
    backend: memory
    logRuns: info
    jobs:
      - { id: tick, func: ./jobs/tick.ts:tick, trigger: { type: interval, seconds: ${PERIOD_MS / 1000} } }
`;

/** Boots the app, waits for the first two runs of `tick` and stops it; returns their scheduledAt (epoch ms). */
async function twoRuns(dir: string): Promise<number[]> {
  const app = start(dir);
  const started = (n: number) => (l: Record<string, unknown>): boolean => l['msg'] === 'job started' && l['job'] === 'tick' && app.lines.filter((x) => x['msg'] === 'job started').length >= n;
  await app.waitFor(started(2), 20_000);
  app.child.kill('SIGTERM');
  expect(await app.exited).toBe(0);
  return app.lines.filter((l) => l['msg'] === 'job started' && l['job'] === 'tick').map((l) => Date.parse(l['scheduledAt'] as string));
}

describe('interval phase across restarts (memory backend)', () => {
  it('fires at the same phase after a restart: multiples of the period since the epoch', async () => {
    const dir = writeApp(yaml, [], { 'jobs/tick.ts': 'export function tick(): void {}\n' });
    const first = await twoRuns(dir);
    // Restart a moment later, off the old phase: a boot-time phase would move by this.
    await new Promise((resolve) => setTimeout(resolve, 777));
    const second = await twoRuns(dir);
    const all = [...first, ...second];
    expect(all.length).toBeGreaterThanOrEqual(4);
    for (const at of all) expect(at % PERIOD_MS, `${new Date(at).toISOString()} is not on the ${PERIOD_MS} ms grid`).toBe(0);
    expect(second[0]! - first[0]!).toBeGreaterThan(0);
  }, 60_000);
});
