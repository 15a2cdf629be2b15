#!/usr/bin/env node
/**
 * Sandboxed plugins: what a job run and an action call cost when the plugin runs in its sandbox
 * process, against the same plugin in-process, in one kernel (memory store).
 *
 *   node bench/sandbox.mjs [--runs 2000]
 *
 * A throwaway app holds two copies of one plugin (`inproc`, `sandboxed` with "sandbox": true),
 * each with a job that does nothing and an action that echoes its payload. Measured, run after
 * run (never two at once): `scheduler.runJob(id)` from the app (dispatch, the run, its record) and
 * `kernel.call(plugin, 'echo', payload)`, plus the host's CPU time per operation
 * (process.cpuUsage; the sandbox process's own CPU is not in it) and the app's boot. Prints a table.
 */
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { appConfigSchema, createKernel, parseConfigText } from '@xcore/core';
import { schedulerService } from '@xcore/scheduler';
import { summarize } from './lib/stats.mjs';

const runs = Number(process.argv[process.argv.indexOf('--runs') + 1] || 2000) || 2000;
const HERE = dirname(fileURLToPath(import.meta.url));
const SOURCE = `
import { definePlugin } from '@xcore/core';
export default definePlugin({
  actions: ['echo'],
  handle: (_action, payload) => payload,
  async onStart(ctx) {
    await ctx.getService('scheduler').addJob(() => undefined, { id: 'noop', every: '1h' });
  },
});
`;

const dir = realpathSync(mkdtempSync(join(tmpdir(), 'xcore-bench-sandbox-')));
for (const [name, sandbox] of [['inproc', false], ['sandboxed', true]]) {
  const folder = join(dir, 'plugins', name);
  mkdirSync(join(folder, 'src'), { recursive: true });
  writeFileSync(join(folder, 'package.json'), JSON.stringify({ name, version: '1.0.0', type: 'module', xcore: { sandbox }, dependencies: { '@xcore/core': '*' } }));
  writeFileSync(join(folder, 'src', 'index.ts'), SOURCE);
  mkdirSync(join(folder, 'node_modules', '@xcore'), { recursive: true });
  symlinkSync(realpathSync(join(HERE, 'node_modules', '@xcore', 'core')), join(folder, 'node_modules', '@xcore', 'core'), 'dir');
}
/** A service that only hands the bench the app-level scheduler (not plugin-scoped). */
const captured = {};
const benchService = {
  name: 'bench',
  configSchema: appConfigSchema.prefault({}),
  create(ctx) {
    captured.scheduler = ctx.getService('scheduler');
    return {};
  },
};
const services = [schedulerService, benchService];
const loaded = parseConfigText('plugins:\n  directory: ./plugins\nlogging: { level: warn }\nservices:\n  scheduler: { backend: memory }\n', join(dir, 'xcore.yaml'), {
  env: {},
  services: [schedulerService],
});
const kernel = createKernel({ loaded, services });
const booted = performance.now();
await kernel.start();
const bootMs = performance.now() - booted;

/** Runs `op` `runs` times in sequence: latency samples and host CPU per operation. */
async function measure(op) {
  for (let i = 0; i < 50; i++) await op(); // warm-up
  const samples = new Float64Array(runs);
  const cpu = process.cpuUsage();
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await op();
    samples[i] = performance.now() - t;
  }
  const used = process.cpuUsage(cpu);
  return { ...summarize(samples, runs), cpuUs: (used.user + used.system) / runs };
}

const rows = [];
for (const plugin of ['inproc', 'sandboxed']) {
  const run = await measure(async () => {
    const record = await captured.scheduler.runJob(`${plugin}:noop`);
    if (record.status !== 'succeeded') throw new Error(`${plugin}:noop ${record.status}: ${record.error}`);
  });
  const call = await measure(() => kernel.call(plugin, 'echo', { n: 1, text: 'payload' }));
  rows.push({ plugin, run, call });
}
const statuses = kernel.plugins();
await kernel.stop();
rmSync(dir, { recursive: true, force: true });

const ms = (v) => v.toFixed(3);
console.log(`Sandboxed plugin overhead: ${runs} sequential operations each, ${os.cpus()[0]?.model ?? 'cpu'} x${os.cpus().length}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`);
console.log(`boot of the app (both plugins; the sandbox bundles its entry and starts a process): ${bootMs.toFixed(0)} ms; sandbox pid ${statuses.find((p) => p.name === 'sandboxed')?.sandbox?.pid ?? '?'}`);
console.log('');
console.log('| plugin | runJob p50 ms | runJob p99 ms | host CPU µs/run | call p50 ms | call p99 ms | host CPU µs/call |'); // host CPU: the sandbox's own is not counted
console.log('|---|---|---|---|---|---|---|');
for (const { plugin, run, call } of rows) {
  console.log(`| ${plugin} | ${ms(run.p50)} | ${ms(run.p99)} | ${run.cpuUs.toFixed(0)} | ${ms(call.p50)} | ${ms(call.p99)} | ${call.cpuUs.toFixed(0)} |`);
}
