/**
 * xcore: the `Scheduler` service on a `MemoryStore`, imported from the built packages (run
 * `pnpm build` at the repo root first). Jobs are registered the way a plugin does it
 * (`await addJob(fn, { id, every })` one after the other, or `cron: '* * * * * *'`) before
 * `startFiring()`, so the heap reading is before the first fire. Interval jobs get
 * `startDate: phaseAnchor(...)` (phases spread evenly over the second, as the bare loop's; a
 * distinct trigger per job costs xcore heap: 1,335 vs 469 B/job at 100k on 2026-11-23) or, with `--phase registration`, plain
 * `every: 1000`, which since 2026-12-06 has the default phase: whole seconds since the epoch, so
 * every job is due at the same instant: `--phase burst` runs it that way (results before that date
 * measured phases anchored at registration, and burst runs before 2026-12-06 20:00 UTC a per-job
 * `startDate` on one whole second, the same load with one trigger object per job). Every run passes `ctx.scheduledAt`, the intended time. Default policy
 * (maxInstances 1, coalesce latest, misfire grace 60 s); logs at `warn` go to stdout, which the
 * benchmark discards.
 */
import * as scheduler from '@xcore/scheduler';
import * as core from '@xcore/core';
import { phaseAnchor } from '../lib/harness.mjs';

export async function create({ kind, h, phase }) {
  const { Scheduler, MemoryStore } = scheduler;
  const { createLogger } = core;
  if (typeof Scheduler !== 'function' || typeof MemoryStore !== 'function' || typeof createLogger !== 'function') {
    throw new Error('@xcore/scheduler / @xcore/core do not export Scheduler, MemoryStore and createLogger yet (or is not built: run `pnpm build` at the repo root)');
  }
  const { fire } = h;
  const logger = createLogger({ level: 'warn', pretty: false });
  const service = new Scheduler({ store: new MemoryStore(), logger });
  return {
    async register(n) {
      if (kind === 'cron') {
        for (let i = 0; i < n; i++) {
          await service.addJob((ctx) => fire(i, ctx.scheduledAt.getTime()), { id: `job-${i}`, cron: '* * * * * *' });
        }
        return;
      }
      if (phase === 'registration' || phase === 'burst') {
        // Plain `every: 1000` is phased at whole seconds since the epoch: every job is due at the
        // same whole second, the burst, as a loop of registrations at boot makes it (one shared
        // trigger; a per-job `startDate` would make each job's trigger distinct).
        for (let i = 0; i < n; i++) {
          await service.addJob((ctx) => fire(i, ctx.scheduledAt.getTime()), { id: `job-${i}`, every: 1000 });
        }
        return;
      }
      // Phases spread evenly over the second (startDate anchors an interval's phase), the same as
      // the bare loop's, so lateness compares equal loads whatever the registration speed.
      const base = Math.floor(h.now() / 1000) * 1000;
      for (let i = 0; i < n; i++) {
        await service.addJob((ctx) => fire(i, ctx.scheduledAt.getTime()), { id: `job-${i}`, every: 1000, startDate: phaseAnchor(base, i, n) });
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
