import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigInvalidError } from '../errors.js';
import type { ServiceDefinition } from '../services/service.js';
import { parseConfigText } from './load-config.js';
import { positionIssues } from './position-issues.js';
import { validateSection } from './validate-section.js';

const FILE = '/srv/xcore.yaml';

const greeterSchema = z.strictObject({
  greeting: z.string().default('hello'),
  times: z.number().int().min(1).default(1),
});

function caught(fn: () => unknown): ConfigInvalidError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigInvalidError) return error;
    throw error;
  }
  throw new Error('expected a ConfigInvalidError');
}

describe('validateSection', () => {
  const text = ['plugins:', '  config:', '    greeter:', '      greting: hi', '      times: 0', '    clock: { tz: UTC }'].join('\n');
  const loaded = parseConfigText(text, FILE, { env: {} });

  it('reports issues of a plugin section at their lines with the full key path', () => {
    const error = caught(() => validateSection(loaded, ['plugins', 'config', 'greeter'], greeterSchema));
    expect(error.issues.map((i) => [i.line, i.col, i.path, i.expected, i.found])).toEqual([
      [4, 7, 'plugins.config.greeter.greting', 'one of the known keys (greeting, times)', 'unknown key "greting" (did you mean "greeting"?)'],
      [5, 14, 'plugins.config.greeter.times', 'number >= 1', '0'],
    ]);
    expect(error.message).toContain('/srv/xcore.yaml:5:14  plugins.config.greeter.times: expected number >= 1, found 0');
  });

  it('returns the parsed, frozen section', () => {
    const clock = validateSection(loaded, ['plugins', 'config', 'clock'], z.strictObject({ tz: z.string(), every: z.string().default('1s') }));
    expect(clock).toEqual({ tz: 'UTC', every: '1s' });
    expect(Object.isFrozen(clock)).toBe(true);
  });

  it('passes an absent section as undefined, so prefault({}) applies defaults', () => {
    expect(validateSection(loaded, ['plugins', 'config', 'absent'], greeterSchema.prefault({}))).toEqual({ greeting: 'hello', times: 1 });
    const error = caught(() => validateSection(loaded, ['plugins', 'config', 'absent'], greeterSchema));
    expect(error.issues.map((i) => [i.line, i.col, i.path, i.expected, i.found])).toEqual([
      [2, 3, 'plugins.config.absent', 'object', 'nothing (the key is missing)'],
    ]);
  });
});

describe('positionIssues', () => {
  const jobs = z.array(
    z.strictObject({
      id: z.string(),
      trigger: z.discriminatedUnion('type', [
        z.strictObject({ type: z.literal('interval'), seconds: z.number().positive() }),
        z.strictObject({
          type: z.literal('cron'),
          expression: z.string().refine((value) => value.trim().split(/\s+/).length >= 5, {
            message: 'a cron expression needs 5 or 6 fields',
            params: { expected: 'a cron expression with 5 or 6 fields' },
          }),
        }),
      ]),
    }),
  );
  const scheduler = {
    name: 'scheduler',
    configSchema: z.strictObject({ jobs: z.array(z.unknown()).default([]) }),
    create: () => ({}),
  } as unknown as ServiceDefinition;
  const text = [
    'services:',
    '  scheduler:',
    '    jobs:',
    '      - id: a',
    '        trigger: { type: interval, seconds: 5 }',
    '      - id: b',
    '        trigger: { type: cron, expression: "* *" }',
    '      - id: c',
    '        trigger:',
    '          type: cron',
    '          expression: 0 * * * *',
    '          timezone: UTC',
  ].join('\n');
  const loaded = parseConfigText(text, FILE, { env: {}, services: [scheduler] });

  it('positions a service-specific validation under a base path, with custom expectations', () => {
    const result = jobs.safeParse(loaded.config.services.scheduler && (loaded.config.services.scheduler as { jobs: unknown }).jobs, {
      reportInput: true,
    });
    expect(result.success).toBe(false);
    const issues = positionIssues(loaded, ['services', 'scheduler', 'jobs'], result.error!.issues, jobs);
    expect(issues.map((i) => `${i.line}:${i.col} ${i.path} | ${i.expected} | ${i.found}`)).toEqual([
      '7:44 services.scheduler.jobs[1].trigger.expression | a cron expression with 5 or 6 fields | "* *"',
      '12:11 services.scheduler.jobs[2].trigger.timezone | one of the known keys (type, expression) | unknown key "timezone"',
    ]);
  });

  it('keeps the message of a custom issue without an expectation', () => {
    const custom = z.string().refine(() => false, { message: 'job b: module ./jobs/b.ts has no export "run"' });
    const result = custom.safeParse('x', { reportInput: true });
    const [issue] = positionIssues(loaded, ['services', 'scheduler', 'jobs', 1, 'id'], result.error!.issues);
    expect(issue).toMatchObject({ line: 6, col: 13, path: 'services.scheduler.jobs[1].id', message: 'services.scheduler.jobs[1].id: job b: module ./jobs/b.ts has no export "run"' });
  });
});

describe('naming list items by id', () => {
  const text = [
    'plugins:',
    '  config:',
    '    worker:',
    '      tasks:',
    '        - { id: backup, every: 0 }',
    '        - { id: prune, every: 7, colour: red }',
    '      plain:',
    '        - { id: sweep, every: 0 }',
  ].join('\n');
  const loaded = parseConfigText(text, FILE, { env: {} });
  const item = z.strictObject({ id: z.string(), every: z.number().positive().refine((n) => n !== 7, { message: 'seven is not allowed' }) });
  const schema = z.strictObject({ tasks: z.array(item.meta({ title: 'task' })), plain: z.array(item) });

  it('follows the key path with the title and id of a titled list item, for every kind of issue', () => {
    const error = caught(() => validateSection(loaded, ['plugins', 'config', 'worker'], schema));
    expect(error.issues.map((i) => `${i.line}:${i.col} ${i.message}`)).toEqual([
      '5:32 plugins.config.worker.tasks[0].every (task "backup"): expected number > 0, found 0',
      '6:31 plugins.config.worker.tasks[1].every (task "prune"): seven is not allowed',
      '6:34 plugins.config.worker.tasks[1].colour (task "prune"): expected one of the known keys (id, every), found unknown key "colour"',
      '8:31 plugins.config.worker.plain[0].every: expected number > 0, found 0',
    ]);
    expect(error.issues.map((i) => i.path)).toContain('plugins.config.worker.tasks[0].every');
    expect(error.message).toContain(`${FILE}:5:32  plugins.config.worker.tasks[0].every (task "backup"): expected number > 0, found 0`);
  });

  it('names nothing without the checked value', () => {
    const result = schema.safeParse((loaded.config.plugins.config as { worker: unknown }).worker, { reportInput: true });
    const issues = positionIssues(loaded, ['plugins', 'config', 'worker'], result.error!.issues, schema);
    expect(issues[0]?.message).toBe('plugins.config.worker.tasks[0].every: expected number > 0, found 0');
  });
});
