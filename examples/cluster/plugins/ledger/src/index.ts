/**
 * The `ledger` plugin of `examples/cluster`: registers `LEDGER_JOBS` interval jobs (default 50)
 * firing every `LEDGER_EVERY` (default `1s`); each run appends `<jobId> <scheduledAt> <process>`
 * to the file `LEDGER_FILE`. Every process of the example registers the same jobs; the shared
 * Redis store makes each occurrence fire in exactly one of them, which `run.mjs` checks.
 *
 * @remarks Configured by environment variables so it needs no dependency of its own.
 *
 * @packageDocumentation
 */
import { appendFileSync } from 'node:fs';
import type { PluginContext, PluginDefinition } from '../../../../../packages/core/src/index.js';
import type { JobContext, SchedulerService } from '../../../../../packages/scheduler/src/index.js';

const jobs = Number(process.env['LEDGER_JOBS'] ?? 50);
const every = process.env['LEDGER_EVERY'] ?? '1s';
const file = process.env['LEDGER_FILE'] ?? 'ledger.txt';
const name = process.env['LEDGER_PROCESS'] ?? String(process.pid);

const plugin: PluginDefinition = {
  async onStart(ctx: PluginContext) {
    const scheduler = ctx.getService('scheduler') as SchedulerService;
    for (let i = 0; i < jobs; i++) {
      await scheduler.addJob((run: JobContext) => {
        appendFileSync(file, `${run.jobId} ${run.scheduledAt.getTime()} ${name}\n`);
      }, { id: `tick-${i}`, every, coalesce: 'all', misfireGraceTime: null, overlap: 'queue' });
    }
    ctx.logger.info({ jobs, every, file }, 'ledger jobs registered');
  },
};

export default plugin;
