/**
 * xcore on Redis: `Scheduler` + `RedisStore` (same prefix in every process), from the built
 * packages. Every process registers the same N jobs, as every process of an app does at boot:
 * registration is an idempotent upsert. `ctx.scheduledAt` is the intended time.
 *
 * - interval, `phase: 'burst'`: plain `every: 1000`, whose default phase is whole seconds since
 *   the epoch: all N are due at the same instant (what jobs registered in a loop get);
 * - interval, `phase: 'spread'`: `every: 1000, startDate` with phases spread evenly over the
 *   second (`phaseAnchor`, the same phases BullMQ gets);
 * - cron: `cron: '* * * * * *'`, a burst at every whole second.
 *
 * `dropped()` counts the occurrences the default policy dropped (`job.missed`: coalesced;
 * `job.skipped`: `maxInstances` reached), which the benchmark reports beside the delivered ones.
 */
import * as scheduler from '@xcore/scheduler';
import * as core from '@xcore/core';
import { phaseAnchor } from '../../lib/harness.mjs';

export async function create({ url, fire, kind, phase }) {
  const { Scheduler, RedisStore } = scheduler;
  const { createLogger } = core;
  if (typeof Scheduler !== 'function' || typeof RedisStore !== 'function' || typeof createLogger !== 'function') {
    throw new Error('@xcore/scheduler / @xcore/core do not export Scheduler, RedisStore and createLogger yet (or are not built: run `pnpm build` at the repo root)');
  }
  const logger = createLogger({ level: 'warn', pretty: false });
  const store = new RedisStore({ url, prefix: 'bench' });
  const service = new Scheduler({ store, logger });
  // Occurrences the policy dropped: coalesced (claimed after a later one was due) or skipped
  // (maxInstances: the previous run's slot still held).
  const dropped = { coalesced: 0, skipped: 0 };
  service.on('job.missed', (event) => { dropped.coalesced += event.count; });
  service.on('job.skipped', () => { dropped.skipped += 1; });
  const trigger = (i, n) => {
    if (kind === 'cron') return { cron: '* * * * * *' };
    if (phase === 'spread') return { every: 1000, startDate: new Date(phaseAnchor(0, i, n)) };
    return { every: 1000 };
  };
  return {
    async register(n) {
      for (let i = 0; i < n; i++) {
        await service.addJob((ctx) => fire(i, ctx.scheduledAt.getTime()), { id: `job-${i}`, ...trigger(i, n) });
      }
    },
    start() {
      service.startFiring();
    },
    dropped: () => ({ ...dropped }),
    async stop() {
      await service.stop({ deadlineMs: 1000 });
      await store.close();
    },
  };
}
