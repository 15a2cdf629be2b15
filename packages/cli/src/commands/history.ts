/**
 * `xcore jobs history [<id>]`: finished runs, newest first. One job's bounded history
 * (`GET /jobs/{id}/history`), or with run-log filters the run log (`GET /runs`: every job, by
 * owner, outcome, time range, manual or scheduled).
 */
import { integerOption, parse } from '../args.js';
import type { CliIo } from '../cli.js';
import { CliUsageError } from '../errors.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import type { AdminClient, LoggedRun, Run } from '../remote/admin-client.js';
import { duration, statusCell, utc } from '../render/format.js';
import { renderTable, type Cell, type Column } from '../render/table.js';
import { connect, REMOTE_OPTIONS } from './remote.js';

const OPTIONS = {
  ...REMOTE_OPTIONS,
  limit: { type: 'string' },
  cursor: { type: 'string' },
  all: { type: 'boolean' },
  owner: { type: 'string' },
  outcome: { type: 'string' },
  since: { type: 'string' },
  until: { type: 'string' },
  manual: { type: 'string' },
} as const;

/** A run in either shape, as the table shows it. */
interface RunLine {
  readonly scheduledAt: string;
  readonly jobId: string | undefined;
  readonly outcome: string;
  readonly durationMs: number | null;
  readonly attempts: number;
  readonly by: string;
  readonly process: string | null;
  readonly error: string | null;
}

const fromHistory = (r: Run): RunLine => ({
  scheduledAt: r.scheduledAt, jobId: undefined, outcome: r.status, durationMs: r.durationMs, attempts: r.attempts,
  by: r.manual === true ? (r.requestedBy ?? 'manual') : 'schedule', process: r.owner ?? null, error: r.error ?? null,
});

const fromRunLog = (r: LoggedRun): RunLine => ({
  scheduledAt: r.scheduledAt, jobId: r.jobId, outcome: r.outcome, durationMs: r.durationMs, attempts: r.attempts,
  by: r.manual ? (r.requestedBy ?? 'manual') : 'schedule', process: r.process, error: r.error,
});

/** The history table; with `withJob` a JOB column (runs of several jobs). */
export function runTable(lines: readonly RunLine[], withJob: boolean, table: Parameters<typeof renderTable>[2]): string {
  const columns: Column[] = [
    { header: 'SCHEDULED AT (UTC)' },
    ...(withJob ? [{ header: 'JOB', minWidth: 10 }] : []),
    { header: 'STATUS' },
    { header: 'DURATION', alignRight: true },
    { header: 'TRIES', alignRight: true, dropRank: 2 },
    { header: 'BY', minWidth: 8, dropRank: 1 },
    { header: 'PROCESS', minWidth: 8, dropRank: 3 },
    { header: 'ERROR', minWidth: 10 },
  ];
  const rows = lines.map((r): Cell[] => [
    utc(r.scheduledAt), ...(withJob ? [r.jobId ?? '-'] : []), statusCell(r.outcome), duration(r.durationMs), String(r.attempts), r.by, r.process ?? '-', r.error?.split('\n')[0] ?? '',
  ]);
  return renderTable(columns, rows, table);
}

/** Runs `xcore jobs history`. */
export async function historyCommand(args: readonly string[], io: CliIo): Promise<ExitCodeValue> {
  const { values, positionals } = parse(args, OPTIONS, 1, ['manual']);
  const id = positionals[0];
  if (values.all === true && values.cursor !== undefined) throw new CliUsageError('--all lists from the newest run; leave out --cursor.');
  const runLog = values.owner !== undefined || values.outcome !== undefined || values.since !== undefined || values.until !== undefined || values.manual !== undefined || id === undefined;
  const limit = integerOption(values.limit, 'limit', 1, runLog ? 1000 : 500);
  const { client, out } = await connect(values, io);
  const read = (cursor: string | undefined) => (runLog ? readRunLog(client, id, values, limit, cursor) : readHistory(client, id!, limit, cursor));
  const lines: RunLine[] = [];
  const rawItems: unknown[] = [];
  let page = await read(values.cursor);
  lines.push(...page.lines);
  rawItems.push(...page.rawItems);
  while (values.all === true && page.nextCursor !== null) {
    page = await read(page.nextCursor);
    lines.push(...page.lines);
    rawItems.push(...page.rawItems);
  }
  const nextCursor = values.all === true ? null : page.nextCursor;
  if (out.json) {
    out.printJson({ ...(page.source === undefined ? {} : { source: page.source }), items: rawItems, nextCursor });
    return ExitCode.Ok;
  }
  io.stdout(runTable(lines, id === undefined, out.table));
  if (lines.length === 0) io.stderr(`No runs${id === undefined ? '' : ` of ${id}`} recorded${runLog ? ' that match' : ''}.\n`);
  if (nextCursor !== null) io.stderr(`Older runs: add --cursor ${nextCursor} (or --all).\n`);
  return ExitCode.Ok;
}

interface Page {
  readonly lines: RunLine[];
  readonly rawItems: unknown[];
  readonly nextCursor: string | null;
  readonly source: string | undefined;
}

async function readHistory(client: AdminClient, id: string, limit: number | undefined, cursor: string | undefined): Promise<Page> {
  const page = await client.history(id, { limit, cursor });
  return { lines: page.value.items.map(fromHistory), rawItems: (page.raw as { items: unknown[] }).items, nextCursor: page.value.nextCursor, source: undefined };
}

async function readRunLog(
  client: AdminClient,
  id: string | undefined,
  values: { owner?: string | undefined; outcome?: string | undefined; since?: string | undefined; until?: string | undefined; manual?: string | undefined },
  limit: number | undefined,
  cursor: string | undefined,
): Promise<Page> {
  const page = await client.runs({
    job: id,
    owner: values.owner,
    outcome: values.outcome,
    from: values.since,
    to: values.until,
    manual: values.manual === undefined ? undefined : values.manual === 'true',
    limit,
    cursor,
  });
  return { lines: page.value.items.map(fromRunLog), rawItems: (page.raw as { items: unknown[] }).items, nextCursor: page.value.nextCursor, source: page.value.source };
}
