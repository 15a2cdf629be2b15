import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { readdirSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import { MemoryStore } from '../stores/memory-store.js';
import { Scheduler, type SchedulerOptions } from '../service/scheduler.js';
import type { RunRecord } from '../stores/store.js';
import type { AddJobOptions, ModuleJobOptions } from '../service/job-options.js';

const JOBS = new URL('./fixtures/executor-jobs.mjs', import.meta.url);
const EXECUTORS = ['thread', 'process'] as const;

let scheduler: Scheduler | undefined;

afterEach(async () => {
  await scheduler?.stop({ deadlineMs: 0 });
  await scheduler?.dispose();
  scheduler = undefined;
});

/** A scheduler whose finished runs land in `finished`, and a way to wait for them. */
function make(options: Partial<SchedulerOptions> = {}) {
  const finished: { record: RunRecord; result?: unknown; error?: unknown }[] = [];
  const waiters: (() => void)[] = [];
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  const s = new Scheduler({ store: new MemoryStore(), logger, ...options });
  s.onRunFinished((run) => {
    finished.push(run);
    for (const wake of waiters.splice(0)) wake();
  });
  scheduler = s;
  /** Resolves once `count` runs of `jobId` finished (fails the test after `ms`). */
  const runsOf = async (jobId: string, count = 1, ms = 20_000): Promise<{ record: RunRecord; result?: unknown; error?: unknown }[]> => {
    const deadline = Date.now() + ms;
    for (;;) {
      const mine = finished.filter((f) => f.record.jobId === jobId);
      if (mine.length >= count) return mine;
      if (Date.now() > deadline) throw new Error(`waited ${ms} ms for ${count} runs of ${jobId}; got ${JSON.stringify(mine.map((m) => m.record))}`);
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
  };
  return { scheduler: s, runsOf, lines };
}

function job(id: string, executor: 'thread' | 'process', exportName: string, more: Partial<AddJobOptions> = {}): ModuleJobOptions {
  return { id, runDate: Date.now() + 50, executor, module: JOBS, export: exportName, ...more };
}

/** Job `id` running `exportName`, then a `hello` job on the same executor: the records of both first runs. */
async function runThenHello(executor: 'thread' | 'process', id: string, exportName: string): Promise<{ run: RunRecord; after: RunRecord }> {
  const { scheduler: s, runsOf } = make();
  await s.addJob(job(id, executor, exportName));
  await s.addJob(job('after', executor, 'hello'));
  s.startFiring();
  const [run] = await runsOf(id);
  const [after] = await runsOf('after');
  return { run: run!.record, after: after!.record };
}

/** OS threads of this process (a worker thread is one; vitest runs each test file in its own process). */
function osThreads(): number {
  return readdirSync('/proc/self/task').length;
}

/** Child processes of this process still running a job. */
function jobChildren(): string[] {
  const out = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(process.pid)], { encoding: 'utf8' });
  return out.split('\n').filter((line) => line.includes('process-child.mjs'));
}

