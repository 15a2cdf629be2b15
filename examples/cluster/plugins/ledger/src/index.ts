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
// Type-only imports: erased when the kernel loads this file with tsx, so the plugin needs no install.
import type { PluginContext, PluginDefinition } from '@xcore/core';
import type { JobContext } from '@xcore/scheduler';

const jobs = Number(process.env['LEDGER_JOBS'] ?? 50);
const every = process.env['LEDGER_EVERY'] ?? '1s';
const file = process.env['LEDGER_FILE'] ?? 'ledger.txt';
const name = process.env['LEDGER_PROCESS'] ?? String(process.pid);

const plugin: PluginDefinition = {
  async onStart(ctx: PluginContext) {
    const scheduler = ctx.getService('scheduler');
    for (let i = 0; i < jobs; i++) {
      await scheduler.addJob((run: JobContext) => {
        appendFileSync(file, `${run.jobId} ${run.scheduledAt.getTime()} ${name}\n`);
      }, { id: `tick-${i}`, every, coalesce: 'all', misfireGraceTime: null, overlap: 'queue' });
    }
    ctx.logger.info({ jobs, every, file }, 'ledger jobs registered');
  },
};

export default plugin;
