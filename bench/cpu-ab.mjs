#!/usr/bin/env node
/**
 * CPU per fire of one xcore checkout: N jobs (`every: 1000`, or `cron: '* * * * * *'`) all due at
 * the same instant, or with `spread` `every: 1000` jobs whose phases are spread evenly over the
 * second (`startDate`, as `run.mjs --phase spread` does), on a MemoryStore; CPU time over the
 * fires of a 5 s window after 2.2 s. Run it for two checkouts (each built with `pnpm build`)
 * alternately to compare them on a shared machine:
 *
 *   node bench/cpu-ab.mjs <checkout dir> [N=10000] [interval|cron|spread]
 */
import { readFileSync } from 'node:fs';
import { checkoutScheduler } from './lib/checkout.mjs';

/** CPU time of the main (JavaScript) thread in µs (Linux), `NaN` elsewhere: without V8's compiler and GC threads. */
function mainThreadUs() {
  try {
    return Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]) / 1000;
  } catch {
    return NaN;
  }
}

const { root, N, kind, scheduler } = await checkoutScheduler('node bench/cpu-ab.mjs <checkout dir> [N=10000] [interval|cron|spread]', '10000', ['interval', 'cron', 'spread']);
let fires = 0;
const job = () => { fires++; };
const base = Math.floor(Date.now() / 1000) * 1000;
const options = (i) => {
  if (kind === 'cron') return { id: `j${i}`, cron: '* * * * * *' };
  if (kind === 'spread') return { id: `j${i}`, every: 1000, startDate: new Date(base + Math.floor((i * 1000) / N)) };
  return { id: `j${i}`, every: 1000 };
};
for (let i = 0; i < N; i++) await scheduler.addJob(job, options(i));
scheduler.startFiring();
await new Promise((r) => setTimeout(r, 2200));
const cpuBefore = process.cpuUsage();
const mainBefore = mainThreadUs();
const firesBefore = fires;
await new Promise((r) => setTimeout(r, 5000));
const cpu = process.cpuUsage(cpuBefore);
const main = mainThreadUs() - mainBefore;
const fired = fires - firesBefore;
console.log(`${root} ${kind} N=${N} fires=${fired} cpu/fire=${((cpu.user + cpu.system) / fired).toFixed(2)}us main=${(main / fired).toFixed(2)}us`);
await scheduler.stop({ deadlineMs: 100 });
process.exit(0);
