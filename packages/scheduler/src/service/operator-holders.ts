/**
 * Who holds a job: this process when it has the job's handler, and the live processes sharing
 * the store whose presence says they hold it. Pure.
 *
 * @remarks
 * A process announces the plugins whose jobs it holds, and the ids of the YAML (`config`) and
 * `app` jobs it holds (at most {@link MAX_ANNOUNCED_JOBS}). So another process's plugin job counts
 * as held while that plugin runs there (even a job the plugin no longer registers), and a YAML or
 * app job while some process registered it. This decides whether an operator may remove a job or
 * run it now.
 */
import type { ProcessInfo, ProcessPresence } from '../stores/store-operator.js';

/** Owners that are not plugins: jobs declared in xcore.yaml, and jobs the app registered in code. */
export const NON_PLUGIN_OWNERS: ReadonlySet<string> = new Set(['config', 'app']);

/** Most non-plugin job ids a process announces (more: `jobsTruncated`, and every such job counts as held there). */
export const MAX_ANNOUNCED_JOBS = 1_000;

/** What this process announces, from its handlers (job id -> owner). */
export function processInfo(handlers: Iterable<readonly [string, { readonly owner: string }]>, base: Pick<ProcessInfo, 'host' | 'pid' | 'since'>): ProcessInfo {
  const plugins = new Set<string>();
  const jobs: string[] = [];
  let truncated = false;
  for (const [id, job] of handlers) {
    if (!NON_PLUGIN_OWNERS.has(job.owner)) plugins.add(job.owner);
    else if (jobs.length < MAX_ANNOUNCED_JOBS) jobs.push(id);
    else truncated = true;
  }
  return { ...base, plugins: [...plugins].sort(), jobs, jobsTruncated: truncated };
}

/**
 * Owner ids of the processes holding job `jobId` of `owner`: `self` first when `attached` (it has
 * the handler), then each other live process whose presence says it holds it.
 */
export function holdersOf(jobId: string, owner: string, self: { readonly owner: string; readonly attached: boolean }, processes: readonly ProcessPresence[]): string[] {
  const out = self.attached ? [self.owner] : [];
  for (const p of processes) {
    if (p.owner === self.owner) continue;
    const { info } = p;
    const held = NON_PLUGIN_OWNERS.has(owner) ? info.jobsTruncated === true || (info.jobs ?? []).includes(jobId) : (info.plugins ?? []).includes(owner);
    if (held) out.push(p.owner);
  }
  return out;
}
