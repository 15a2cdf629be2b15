import { Writable } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import pino from 'pino';
import { MemoryStore } from '../stores/memory-store.js';
import { Scheduler, type SchedulerOptions } from '../service/scheduler.js';
import { useFakeSchedulerClock } from '../service/scheduler.fixtures.js';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');

interface Line { level: number; msg: string; job?: string; attempt?: number; attempts?: number; durationMs?: number | null; status?: string; scheduledAt?: string }

/** A scheduler whose logger writes JSON lines at `level` into the returned list. */
function make(level: string, options: Partial<SchedulerOptions> = {}): { scheduler: Scheduler; lines: Line[] } {
  const lines: Line[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const text of chunk.toString().split('\n')) if (text !== '') lines.push(JSON.parse(text) as Line);
      done();
    },
  });
  const logger = pino({ level }, stream);
  const scheduler = new Scheduler({ store: new MemoryStore(), logger, owner: 'test', random: () => 0.5, ...options });
  return { scheduler, lines };
}

const runLines = (lines: readonly Line[]): string[] =>
  lines.filter((l) => l.job !== undefined && /^job /.test(l.msg)).map((l) => `${l.level} ${l.msg} ${l.job} ${l.scheduledAt} attempt=${l.attempt ?? l.attempts} ms=${String(l.durationMs)}`);

describe('run lines', () => {
  let scheduler: Scheduler | undefined;
  useFakeSchedulerClock(T0, () => scheduler);

  it('logs each run at debug: started, then succeeded with its duration and attempts', async () => {
    const made = make('debug');
    scheduler = made.scheduler;
    await scheduler.addJob(async () => {
      await new Promise((resolve) => setTimeout(resolve, 250));
    }, { id: 'slow', every: '5s' });
    scheduler.startFiring();
    await vi.advanceTimersByTimeAsync(5_300);
    expect(runLines(made.lines)).toEqual([
      '20 job started slow 2026-01-01T00:00:05.000Z attempt=1 ms=undefined',
      '20 job succeeded slow 2026-01-01T00:00:05.000Z attempt=1 ms=250',
    ]);
  });

  it('ends a failing run with the warn line, which carries its duration and attempts; each attempt starts with a line', async () => {
    const made = make('debug');
    scheduler = made.scheduler;
    await scheduler.addJob(async () => {
      await new Promise((resolve) => setTimeout(resolve, 100));
      throw new Error('remote said 502');
    }, { id: 'flaky', every: '5s', retries: 1, retryDelay: '1s', jitter: 0 });
    scheduler.startFiring();
    await vi.advanceTimersByTimeAsync(5_000 + 100 + 1_000 + 100 + 50);
    const lines = runLines(made.lines);
    expect(lines.slice(0, 2)).toEqual([
      '20 job started flaky 2026-01-01T00:00:05.000Z attempt=1 ms=undefined',
      '20 job started flaky 2026-01-01T00:00:05.000Z attempt=2 ms=undefined',
    ]);
    expect(lines).toHaveLength(3);
    const end = made.lines.find((l) => l.msg === 'job failed');
    expect(end).toMatchObject({ level: 40, job: 'flaky', attempts: 2, status: 'failed' });
    // Two attempts of 100 ms with the retry delay between them (backoff with random 0.5).
    expect(end!.durationMs).toBeGreaterThanOrEqual(200);
  });

  it('logs nothing per run at info by default, and both lines at info with logRuns: info', async () => {
    const quiet = make('info');
    scheduler = quiet.scheduler;
    await scheduler.addJob(() => undefined, { id: 'tick', every: '1s' });
    scheduler.startFiring();
    await vi.advanceTimersByTimeAsync(2_000);
    expect(runLines(quiet.lines)).toEqual([]);
    await scheduler.stop({ deadlineMs: 0 });

    const loud = make('info', { logRuns: 'info' });
    scheduler = loud.scheduler;
    await scheduler.addJob(() => undefined, { id: 'tick', every: '1s' });
    scheduler.startFiring();
    await vi.advanceTimersByTimeAsync(2_000);
    expect(runLines(loud.lines)).toEqual([
      '30 job started tick 2026-01-01T00:00:03.000Z attempt=1 ms=undefined',
      '30 job succeeded tick 2026-01-01T00:00:03.000Z attempt=1 ms=0',
      '30 job started tick 2026-01-01T00:00:04.000Z attempt=1 ms=undefined',
      '30 job succeeded tick 2026-01-01T00:00:04.000Z attempt=1 ms=0',
    ]);
  });

  it('refuses a logRuns level other than debug or info', () => {
    expect(() => make('info', { logRuns: 'trace' as never })).toThrow(expect.objectContaining({ code: 'XCORE_ERR_SCHEDULER_OPTIONS_INVALID' }));
  });
});
