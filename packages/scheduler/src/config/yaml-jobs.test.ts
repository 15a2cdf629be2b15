import { afterEach, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { parseConfigText } from '@xcore/core';
import { schedulerConfigSchema } from './scheduler-config.js';
import { yamlJobModuleFile } from './yaml-jobs.js';
import { createScheduler } from '../service/scheduler-definition.js';
import type { Scheduler } from '../service/scheduler.js';

const FILE = fileURLToPath(new URL('./xcore.yaml', import.meta.url));
const logger = pino({ level: 'silent' });

function load(text: string) {
  const loaded = parseConfigText(text, FILE, { env: {}, services: [{ name: 'scheduler', configSchema: schedulerConfigSchema }] });
  const config = schedulerConfigSchema.parse(loaded.config.services['scheduler']);
  return { loaded, config };
}

/** A `ConfigInvalidError`, as far as these tests read it. */
type LoadFailure = Error & { code: string; issues: { line: number; path: string; message: string }[] };

/** The error loading `text` throws, or `undefined`. */
function loadError(text: string): LoadFailure | undefined {
  try {
    load(text);
    return undefined;
  } catch (e) {
    return e as LoadFailure;
  }
}

async function boot(text: string): Promise<Scheduler> {
  const { loaded, config } = load(text);
  return createScheduler({ config, logger, configFile: FILE, loaded });
}

const yaml = (job: string): string => `services:
  scheduler:
    timezone: Europe/Berlin
    jobs:
      - id: ok
        func: ./fixtures/jobs.ts:record
        trigger: { type: interval, seconds: 5 }
${job}`;

describe('YAML jobs', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('loads ./module.ts:export relative to the config file, owned by config, with args and overrides', async () => {
    vi.useFakeTimers();
    vi.setSystemTime(Date.parse('2026-01-01T00:00:00Z'));
    const scheduler = await boot(yaml(`      - id: nightly
        func: ./fixtures/jobs.ts:record
        trigger: { type: cron, expression: "0 3 * * *" }
        args: [1, "two"]
        timeout: 30s
        retries: 2
`));
    const jobs = await scheduler.jobs();
    expect(jobs.map((j) => [j.id, j.owner, j.trigger, j.nextRunAt?.toISOString()])).toEqual([
      ['nightly', 'config', expect.stringContaining('Europe/Berlin'), '2026-01-01T02:00:00.000Z'],
      ['ok', 'config', 'every 5s', '2026-01-01T00:00:05.000Z'],
    ]);
    const g = globalThis as { __xcoreYamlCalls?: string[] };
    g.__xcoreYamlCalls = [];
    const record = await scheduler.runJob('nightly');
    expect(record.status).toBe('succeeded');
    expect(g.__xcoreYamlCalls).toEqual(['nightly [1,"two"]']);
    const stopping = scheduler.stop({ deadlineMs: 0 });
    await vi.advanceTimersByTimeAsync(0);
    await stopping;
  });

  it.each([
    ['a module that does not exist', './fixtures/missing.ts:record', 'XCORE_ERR_JOB_FUNC_INVALID', 'cannot import "./fixtures/missing.ts"'],
    ['a missing export', './fixtures/jobs.ts:nope', 'XCORE_ERR_JOB_FUNC_INVALID', 'has no export "nope" (exports: notAFunction, record)'],
    ['an export that is not a function', './fixtures/jobs.ts:notAFunction', 'XCORE_ERR_JOB_FUNC_INVALID', 'is a number, not a function'],
    ['a package that does not exist', 'no-such-package-xcore:run', 'XCORE_ERR_JOB_FUNC_INVALID', 'cannot import "no-such-package-xcore"'],
  ])('reports %s with file:line:col of its func and the job id', async (_name, func, code, detail) => {
    const error = await boot(yaml(`      - id: broken
        func: ${func}
        trigger: { type: interval, minutes: 1 }
`)).catch((e: unknown) => e);
    expect(error).toMatchObject({ code });
    expect((error as Error).message).toContain(`${FILE}:9:9: job "broken"`);
    expect((error as Error).message).toContain(detail);
  });

  it('says why a module with a syntax error cannot be imported, not only that it failed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xcore-yaml-job-'));
    try {
      writeFileSync(join(dir, 'broken.ts'), 'export const = 1;\n');
      const error = await boot(yaml(`      - id: broken\n        func: ${join(dir, 'broken.ts')}:run\n        trigger: { type: interval, minutes: 1 }\n`)).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'XCORE_ERR_JOB_FUNC_INVALID' });
      expect((error as Error).message).toMatch(/broken\.ts:1:\d+: ERROR: Expected identifier/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each([
    ['a bad cron expression', '{ type: cron, expression: "99 * * * *" }', 'XCORE_ERR_CRON_INVALID'],
    ['an unknown timezone', '{ type: cron, expression: "0 * * * *", timezone: Mars/Base }', 'XCORE_ERR_TIMEZONE_INVALID'],
  ])('reports %s with the position of the trigger and the job id (config built in code)', async (_name, trigger, code) => {
    // Validation of the file catches these first (next test); a config built in code still gets positions.
    const { loaded } = load(yaml(''));
    const parsed = schedulerConfigSchema.parse({ jobs: [{ id: 'ok', func: './fixtures/jobs.ts:record', trigger: { type: 'interval', seconds: 5 } }] });
    const raw = trigger.includes('Mars')
      ? { type: 'cron' as const, expression: '0 * * * *', timezone: 'Mars/Base' }
      : { type: 'cron' as const, expression: '99 * * * *' };
    const config = { ...parsed, jobs: [...parsed.jobs, { id: 'broken', func: './fixtures/jobs.ts:record', trigger: raw, args: [] }] };
    const error = await createScheduler({ config, logger, configFile: FILE, loaded }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code });
    expect((error as Error).message).toMatch(/xcore\.yaml(:\d+:\d+)?: job "broken": /);
  });

  it('rejects a bad cron expression or timezone at validation, pointing at its line', () => {
    const text = yaml(`      - id: broken
        func: ./fixtures/jobs.ts:record
        trigger: { type: cron, expression: "99 * * * *", timezone: Mars/Base }
`);
    const error = loadError(text);
    expect(error?.code).toBe('XCORE_ERR_CONFIG_INVALID');
    expect(error?.issues.map((i) => [i.line, i.path]).sort()).toEqual([
      [10, 'services.scheduler.jobs[1].trigger.expression'],
      [10, 'services.scheduler.jobs[1].trigger.timezone'],
    ]);
    expect(error?.issues.map((i) => i.message).join('\n')).toContain('unknown timezone "Mars/Base"');
  });

  it.each([
    ['a bad cron expression', '{ type: cron, expression: "61 * * * *" }', '10:44', 'expression', 'invalid cron expression "61 * * * *": minute "61" is out of range: allowed 0-59.'],
    ['an unknown timezone', '{ type: cron, expression: "0 3 * * *", timezone: Mars/Base }', '10:67', 'timezone', 'unknown timezone "Mars/Base": not an IANA zone name'],
  ])('reports %s in a YAML job at validation with file:line:col, key path and the job id', (_name, trigger, position, key, detail) => {
    const text = yaml(`      - id: nightly
        func: ./fixtures/jobs.ts:record
        trigger: ${trigger}
`);
    const error = loadError(text);
    expect(error?.code).toBe('XCORE_ERR_CONFIG_INVALID');
    expect(error?.message).toContain(`${FILE}:${position}  services.scheduler.jobs[1].trigger.${key} (job "nightly"): ${detail}`);
  });

  it('validates the section strictly: unknown keys, a zero interval, redis without url, duplicate ids', () => {
    const bad = schedulerConfigSchema.safeParse({
      backend: 'redis',
      colour: 'blue',
      jobs: [
        { id: 'a', func: './x.ts:f', trigger: { type: 'interval' } },
        { id: 'a', func: './x.ts:f', trigger: { type: 'date', runDate: 'tomorrow' } },
      ],
    });
    expect(bad.success).toBe(false);
    const paths = bad.error!.issues.map((i) => i.path.join('.')).sort();
    expect(paths).toEqual(['', 'jobs.0.trigger', 'jobs.1.trigger.runDate']);
    const defaults = schedulerConfigSchema.parse(undefined);
    expect(defaults).toEqual({
      enabled: true, backend: 'memory', prefix: 'xcore', timezone: 'UTC', defaults: {}, jobs: [], leaseMs: 30_000, pollMs: 30_000, logRuns: 'debug', metrics: { jobLabelLimit: 100 },
      overdue: { checkInterval: 5_000, stuckAfter: null, learnedFactor: 3, learnedMin: 60_000 }, // after: unset, resolved at boot (1 min, or the deprecated health.overdueAfter)
      executors: {
        thread: { minThreads: 1, idleTimeout: 30_000, maxQueue: 1000, maxBufferMb: 1024, resourceLimits: { maxOldGenerationSizeMb: 256 } },
        process: { maxChildren: 4, maxQueue: 1000, maxOldGenerationSizeMb: 256, maxRssMb: 1024, warmSpares: 1, runsPerChild: 1, idleTimeout: 30_000, rssCheckInterval: 50 },
      },
    });
    const redis = schedulerConfigSchema.safeParse({ backend: 'redis' });
    expect(redis.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([['url', 'backend "redis" needs `url` (e.g. redis://127.0.0.1:6379) or, for a Redis Cluster, `nodes`']]);
    const both = schedulerConfigSchema.safeParse({ backend: 'redis', url: 'redis://127.0.0.1:6379', nodes: ['127.0.0.1:7000'] });
    expect(both.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([['nodes', 'give `url` (one Redis) or `nodes` (a Redis Cluster), not both']]);
    expect(schedulerConfigSchema.safeParse({ backend: 'redis', nodes: [] }).success).toBe(false);
    expect(schedulerConfigSchema.parse({ backend: 'redis', nodes: ['127.0.0.1:7000', 'redis://127.0.0.1:7001'] }).nodes).toEqual(['127.0.0.1:7000', 'redis://127.0.0.1:7001']);
    const dup = schedulerConfigSchema.safeParse({ jobs: [{ id: 'a', func: './x.ts:f', trigger: { type: 'interval', seconds: 1 } }, { id: 'a', func: './x.ts:f', trigger: { type: 'interval', seconds: 1 } }] });
    expect(dup.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([['jobs.1.id', 'duplicate job id "a"']]);
    const durations = schedulerConfigSchema.parse({ defaults: { timeout: '1m30s', misfireGraceTime: null }, leaseMs: '10s' });
    expect([durations.defaults.timeout, durations.defaults.misfireGraceTime, durations.leaseMs]).toEqual([90_000, null, 10_000]);
  });
});

describe('YAML jobs on the thread and process executors', () => {
  it('runs a func on a worker thread (executor per job, or defaults.executor) without importing it in the host', async () => {
    const s = await boot(`
services:
  scheduler:
    defaults: { executor: thread }
    jobs:
      - id: on-thread
        func: ../executors/fixtures/executor-jobs.mjs:hello
        args: [1]
        trigger: { type: interval, hours: 1 }
      - id: in-child
        func: ../executors/fixtures/executor-jobs.mjs:hello
        executor: process
        trigger: { type: interval, hours: 1 }
`);
    try {
      const thread = await s.runJob('on-thread');
      const child = await s.runJob('in-child');
      expect([thread.status, child.status]).toEqual(['succeeded', 'succeeded']);
    } finally {
      await s.stop({ deadlineMs: 0 });
    }
  });

  it('refuses env on a job that does not run in a child process, pointing at its line', () => {
    const error = loadError(`
services:
  scheduler:
    jobs:
      - id: a
        func: ./fixtures/jobs.ts:record
        executor: thread
        env: [HOME]
        trigger: { type: interval, hours: 1 }
`);
    expect(error?.message).toContain('env is for executor: process');
  });
});

describe('yamlJobModuleFile', () => {
  it('is the file a path or file: URL names, and undefined for a package (scoped or not) or a func without :export', () => {
    expect(yamlJobModuleFile('./jobs/report.ts:run', '/app')).toBe('/app/jobs/report.ts');
    expect(yamlJobModuleFile('../shared/x.mjs:x', '/app')).toBe('/shared/x.mjs');
    expect(yamlJobModuleFile('/srv/jobs/clean.mjs:clean', '/app')).toBe('/srv/jobs/clean.mjs');
    expect(yamlJobModuleFile('file:///srv/jobs/url.mjs:go', '/app')).toBe('/srv/jobs/url.mjs');
    expect(yamlJobModuleFile('@acme/jobs:nightly', '/app')).toBeUndefined();
    expect(yamlJobModuleFile('acme-jobs:nightly', '/app')).toBeUndefined();
    expect(yamlJobModuleFile('./jobs/report.ts', '/app')).toBeUndefined();
  });
});
