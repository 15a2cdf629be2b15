/**
 * The job listing shared by `jobs ls` and its `--watch`: reading one page or all of them, and the
 * table.
 */
import type { AdminClient, Job, JobQuery } from '../remote/admin-client.js';
import { duration, jobStateCell, statusCell, utc } from '../render/format.js';
import { renderTable, type Cell, type Column } from '../render/table.js';
import type { RemoteOutput } from './remote.js';

const JOB_COLUMNS: readonly Column[] = [
  { header: 'ID', minWidth: 12 },
  { header: 'OWNER', minWidth: 6, dropRank: 1 },
  { header: 'TRIGGER', minWidth: 8, dropRank: 2 },
  { header: 'NEXT RUN (UTC)' },
  { header: 'LAST RUN', minWidth: 8, dropRank: 3 },
  { header: 'STATE' },
];

/** One row of the job table. */
export function jobRow(job: Job): Cell[] {
  return [
    job.id,
    job.owner,
    job.trigger,
    utc(job.nextRunAt),
    job.lastRun === null ? '-' : statusCell(job.lastRun.status, duration(job.lastRun.durationMs)),
    jobStateCell(job),
  ];
}

/** The job table. */
export function jobTable(jobs: readonly Job[], out: RemoteOutput): string {
  return renderTable(JOB_COLUMNS, jobs.map(jobRow), out.table);
}

/** One page of jobs, or every page with `all`; `raw` is what `--json` prints (`{ items, nextCursor }`). */
export async function readJobs(client: AdminClient, query: JobQuery, all: boolean, signal?: AbortSignal): Promise<{ items: Job[]; nextCursor: string | null; raw: unknown }> {
  if (!all) {
    const page = await client.listJobs(query, signal);
    return { items: [...page.value.items], nextCursor: page.value.nextCursor, raw: page.raw };
  }
  const items: Job[] = [];
  const rawItems: unknown[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.listJobs({ ...query, limit: query.limit ?? 500, cursor }, signal);
    items.push(...page.value.items);
    rawItems.push(...((page.raw as { items: unknown[] }).items));
    cursor = page.value.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return { items, nextCursor: null, raw: { items: rawItems, nextCursor: null } };
}

