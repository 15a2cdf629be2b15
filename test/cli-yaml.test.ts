/**
 * `xcore.yaml` at its limits, through the real binary: an alias bomb is a config error with its
 * position, each YAML job module is imported once (shared state, boot linear in the jobs), and a
 * signal while job modules load stops the boot.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { killAppsAfterEach, lineWith, QUIET_LOGS, start, track, writeApp } from './helpers/cli-app.js';
import { runXcore } from './helpers/cli-process.js';

killAppsAfterEach();

/** A job module that records each evaluation and each run (with a counter shared by its jobs). */
const COUNTER_MODULE = `import { appendFileSync } from 'node:fs';
const log = (line: string) => appendFileSync(new URL('../events.log', import.meta.url), line + '\\n');
log('evaluated');
const state = { runs: 0 };
export function bump(): void {
  state.runs += 1;
  log('run ' + state.runs);
}
`;

const jobsYaml = (count: number, every: string): string =>
  `${QUIET_LOGS}services:\n  scheduler:\n    jobs:\n` +
  Array.from({ length: count }, (_, i) => `      - { id: j${i}, func: ./jobs/counter.ts:bump, trigger: { type: interval, ${every} } }\n`).join('');

describe('xcore.yaml: aliases', () => {
  it('reports an alias bomb as a config error at the alias (validate and start exit 1)', async () => {
    const levels = ['a0: &a0 [x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i += 1) levels.push(`a${i}: &a${i} [${Array.from({ length: 9 }, () => `*a${i - 1}`).join(', ')}]`);
    const dir = writeApp(`plugins:\n  config:\n    bomb:\n${levels.map((l) => `      ${l}`).join('\n')}\n`);
    const file = join(dir, 'xcore.yaml');
    const validate = track(runXcore(['validate', file], { cwd: dir }));
    expect(await validate.exited).toBe(1);
    expect(validate.stderr()).toMatch(new RegExp(`${file}:8:\\d+ +plugins\\.config\\.bomb\\.a4\\[0\\]: expected aliases that add at most 10,000 values`));
    const app = start(dir);
    expect(await app.exited).toBe(1);
    expect(app.stderr()).toContain(`${file}:8:`);
  });
});

describe('xcore.yaml: job modules', () => {
  it('imports a module once for all the jobs naming it, so they share its state', async () => {
    const dir = writeApp(jobsYaml(3, 'seconds: 1'), [], { 'jobs/counter.ts': COUNTER_MODULE });
    const app = start(dir);
    await app.waitFor((l) => l.msg === 'xcore started');
    const events = (): string[] => readFileSync(join(dir, 'events.log'), 'utf8').trim().split('\n');
    while (events().filter((e) => e.startsWith('run ')).length < 6) await new Promise((resolve) => setTimeout(resolve, 100));
    app.child.kill('SIGTERM');
    expect(await app.exited).toBe(0);
    const all = events();
    expect(all.filter((e) => e === 'evaluated')).toHaveLength(1);
    // One counter for the three jobs: each run sees the count the others left.
    const runs = all.filter((e) => e.startsWith('run ')).map((e) => Number(e.slice(4)));
    expect(runs).toEqual(runs.map((_, i) => i + 1));
  });

  it('boots 10,000 YAML jobs on one module and stops on SIGTERM', { timeout: 120_000 }, async () => {
    // Starting in an hour: without a startDate the jobs would all run on the hour (UTC) if the boot crossed it.
    const dir = writeApp(jobsYaml(10_000, `hours: 1, startDate: "${new Date(Date.now() + 3_600_000).toISOString()}"`), [], { 'jobs/counter.ts': COUNTER_MODULE });
    const app = start(dir);
    await app.waitFor((l) => l.msg === 'xcore started', 100_000);
    expect(readFileSync(join(dir, 'events.log'), 'utf8')).toBe('evaluated\n');
    app.child.kill('SIGTERM');
    expect(await app.exited).toBe(0);
  });

  it('stops the boot on a signal while a job module is still loading, exit 0', async () => {
    const dir = writeApp(jobsYaml(1, 'seconds: 1'), [], {
      // Top-level await needs an ES module.
      'package.json': JSON.stringify({ type: 'module' }),
      'jobs/counter.ts': `console.log('module loading');\nawait new Promise((resolve) => setTimeout(resolve, 110_000));\nexport function bump(): void {}\n`,
    });
    const app = start(dir);
    await app.waitFor((l) => l.raw === 'module loading');
    app.child.kill('SIGINT');
    expect(await app.exited).toBe(0);
    expect(lineWith(app, 'boot interrupted by a stop request; stopping what started')).toMatchObject({ reason: 'SIGINT' });
  });
});
