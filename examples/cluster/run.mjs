#!/usr/bin/env node
// Starts several `xcore start` processes of examples/cluster on one Redis, lets them run, stops
// them, and checks the ledger every job wrote: each occurrence must appear exactly once.
//
//   pnpm build && node examples/cluster/run.mjs
//
// Environment: PROCESSES (3), SECONDS (15), LEDGER_JOBS (50), LEDGER_EVERY (1s),
// REDIS_URL (redis://127.0.0.1:6379). Exit code 1 when an occurrence ran twice or went missing.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const bin = fileURLToPath(new URL('../../packages/cli/dist/bin.js', import.meta.url));
if (!existsSync(bin)) {
  process.stderr.write(`${bin} is missing: run \`pnpm build\` first.\n`);
  process.exit(2);
}
const processes = Number(process.env.PROCESSES ?? 3);
const seconds = Number(process.env.SECONDS ?? 15);
const ledger = join(mkdtempSync(join(tmpdir(), 'xcore-cluster-')), 'ledger.txt');
writeFileSync(ledger, '');
// A fresh key prefix per run, so schedules left by an earlier run do not catch up here.
const prefix = `xcore-cluster-example-${Date.now()}`;

const children = [];
for (let i = 1; i <= processes; i++) {
  const child = spawn(process.execPath, [bin, 'start', '-c', join(here, 'xcore.yaml')], {
    cwd: here,
    env: { ...process.env, LEDGER_FILE: ledger, LEDGER_PROCESS: `p${i}`, XCORE_PREFIX: prefix },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.push(new Promise((resolve) => child.once('exit', (code) => resolve(code))));
  setTimeout(() => child.kill('SIGTERM'), seconds * 1000);
}
process.stdout.write(`started ${processes} processes (prefix ${prefix}); running ${seconds} s...\n`);
const codes = await Promise.all(children);

const perProcess = new Map();
const perJob = new Map();
const seen = new Map();
for (const line of readFileSync(ledger, 'utf8').split('\n')) {
  if (!line) continue;
  const [job, at, proc] = line.split(' ');
  perProcess.set(proc, (perProcess.get(proc) ?? 0) + 1);
  seen.set(`${job} ${at}`, (seen.get(`${job} ${at}`) ?? 0) + 1);
  perJob.set(job, [...(perJob.get(job) ?? []), Number(at)]);
}
const duplicates = [...seen].filter(([, n]) => n > 1);
let gaps = 0;
for (const times of perJob.values()) {
  times.sort((a, b) => a - b);
  const step = Math.min(...times.slice(1).map((t, i) => t - times[i]));
  for (let i = 1; i < times.length; i++) if (times[i] - times[i - 1] !== step) gaps++;
}
console.table([...perProcess].sort().map(([proc, runs]) => ({ process: proc, runs })));
process.stdout.write(
  `${seen.size} occurrences of ${perJob.size} jobs; duplicates: ${duplicates.length}; gaps: ${gaps}; exit codes: ${codes.join(', ')}\n` +
    `ledger: ${ledger}\n`,
);
process.exit(duplicates.length === 0 && gaps === 0 ? 0 : 1);
