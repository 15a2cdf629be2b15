/**
 * xcore on Redis: `Scheduler` + `RedisStore` (same prefix in every process), from the built
 * packages. Every process registers the same N interval jobs (`every: 1000`), as every process
 * of an app does at boot: registration is an idempotent upsert. `ctx.scheduledAt` is the intended
 * time.
 */
import * as scheduler from '@xcore/scheduler';
import * as core from '@xcore/core';

export async function create({ url, fire }) {
  const { Scheduler, RedisStore } = scheduler;
  const { createLogger } = core;
  if (typeof Scheduler !== 'function' || typeof RedisStore !== 'function' || typeof createLogger !== 'function') {
    throw new Error('@xcore/scheduler / @xcore/core do not export Scheduler, RedisStore and createLogger yet (or are not built: run `pnpm build` at the repo root)');
  }
  const logger = createLogger({ level: 'warn', pretty: false });
  const store = new RedisStore({ url, prefix: 'bench' });
  const service = new Scheduler({ store, logger });
  return {
    async register(n) {
      for (let i = 0; i < n; i++) {
        await service.addJob((ctx) => fire(i, ctx.scheduledAt.getTime()), { id: `job-${i}`, every: 1000 });
      }
    },
    start() {
      service.startFiring();
    },
    async stop() {
      await service.stop({ deadlineMs: 1000 });
      await store.close();
    },
  };
}
