/**
 * BullMQ 6 job schedulers: `queue.upsertJobScheduler('s-<i>', repeat, { data: { i } })` for N
 * schedules (registered by process 0 only; upserts are idempotent, but one registrar is how BullMQ
 * apps do it), and one `Worker` per process. An iteration's intended time is the millis at the end
 * of its job id (`repeat:<schedulerId>:<millis>`), which is what BullMQ delays the job to.
 * `concurrency` is a knob BullMQ users set for light jobs; see the README.
 *
 * The same load shapes as xcore's:
 * - interval, `phase: 'burst'`: `every: 1000, offset: 1000`: every iteration at a whole second
 *   (BullMQ's phase is `offset`; without one it is the registration time, and an offset of 0
 *   means "none", so 1000, one full period, stands for phase 0);
 * - interval, `phase: 'spread'`: `every: 1000, offset: phaseAnchor(0, i, n)` (1000 for 0);
 * - cron: `pattern: '* * * * * *'`.
 */
import { Queue, Worker } from 'bullmq';
import IORedis from 'ioredis';
import { phaseAnchor } from '../../lib/harness.mjs';

export async function create({ url, procIndex, fire, concurrency, kind, phase }) {
  const connection = () => new IORedis(url, { maxRetriesPerRequest: null });
  const queue = new Queue('bench', { connection: connection() });
  let worker;
  const repeat = (i, n) => {
    if (kind === 'cron') return { pattern: '* * * * * *' };
    if (phase === 'spread') return { every: 1000, offset: phaseAnchor(0, i, n) || 1000 };
    return { every: 1000, offset: 1000 };
  };
  return {
    async register(n) {
      if (procIndex !== 0) return;
      for (let i = 0; i < n; i++) {
        await queue.upsertJobScheduler(`s-${i}`, repeat(i, n), { name: 'tick', data: { i }, opts: { removeOnComplete: true, removeOnFail: true } });
      }
    },
    async start() {
      worker = new Worker('bench', async (job) => {
        fire(job.data.i, Number(job.id.slice(job.id.lastIndexOf(':') + 1)));
      }, { connection: connection(), concurrency });
    },
    async stop() {
      await worker?.close(true);
      await queue.close();
    },
  };
}
