#!/usr/bin/env node
/**
 * Self time per function of a V8 CPU profile (`node --cpu-prof`), optionally only between two
 * instants, so the summary covers a benchmark's measured window and not loading or registration.
 *
 *   node bench/profile-summary.mjs <file.cpuprofile> [--top 30] [--from-ms 4000] [--to-ms 9000]
 *
 * Prints the busy (non-idle) time and, per function (name, file, line), its self time and share of
 * the busy time, largest first. Used for the burst notes in README.md:
 *
 *   cd bench && node --expose-gc --cpu-prof --cpu-prof-interval 100 --cpu-prof-dir=/tmp/prof \
 *     child.mjs xcore 10000 interval 5 2 burst
 *   node profile-summary.mjs /tmp/prof/CPU.*.cpuprofile --from-ms 4000 --to-ms 9000
 */
import { readFileSync } from 'node:fs';

const USAGE = 'usage: node bench/profile-summary.mjs <file.cpuprofile> [--top 30] [--from-ms 0] [--to-ms Infinity] [--window <pid>.window.json]';
const args = process.argv.slice(2);
const file = args.shift();
if (file === undefined || file.startsWith('--')) {
  console.error(USAGE);
  process.exit(2);
}
const opts = { top: 30, fromMs: 0, toMs: Infinity };
let windowFile = null;
for (let i = 0; i < args.length; i += 2) {
  if (args[i] === '--window') {
    windowFile = args[i + 1];
    continue;
  }
  const value = Number(args[i + 1]);
  if (!Number.isFinite(value) && args[i + 1] !== 'Infinity') throw new Error(`${args[i]} needs a number\n${USAGE}`);
  if (args[i] === '--top') opts.top = value;
  else if (args[i] === '--from-ms') opts.fromMs = value;
  else if (args[i] === '--to-ms') opts.toMs = value;
  else throw new Error(`unknown argument ${args[i]}\n${USAGE}`);
}

const profile = JSON.parse(readFileSync(file, 'utf8'));
if (windowFile !== null) {
  // Written by redis-child.mjs under `bench/redis.mjs --cpu-prof`: the window on the profile's clock.
  const w = JSON.parse(readFileSync(windowFile, 'utf8'));
  opts.fromMs = (w.fromUs - profile.startTime) / 1000;
  opts.toMs = (w.toUs - profile.startTime) / 1000;
}
const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map();
let t = profile.startTime;
let total = 0;
for (let i = 0; i < profile.samples.length; i++) {
  const dt = profile.timeDeltas[i] ?? 0;
  t += dt;
  const at = (t - profile.startTime) / 1000;
  if (at < opts.fromMs || at > opts.toMs) continue;
  const { callFrame } = nodes.get(profile.samples[i]);
  const where = callFrame.url.replace(/^.*\/(packages|node_modules|bench)\//, '$1/');
  const key = `${callFrame.functionName || '(anonymous)'} ${where}:${callFrame.lineNumber + 1}`;
  self.set(key, (self.get(key) ?? 0) + dt);
  total += dt;
}
const idle = [...self].filter(([k]) => k.startsWith('(idle)')).reduce((sum, [, v]) => sum + v, 0);
const busy = total - idle;
console.log(`window ${(total / 1000).toFixed(0)} ms, busy ${(busy / 1000).toFixed(0)} ms`);
const rows = [...self].filter(([k]) => !k.startsWith('(idle)')).sort((a, b) => b[1] - a[1]).slice(0, opts.top);
for (const [key, us] of rows) console.log(`${((100 * us) / busy).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(1).padStart(8)} ms  ${key}`);
