/**
 * A stored schedule can never break reads or firing, whatever the store holds: times no `Date`
 * can hold (written by an older version or by hand into Redis) read back as `epoch ms <n>` and
 * `nextRunAt: null`, and firing neither crashes the process nor loops.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { MemoryStore } from '../stores/memory-store.js';
import { scheduleHash } from '../stores/schedule-hash.js';
import type { ScheduleDefinition } from '../stores/store.js';
import { Scheduler } from './scheduler.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const FIXTURE = fileURLToPath(new URL('./stored-schedules.fixture.ts', import.meta.url));

describe('schedules stored outside the Date range', () => {
  it('read back through jobs() and getJob() without throwing', async () => {
    const store = new MemoryStore();
    const scheduler = new Scheduler({ store, logger: pino({ level: 'silent' }), owner: 'test' });
    const info = await scheduler.addJob(() => undefined, { id: 'far', every: '1h' });
    const stored = (await store.get(info.id))!;
    const definition: ScheduleDefinition = { ...stored.definition, trigger: { type: 'interval', everyMs: 1000, startDate: 1e20, endDate: 2e20 } };
    await store.upsert({ definition, hash: scheduleHash(definition), nextRunAt: 1e20, anchor: Date.now(), replaceExisting: true });
    const [listed] = await scheduler.jobs();
    expect(listed).toMatchObject({ id: 'far', trigger: 'every 1s from epoch ms 100000000000000000000 until epoch ms 200000000000000000000', nextRunAt: null });
    expect(await scheduler.getJob('far')).toEqual(listed);
    await scheduler.stop({ deadlineMs: 0 });
  });

  it('fire without crashing the process or looping (child process, 256 MB heap)', async () => {
    const child = spawn(process.execPath, ['--max-old-space-size=256', '--import', 'tsx', FIXTURE], { cwd: ROOT });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    clearTimeout(timer);
    expect({ code, err: err.slice(0, 500) }).toEqual({ code: 0, err: '' });
    const result = JSON.parse(out) as { jobs: { id: string; trigger: string; nextRunAt: string | null }[]; one: string; runs: Record<string, number> };
    expect(result.one).toBe('every 1s from epoch ms 100000000000000000000');
    expect(result.jobs.map((j) => j.id)).toEqual([
      'cron-due-at-minus-1e20', 'cron-from-minus-1e20', 'date-at-1e20', 'huge-catch-up', 'interval-from-1e20', 'interval-from-minus-1e20',
    ]);
    // Still firing: a catch-up of 1e9 runs is capped, a cron stored as due at -1e20 runs from now on.
    expect(result.runs['huge-catch-up']).toBeGreaterThanOrEqual(1);
    expect(result.runs['cron-due-at-minus-1e20']).toBeGreaterThanOrEqual(1);
  }, 40_000);
});
