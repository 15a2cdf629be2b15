/**
 * Nothing outlives the host: a `process`-executor child and a sandbox process, both stuck in a
 * busy loop (so their event loops never see the IPC channel close), are gone soon after the host
 * is SIGKILLed or calls process.exit, through the real binary.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runXcore, type XcoreProcess } from './helpers/cli-process.js';
import { processAlive, sandboxApp } from './helpers/sandbox-app.js';

const running: XcoreProcess[] = [];
const leftovers: number[] = [];
afterEach(() => {
  for (const p of running.splice(0)) p.child.kill('SIGKILL');
  for (const pid of leftovers.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone (the expected case).
    }
  }
});

// A sandboxed plugin whose job spins forever in its sandbox process.
const SPIN_PLUGIN = `
import { definePlugin } from '@xcore/core';
import type {} from '@xcore/scheduler';
export default definePlugin({
  async onStart(ctx) {
    await ctx.getService('scheduler').addJob(({ logger }) => {
      logger.info({ spinningPid: process.pid }, 'sandbox spinning');
      for (;;) { /* never yields */ }
    }, { id: 'spin', runDate: new Date(Date.now() + 200), timeout: '1h' });
  },
});
`;

// A process-executor job that writes its pid and spins forever.
const SPIN_JOB = `
import { writeFileSync } from 'node:fs';
export function spin(ctx) {
  writeFileSync(ctx.args[0], String(process.pid));
  for (;;) { /* never yields */ }
}
`;

/** Resolves once `check` is true, polling every 20 ms; rejects after `ms`. */
async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`waited ${ms} ms for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** True while `pid` runs (a zombie, already dead but not yet reaped, counts as gone). */
function running_(pid: number): boolean {
  if (!processAlive(pid)) return false;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/**
 * Writes `spin-job.mjs` and an `xcore.yaml` whose `spin-child` job (executor `process`) writes its
 * pid and spins, 1.5 s from now; each of `more` (YAML lines of another job) gets the same args and
 * trigger. Returns the file the child's pid is written to.
 */
function spinChildApp(dir: string, more: readonly string[] = []): string {
  const pidFile = join(dir, 'job.pid');
  writeFileSync(join(dir, 'spin-job.mjs'), SPIN_JOB);
  const shared = [`        args: [${JSON.stringify(pidFile)}]`, `        trigger: { type: date, runDate: "${new Date(Date.now() + 1_500).toISOString()}" }`];
  const spin = ['      - id: spin-child', '        func: ./spin-job.mjs:spin', '        executor: process', '        timeout: 1h'];
  const jobs = more.length === 0 ? [spin] : [spin, more];
  writeFileSync(join(dir, 'xcore.yaml'), ['services:', '  scheduler:', '    jobs:', ...jobs.flatMap((job) => [...job, ...shared]), ''].join('\n'));
  return pidFile;
}

/** The pid the spinning job child wrote to `pidFile` (killed after the test if it is left). */
async function childPid(app: XcoreProcess, pidFile: string): Promise<number> {
  await until(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8') !== '', 30_000, `the job child to write its pid; log: ${JSON.stringify(app.lines.slice(-6))}`);
  const child = Number(readFileSync(pidFile, 'utf8'));
  leftovers.push(child);
  return child;
}

describe('a host that is SIGKILLed', () => {
  it('leaves no busy-looping job child or sandbox process behind', async () => {
    const dir = sandboxApp([{ name: 'spinner', source: SPIN_PLUGIN, sandbox: true }], '');
    const pidFile = spinChildApp(dir);
    const app = runXcore(['start'], { cwd: dir });
    running.push(app);
    const sandbox = Number((await app.waitFor((line) => line.msg === 'sandbox spinning', 60_000)).spinningPid);
    leftovers.push(sandbox);
    const child = await childPid(app, pidFile);
    // Both are spinning now: their event loops will never turn again.
    expect({ sandbox: running_(sandbox), child: running_(child) }).toEqual({ sandbox: true, child: true });
    app.child.kill('SIGKILL');
    await app.exited;
    await until(() => !running_(sandbox) && !running_(child), 2_000, `the sandbox (${sandbox}) and the job child (${child}) to end after the host died`);
  }, 120_000);
});

// An inline job that ends the host with process.exit once the spinning child wrote its pid.
const EXIT_JOB = `
import { existsSync, readFileSync } from 'node:fs';
export function exitHost(ctx) {
  const wait = () => (existsSync(ctx.args[0]) && readFileSync(ctx.args[0], 'utf8') !== '' ? process.exit(7) : setTimeout(wait, 20));
  wait();
}
`;

describe('a host that calls process.exit', () => {
  it('leaves no busy-looping job child behind', async () => {
    const dir = sandboxApp([], '');
    writeFileSync(join(dir, 'exit-job.mjs'), EXIT_JOB);
    const pidFile = spinChildApp(dir, [
      '      - id: exit-host',
      '        func: ./exit-job.mjs:exitHost',
      '        timeout: 1h',
    ]);
    const app = runXcore(['start'], { cwd: dir });
    running.push(app);
    const child = await childPid(app, pidFile);
    expect(await app.exited).toBe(7);
    await until(() => !running_(child), 2_000, `the job child (${child}) to end after the host exited`);
  }, 120_000);
});
