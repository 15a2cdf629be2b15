/**
 * xcore: the `Scheduler` service on a `MemoryStore`, imported from the built packages (run
 * `pnpm build` at the repo root first). Jobs are registered the way a plugin does it
 * (`await addJob(fn, { id, every })` one after the other, or `cron: '* * * * * *'`) before
 * `startFiring()`, so the heap reading is before the first fire. Interval jobs are anchored at
 * their registration; every run passes `ctx.scheduledAt`, the intended time. Default policy
 * (maxInstances 1, coalesce latest, misfire grace 60 s); logs at `warn` go to stdout, which the
 * benchmark discards.
 */
import * as scheduler from '@xcore/scheduler';
import * as core from '@xcore/core';

export async function create({ kind, h }) {
  const { Scheduler, MemoryStore } = scheduler;
  const { createLogger } = core;
  if (typeof Scheduler !== 'function' || typeof MemoryStore !== 'function' || typeof createLogger !== 'function') {
    throw new Error('@xcore/scheduler / @xcore/core do not export Scheduler, MemoryStore and createLogger yet (or is not built: run `pnpm build` at the repo root)');
  }
  const { fire } = h;
  const logger = createLogger({ level: 'warn', pretty: false });
  const service = new Scheduler({ store: new MemoryStore(), logger });
  const trigger = kind === 'cron' ? { cron: '* * * * * *' } : { every: 1000 };
  return {
    async register(n) {
      for (let i = 0; i < n; i++) {
        await service.addJob((ctx) => fire(i, ctx.scheduledAt.getTime()), { id: `job-${i}`, ...trigger });
      }
    },
    start() {
      service.startFiring();
    },
    async stop() {
      await service.stop({ deadlineMs: 1000 });
    },
  };
}
