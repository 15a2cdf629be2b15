/**
 * The `process` executor when the OS refuses a fork (ENOMEM, EAGAIN past `ulimit -u`): the run that
 * needed the child fails with a coded error, a warm spare that cannot start is logged once, and the
 * host goes on. `fork` is wrapped to refuse on demand: nothing else can make the kernel refuse here.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import pino from 'pino';
import { MemoryStore } from '../stores/memory-store.js';
import { Scheduler } from '../service/scheduler.js';
import type { RunRecord } from '../stores/store.js';

const forks = vi.hoisted(() => ({ allowed: Infinity, refused: 0 }));
vi.mock('node:child_process', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:child_process')>();
  const fork = ((...args: Parameters<typeof actual.fork>) => {
    if (forks.allowed <= 0) {
      forks.refused += 1;
      throw Object.assign(new Error('spawn ENOMEM'), { code: 'ENOMEM', syscall: 'spawn' });
    }
    forks.allowed -= 1;
    return actual.fork(...args);
  }) as typeof actual.fork;
  return { ...actual, fork };
});

const JOBS = new URL('./fixtures/executor-jobs.mjs', import.meta.url);
let scheduler: Scheduler | undefined;

afterEach(async () => {
  forks.allowed = Infinity;
  forks.refused = 0;
  await scheduler?.stop({ deadlineMs: 0 });
  await scheduler?.dispose();
  scheduler = undefined;
});

function make() {
  const finished: { record: RunRecord; error?: unknown }[] = [];
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  const s = new Scheduler({ store: new MemoryStore(), logger, executors: { process: { warmSpares: 1 } } });
  let wake: (() => void) | undefined;
  s.onRunFinished((run) => {
    finished.push(run);
    wake?.();
  });
  scheduler = s;
  const runs = async (count: number): Promise<{ record: RunRecord; error?: unknown }[]> => {
    const deadline = Date.now() + 20_000;
    while (finished.length < count) {
      if (Date.now() > deadline) throw new Error(`waited for ${count} runs; got ${JSON.stringify(finished.map((f) => f.record))}`);
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, 100);
      });
    }
    return finished.slice(0, count);
  };
  return { s, runs, lines };
}

describe('process executor when the OS refuses a fork', () => {
  it('fails the run that needed a child with XCORE_ERR_EXECUTOR_SPAWN_FAILED, and runs again once forks work', async () => {
    const { s, runs } = make();
    forks.allowed = 0;
    await s.addJob({ id: 'refused', every: 150, executor: 'process', module: JOBS, export: 'hello' });
    s.startFiring();
    const [first] = await runs(1);
    expect(first!.record.status).toBe('failed');
    expect((first!.error as { code?: string }).code).toBe('XCORE_ERR_EXECUTOR_SPAWN_FAILED');
    expect(first!.record.error).toMatch(/could not start a child process .*spawn ENOMEM.*ulimit -u/);
    forks.allowed = Infinity;
    const later = await runs(6);
    expect(later.some((run) => run.record.status === 'succeeded')).toBe(true);
  });

  it('logs a warm spare that cannot start once, keeps the host up, and the runs still succeed', async () => {
    const { s, runs, lines } = make();
    // The first run's child forks; every warm spare after it is refused.
    forks.allowed = 1;
    await s.addJob({ id: 'spares', runDate: Date.now() + 50, executor: 'process', module: JOBS, export: 'hello' });
    s.startFiring();
    const [first] = await runs(1);
    expect(first!.record.status).toBe('succeeded');
    await vi.waitFor(() => expect(forks.refused).toBeGreaterThan(0));
    await s.addJob({ id: 'spares-2', runDate: Date.now() + 50, executor: 'process', module: JOBS, export: 'hello' });
    const [, second] = await runs(2);
    expect(second!.record.status).toBe('failed');
    const warnings = lines.filter((line) => typeof line.msg === 'string' && line.msg.includes('warm spare child could not start'));
    expect(warnings).toHaveLength(1);
    expect((warnings[0]!.err as { code?: string }).code).toBe('XCORE_ERR_EXECUTOR_SPAWN_FAILED');
    forks.allowed = Infinity;
    await s.addJob({ id: 'spares-3', runDate: Date.now() + 50, executor: 'process', module: JOBS, export: 'hello' });
    const [, , third] = await runs(3);
    expect(third!.record.status).toBe('succeeded');
  });
});
