#!/usr/bin/env node
/**
 * Redis time of each step of a burst, per schedule, with nothing else running: what
 * `claim-due-3.lua`, `commit-2.lua` and `finish-runs-2.lua` cost inside Redis (EVALSHA µs from
 * `INFO commandstats` around each call, so client time is left out), driving `RedisStore`
 * directly as the runner does (claims of `--batch`, commits with run slots, finishes with a
 * record), against a redis-server this script starts.
 *
 *   node bench/redis-scripts.mjs [--jobs 10000] [--batch 1000] [--rounds 3] [--ahead]
 *
 * With `--ahead`, each commit also stores the plans of the next 12 occurrences
 * (`CommitItem.ahead`) and the claims ask for `commitAhead`, so after the first round the steps
 * are the burst's usual path: a claim that commits at once (`claim+ahead`), then the finish.
 *
 * Prints, per step, Redis CPU µs per schedule (median and least over the batches of the rounds
 * after the first: on a busy machine the least is the steadier figure), the commands run inside the scripts, the client's CPU per schedule for the call
 * (encoding and decoding) and its wall time.
 */
import { performance } from 'node:perf_hooks';
import * as scheduler from '@xcore/scheduler';
import * as core from '@xcore/core';
import { startRedis } from './lib/redis-server.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i === -1 ? dflt : Number(args[i + 1]);
};
const jobs = opt('--jobs', 10_000);
const batchSize = opt('--batch', 1000);
const rounds = opt('--rounds', 3);
const ahead = args.includes('--ahead');

/** `INFO commandstats`: µs per command name (commands inside scripts counted under their own names too). */
const commandUsec = async (client) => {
  const out = {};
  const info = await client.info('everything');
  for (const m of info.matchAll(/^cmdstat_([^:]+):calls=\d+,usec=(\d+)/gm)) out[m[1]] = Number(m[2]);
  // Redis's CPU time (not wall time: other work on the machine preempting Redis does not count).
  out.cpu = Math.round((Number(/^used_cpu_user:([\d.]+)/m.exec(info)[1]) + Number(/^used_cpu_sys:([\d.]+)/m.exec(info)[1])) * 1e6);
  return out;
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

const redis = await startRedis();
try {
  const { Scheduler, RedisStore } = scheduler;
  const store = new RedisStore({ url: redis.url, prefix: 'bench' });
  const logger = core.createLogger({ level: 'warn', pretty: false });
  const service = new Scheduler({ store, logger });
  const t0 = performance.now();
  for (let i = 0; i < jobs; i++) await service.addJob(() => {}, { id: `job-${i}`, every: 1000 });
  const owner = 'bench-owner';
  const steps = {};
  for (const step of ['claim', 'claim+ahead', 'commit', 'finish']) steps[step] = { redis: [], wall: [], client: [], inner: {} };
  const timed = async (step, count, round, call) => {
    const before = await commandUsec(redis.client);
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const result = await call();
    const cpu = process.cpuUsage(cpu0);
    const wall = performance.now() - t0;
    const after = await commandUsec(redis.client);
    const used = after.cpu - before.cpu;
    const n = count(result);
    if (round > 0 && n > 0) {
      for (const [name, usec] of Object.entries(after)) {
        if (name === 'evalsha' || name === 'info' || name === 'cpu') continue;
        const d = usec - (before[name] ?? 0);
        if (d > 0) (steps[step].inner[name] ??= []).push(d / n);
      }
      steps[step].redis.push(used / n);
      steps[step].wall.push((wall * 1000) / n);
      steps[step].client.push((cpu.user + cpu.system) / n);
    }
    return result;
  };
  console.error(`registered ${jobs} in ${Math.round(performance.now() - t0)} ms`);
  for (let round = 0; round < rounds; round++) {
    // Wait until every schedule is due (each is every second: due at the next whole second).
    const now = await store.now();
    await new Promise((r) => setTimeout(r, 1100 - (now % 1000)));
    let claimed = 0;
    for (;;) {
      const batch = ahead
        ? await timed(round === 0 ? 'claim' : 'claim+ahead', (b) => b.claims.length + (b.committed?.length ?? 0), round, () => store.claimBatch(owner, 30_000, batchSize, undefined, { commitAhead: true }))
        : await timed('claim', (b) => b.claims.length, round, () => store.claimBatch(owner, 30_000, batchSize));
      const committed = batch.committed ?? [];
      if (batch.claims.length === 0 && committed.length === 0) break;
      claimed += batch.claims.length + committed.length;
      if (committed.length > 0) {
        const done = committed.map((c) => ({
          slot: { jobId: c.definition.id, runId: c.run.runId },
          record: { jobId: c.definition.id, scheduledAt: c.scheduledAt, startedAt: Date.now(), finishedAt: Date.now(), status: 'succeeded', attempts: 1, owner },
          historyLimit: 10,
        }));
        await timed('finish', () => done.length, round, () => store.finishRuns(done));
      }
      if (batch.claims.length === 0) continue;
      const next = Math.ceil((batch.now + 1) / 1000) * 1000 + 1000;
      const plan = ahead ? { graceMs: null, occurrences: Array.from({ length: 12 }, (_, k) => next + 1000 * (k + 1)), catchUp: true } : undefined;
      const items = batch.claims.map((c) => ({
        id: c.schedule.definition.id, token: c.token, fire: [c.schedule.state.nextRunAt], missedCount: 0,
        nextRunAt: next, slots: { max: 1, leaseMs: 30_000 }, ...(plan === undefined ? {} : { ahead: plan }),
      }));
      const results = await timed('commit', () => items.length, round, () => store.commit(owner, items));
      const finished = results.map((r) => ({
        slot: r.ok && r.runs?.[0] ? { jobId: r.id, runId: r.runs[0].runId } : undefined,
        record: { jobId: r.id, scheduledAt: r.ok ? r.accepted[0] : 0, startedAt: Date.now(), finishedAt: Date.now(), status: 'succeeded', attempts: 1, owner },
        historyLimit: 10,
      }));
      await timed('finish', () => finished.length, round, () => store.finishRuns(finished));
    }
    if (claimed !== jobs) console.error(`round ${round}: claimed ${claimed} of ${jobs}`);
  }
  console.log(`${jobs} schedules, batches of ${batchSize}, ${rounds - 1} measured rounds`);
  for (const [step, { redis: r, wall, client, inner }] of Object.entries(steps)) {
    if (r.length === 0) continue;
    const commands = Object.entries(inner).map(([name, xs]) => [name, xs.reduce((a, b) => a + b, 0) / r.length]).sort((a, b) => b[1] - a[1]);
    const inCommands = commands.reduce((a, [, v]) => a + v, 0);
    console.log(`${step.padEnd(7)} Redis ${median(r).toFixed(2).padStart(6)} (min ${Math.min(...r).toFixed(2)}) µs/schedule (commands ${inCommands.toFixed(2)}: ${commands.map(([name, v]) => `${name} ${v.toFixed(2)}`).join(', ')})   client CPU ${median(client).toFixed(2).padStart(6)}, call wall ${median(wall).toFixed(2).padStart(6)} µs/schedule`);
  }
  await service.stop?.({ deadlineMs: 100 });
  await store.close();
} finally {
  await redis.stop();
}
