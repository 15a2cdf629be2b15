/**
 * BullMQ 6 job schedulers: `queue.upsertJobScheduler('s-<i>', { every: 1000 }, { data: { i } })`
 * for N schedules (registered by process 0 only; upserts are idempotent, but one registrar is how
 * BullMQ apps do it), and one `Worker` per process. An iteration's intended time is the millis at the
 * end of its job id (`repeat:<schedulerId>:<millis>`), which is what BullMQ delays the job to. `concurrency` is a knob BullMQ users set for light jobs; see the README.
 */
import { Queue, Worker } from 'bullmq';
import IORedis from 'ioredis';

export async function create({ url, procIndex, fire, concurrency }) {
  const connection = () => new IORedis(url, { maxRetriesPerRequest: null });
  const queue = new Queue('bench', { connection: connection() });
  let worker;
  return {
    async register(n) {
      if (procIndex !== 0) return;
      for (let i = 0; i < n; i++) {
        await queue.upsertJobScheduler(`s-${i}`, { every: 1000 }, { name: 'tick', data: { i }, opts: { removeOnComplete: true, removeOnFail: true } });
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