describe.each(EXECUTORS)('executor %s', (executor) => {
  it('runs a module export with its context and returns its value; the job logs through the host logger', async () => {
    const { scheduler: s, runsOf, lines } = make();
    process.env.XCORE_TEST_SECRET = 'sesame';
    await s.addJob(job('hello', executor, 'hello', { args: [7], ...(executor === 'process' ? { env: ['XCORE_TEST_SECRET'] } : {}) }));
    s.startFiring();
    const [run] = await runsOf('hello');
    expect(run!.record.status).toBe('succeeded');
    expect(run!.result).toMatchObject({ jobId: 'hello', attempt: 1, args: [7], env: 'sesame' });
    if (executor === 'process') expect((run!.result as { visible: string[] }).visible).toEqual(['XCORE_TEST_SECRET']);
    expect(lines.find((l) => l.msg === 'hello from the job')).toMatchObject({ job: 'hello', attempt: 1, executor, n: 7 });
  });

  it('records a busy loop as timed out at its 100 ms deadline and kills it; the next occurrence runs', async () => {
    // The job spins for a minute, ignoring its signal: its runs are recorded at the deadline, not
    // when it would end. With one worker thread or child, the `after` job can run only once the
    // spinning one was killed.
    const spinMs = 60_000;
    const { scheduler: s, runsOf } = make({ executors: { thread: { maxThreads: 1 }, process: { maxChildren: 1 } } });
    await s.addJob({ id: 'busy', every: 400, executor, module: JOBS, export: 'busy', args: [spinMs], timeout: 100 });
    s.startFiring();
    const runs = (await runsOf('busy', 2)).map(({ record }) => record);
    for (const record of runs) {
      expect(record).toMatchObject({ status: 'timed_out', attempts: 1, error: expect.stringContaining('timed out after 100 ms') });
      // Whole milliseconds of Date.now() around a timer libuv schedules on its cached loop time: the
      // deadline can read as 99 ms (seen once in a full suite).
      expect(record.finishedAt! - record.startedAt!).toBeGreaterThanOrEqual(99);
      expect(record.finishedAt! - record.startedAt!).toBeLessThan(spinMs);
    }
    expect(runs[1]!.scheduledAt).toBeGreaterThan(runs[0]!.scheduledAt);
    await s.removeJob('busy');
    await s.addJob(job('after', executor, 'hello'));
    expect((await runsOf('after', 1, 10_000))[0]!.record.status).toBe('succeeded');
  });

  it('records process.exit in a job as crashed, and the host goes on', async () => {
    const { run, after } = await runThenHello(executor, 'exits', 'exits');
    expect(run).toMatchObject({ status: 'crashed', attempts: 1 });
    expect(run.error).toMatch(/exited with code:? 3/);
    expect(after.status).toBe('succeeded');
  });

  it('records a segfault-like crash (SIGSEGV to its own process) as crashed, and the host goes on', async () => {
    const { run, after } = await runThenHello(executor, 'segv', 'segfault');
    // A child is killed by the signal; a worker thread ends with 128 + 11 instead of taking the host.
    expect(run).toMatchObject({ status: 'crashed', error: expect.stringMatching(executor === 'process' ? /SIGSEGV/ : /exited with code:? 139/) });
    expect(after.status).toBe('succeeded');
  });

  it('records a heap bomb as out of memory, and the host goes on', async () => {
    const { scheduler: s, runsOf } = make({ executors: { thread: { resourceLimits: { maxOldGenerationSizeMb: 64 } }, process: { maxOldGenerationSizeMb: 64 } } });
    await s.addJob(job('bomb', executor, 'heapBomb'));
    s.startFiring();
    const [run] = await runsOf('bomb', 1, 60_000);
    expect(run!.record.status).toBe('out_of_memory');
    await s.addJob(job('after', executor, 'hello'));
    expect((await runsOf('after'))[0]!.record.status).toBe('succeeded');
  }, 90_000);

  it('a job that throws is failed with its message; a missing export is refused when the job is added', async () => {
    const { scheduler: s, runsOf } = make();
    await s.addJob(job('throws', executor, 'throws'));
    s.startFiring();
    const [run] = await runsOf('throws');
    expect(run!.record).toMatchObject({ status: 'failed', error: 'the job failed on purpose' });
    await expect(s.addJob(job('nope', executor, 'notAFunction'))).rejects.toMatchObject({ code: 'XCORE_ERR_JOB_EXECUTOR_INVALID', message: expect.stringContaining('is a number, not a function') });
    await expect(s.getJob('nope')).resolves.toBeUndefined();
  });

  it('shutdown aborts running runs at the drain deadline and leaves no worker thread or child process', async () => {
    const { scheduler: s, runsOf } = make();
    const threadsBefore = osThreads();
    await s.addJob(job('sleeps', executor, 'sleeps', { args: [60_000] }));
    s.startFiring();
    const deadline = Date.now() + 20_000;
    while (s.runningJobs().length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(osThreads()).toBeGreaterThan(threadsBefore);
    if (executor === 'process') {
      while (jobChildren().length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      // The job's child, and the warm spare started beside it.
      expect(jobChildren().length).toBeGreaterThanOrEqual(1);
    }
    const report = await s.stop({ deadlineMs: 200 });
    expect(report.aborted).toEqual(['sleeps']);
    expect((await runsOf('sleeps'))[0]!.record.status).toBe('aborted');
    expect(jobChildren()).toEqual([]);
    // The pool's worker threads (one per run here, the probe's included) are gone too.
    expect(osThreads()).toBeLessThanOrEqual(threadsBefore);
  });
});

describe('thread executor memory outside the heap', () => {
  it.each(['bigBuffer', 'bigTypedArray', 'caughtBigBuffer', 'manyBuffers'])('refuses %s past maxBufferMb, records out of memory, and the host and the next run go on', async (exportName) => {
    const { scheduler: s, runsOf } = make({ executors: { thread: { maxBufferMb: 256 } } });
    const rssBefore = process.memoryUsage().rss;
    await s.addJob(job('buffer', 'thread', exportName));
    s.startFiring();
    const [run] = await runsOf('buffer', 1, 60_000);
    expect(run!.record.status).toBe('out_of_memory');
    expect(run!.record.error).toContain('cap of 256 MB');
    // The 2 GB never existed: this process (the worker's memory is in it) grew far less.
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(1024 * 1024 * 1024);
    await s.addJob(job('after', 'thread', 'hello'));
    expect((await runsOf('after'))[0]!.record.status).toBe('succeeded');
  }, 90_000);
});

describe('thread executor memory sampled from the host', () => {
  // Worker#getHeapStatistics: Node 22.16 and 24, not 20.
  const sampled = typeof (Worker.prototype as { getHeapStatistics?: unknown }).getHeapStatistics === 'function';
  it.skipIf(!sampled)('ends a worker that holds memory taken by an unchecked path and never yields, recording out of memory', async () => {
    const { scheduler: s, runsOf } = make({ executors: { thread: { maxBufferMb: 128 } } });
    await s.addJob(job('native', 'thread', 'randomBytesThenSpin', { timeout: 30_000 }));
    s.startFiring();
    const [run] = await runsOf('native', 1, 60_000);
    expect(run!.record).toMatchObject({ status: 'out_of_memory', error: expect.stringContaining('outside the V8 heap') });
  }, 90_000);
});

describe('process executor children', () => {
  const pids = (runs: { result?: unknown }[]): number[] => runs.map((r) => (r.result as { pid: number }).pid);
  /** The first `count` succeeded runs of `id`: a run waiting for a Node.js start makes the next occurrence skip (maxInstances). */
  const succeeded = async (runsOf: ReturnType<typeof make>['runsOf'], id: string, count: number): Promise<{ record: RunRecord; result?: unknown }[]> => {
    for (let n = count; ; n++) {
      const ok = (await runsOf(id, n)).filter((r) => r.record.status === 'succeeded');
      if (ok.length >= count) return ok.slice(0, count);
    }
  };

  it('gives each run a fresh process by default (a warm spare), with only the env the job declares', async () => {
    const { scheduler: s, runsOf } = make();
    process.env.XCORE_TEST_SECRET = 'sesame';
    await s.addJob({ id: 'fresh', every: 150, executor: 'process', module: JOBS, export: 'whoAmI', env: ['XCORE_TEST_SECRET'] });
    s.startFiring();
    const runs = await succeeded(runsOf, 'fresh', 3);
    expect(new Set(pids(runs)).size).toBe(3);
    for (const run of runs) expect(run.result).toMatchObject({ served: 1, visible: ['XCORE_TEST_SECRET'] });
  });

  it('forks a child with the env for a job declaring a variable Node.js reads only at startup', async () => {
    const { scheduler: s, runsOf } = make({ executors: { process: { warmSpares: 2 } } });
    const saved = process.env.NODE_OPTIONS;
    process.env.NODE_OPTIONS = '--title=xcore-startup-env';
    try {
      await s.addJob({ id: 'startup', every: 300, executor: 'process', module: JOBS, export: 'whoAmI', env: ['NODE_OPTIONS'] });
      s.startFiring();
      const runs = await succeeded(runsOf, 'startup', 2);
      // A spare (started before the run, with no env) would show node's own title.
      for (const run of runs) expect(run.result).toMatchObject({ title: 'xcore-startup-env', visible: ['NODE_OPTIONS'] });
    } finally {
      if (saved === undefined) delete process.env.NODE_OPTIONS;
      else process.env.NODE_OPTIONS = saved;
    }
  });

  it('keeps no handle on the event loop for a warm spare or a child kept for reuse', async () => {
    const { scheduler: s, runsOf } = make({ executors: { process: { runsPerChild: 5, warmSpares: 1 } } });
    const handles = (): number => process.getActiveResourcesInfo().filter((kind) => /Process|Pipe/.test(kind)).length;
    // Children of the tests before are gone (their handles with them).
    const settled = Date.now() + 10_000;
    while (jobChildren().length > 0 && Date.now() < settled) await new Promise((r) => setTimeout(r, 20));
    const before = handles();
    await s.addJob(job('once', 'process', 'whoAmI'));
    s.startFiring();
    await succeeded(runsOf, 'once', 1);
    // The kept child and the spare are alive (stop kills them) but hold nothing: the host could exit.
    const deadline = Date.now() + 10_000;
    while (jobChildren().length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(jobChildren()).toHaveLength(2);
    // (Fewer is fine: a handle of an earlier test may have closed meanwhile; each such child holds 4.)
    while (handles() > before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(handles()).toBeLessThanOrEqual(before);
  });

  it('a host closing with a warm spare idle waits for its exit and ends normally', () => {
    // Its own process: here vitest's handles would keep the loop alive whatever the executor does.
    const host = fileURLToPath(new URL('./fixtures/close-idle-host.mjs', import.meta.url));
    const result = spawnSync(process.execPath, ['--import', 'tsx', host], { cwd: fileURLToPath(new URL('../..', import.meta.url)), encoding: 'utf8', timeout: 60_000 });
    expect({ status: result.status, stdout: result.stdout.trim() }).toEqual({ status: 0, stdout: 'closed cleanly' });
  }, 90_000);

  it('with runsPerChild reuses a child for runs declaring the same env values, never for others', async () => {
    const { scheduler: s, runsOf } = make({ executors: { process: { runsPerChild: 3, warmSpares: 0 } } });
    process.env.XCORE_TEST_SECRET = 'sesame';
    await s.addJob({ id: 'with', every: 150, executor: 'process', module: JOBS, export: 'whoAmI', env: ['XCORE_TEST_SECRET'] });
    await s.addJob({ id: 'without', every: 150, executor: 'process', module: JOBS, export: 'whoAmI' });
    s.startFiring();
    const withEnv = await succeeded(runsOf, 'with', 4);
    const without = await succeeded(runsOf, 'without', 4);
    // Three runs per child, then a new one; module state (the served count) persists between them.
    expect(pids(withEnv).slice(0, 3)).toEqual(Array(3).fill(pids(withEnv)[0]));
    expect(pids(withEnv)[3]).not.toBe(pids(withEnv)[0]);
    expect(withEnv.map((r) => (r.result as { served: number }).served)).toEqual([1, 2, 3, 1]);
    for (const run of withEnv) expect((run.result as { visible: string[] }).visible).toEqual(['XCORE_TEST_SECRET']);
    for (const run of without) expect((run.result as { visible: string[] }).visible).toEqual([]);
    expect(pids(without).some((pid) => pids(withEnv).includes(pid))).toBe(false);
  });
});

describe('process executor memory', () => {
  it('kills a child that fills a 2 GB Buffer past its RSS cap and records out of memory', async () => {
    const { scheduler: s, runsOf } = make({ executors: { process: { maxRssMb: 256 } } });
    await s.addJob(job('buffer', 'process', 'bigBuffer'));
    s.startFiring();
    const [run] = await runsOf('buffer', 1, 60_000);
    expect(run!.record.status).toBe('out_of_memory');
    expect(run!.record.error).toContain('256 MB');
  }, 90_000);

});

describe('executor options', () => {
  it('refuses a function for thread, env outside process, relative modules and uncloneable args, storing nothing', async () => {
    const { scheduler: s } = make();
    const refused = async (run: () => Promise<unknown>, text: string): Promise<void> => {
      await expect(run()).rejects.toMatchObject({ code: 'XCORE_ERR_JOB_EXECUTOR_INVALID', message: expect.stringContaining(text) });
    };
    await refused(() => s.addJob(() => undefined, { id: 'f', every: '1s', executor: 'thread' }), 'functions do not cross threads');
    await refused(() => s.addJob({ id: 'e', every: '1s', executor: 'thread', module: JOBS, export: 'hello', env: ['HOME'] }), 'env is for executor "process"');
    await refused(() => s.addJob({ id: 'r', every: '1s', executor: 'thread', module: './jobs.js' }), 'relative path');
    await refused(() => s.addJob({ id: 'm', every: '1s', executor: 'process', module: '/nonexistent/job.mjs' }), 'does not exist');
    await refused(() => s.addJob({ id: 'a', every: '1s', executor: 'thread', module: JOBS, export: 'hello', args: [new Map([[1, () => 1]])] }), 'args');
    expect(await s.jobs()).toEqual([]);
  });
});
