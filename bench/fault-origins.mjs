#!/usr/bin/env node
/**
 * What following code origins costs (`app.faultOrigins`, `trackCodeOrigins()`): CPU per run of
 * N async interval jobs firing every second, without and with tracking, each in a fresh process.
 *
 *   pnpm build && node bench/fault-origins.mjs [--jobs 10000] [--seconds 10]
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { jobs: { type: 'string', default: '10000' }, seconds: { type: 'string', default: '10' }, child: { type: 'string' } } });
const jobs = Number(values.jobs);
const seconds = Number(values.seconds);

if (values.child !== undefined) {
  const core = await import('@xcore/core');
  const { Scheduler, MemoryStore } = await import('@xcore/scheduler');
  if (values.child === 'on') core.trackCodeOrigins();
  const scheduler = new Scheduler({ store: new MemoryStore(), logger: core.createLogger({ level: 'silent', pretty: false }) });
  let runs = 0;
  for (let i = 0; i < jobs; i += 1) {
    await scheduler.addJob(async () => {
      runs += 1;
      await null;
      await Promise.resolve();
    }, { id: `j${i}`, every: '1s' });
  }
  scheduler.startFiring();
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  const cpu0 = process.cpuUsage();
  const runs0 = runs;
  await new Promise((resolve) => setTimeout(resolve, seconds * 1_000));
  const cpu = process.cpuUsage(cpu0);
  process.stdout.write(JSON.stringify({ runs: runs - runs0, cpuUs: cpu.user + cpu.system }));
  await scheduler.stop({ deadlineMs: 0 });
  process.exit(0);
}

const self = fileURLToPath(import.meta.url);
console.log(`| tracking | jobs | runs | CPU µs/run |\n|---|---:|---:|---:|`);
for (const mode of ['off', 'on', 'off', 'on']) {
  const out = JSON.parse(execFileSync(process.execPath, [self, '--child', mode, '--jobs', String(jobs), '--seconds', String(seconds)], { encoding: 'utf8' }));
  console.log(`| ${mode} | ${jobs} | ${out.runs} | ${(out.cpuUs / out.runs).toFixed(2)} |`);
}
