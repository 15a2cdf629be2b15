/**
 * `xcore health`: is the running host well? What its `/health` answers (every health check with
 * its detail: event loop, kernel, scheduler store, jobs, plugins, reported checks), with the exit
 * code `/health`'s own status code gives, so a script and a probe agree.
 */
import { parse } from '../args.js';
import type { CliIo } from '../cli.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import type { HostHealth } from '../remote/admin-client.js';
import { utc } from '../render/format.js';
import { renderFields, renderTable, type Cell, type CellStyle, type TableOptions } from '../render/table.js';
import { connect, REMOTE_OPTIONS } from './remote.js';

/** Help of `xcore health`. */
export const HEALTH_HELP = `  xcore health [--strict]      the host's /health checks; exit 7 when it is not ready or not live
                               (/health answers 503), with --strict also on warnings
`;

const STYLE: Readonly<Record<HostHealth['status'] | HostHealth['checks'][number]['status'], CellStyle>> = {
  ok: 'green',
  warn: 'yellow',
  fail: 'red',
  'not-ready': 'red',
  down: 'red',
};

/**
 * The exit code of a `/health` answer: ok while the host is ready (200), warnings included unless
 * `strict`; {@link ExitCode.NotOk} when it is not ready or not live (503).
 */
export function healthExitCode(health: HostHealth, ready: boolean, strict: boolean): ExitCodeValue {
  if (!ready || health.status === 'not-ready' || health.status === 'down') return ExitCode.NotOk;
  return strict && health.status === 'warn' ? ExitCode.NotOk : ExitCode.Ok;
}

/** The terminal text of a `/health` answer: the verdict, then one row per check with its detail's first line. */
export function renderHealth(health: HostHealth, url: string, table: TableOptions): string {
  const fields: [string, Cell][] = [
    ['status', { text: health.status, style: STYLE[health.status] }],
    ['host', url],
    ['live', health.live ? 'yes' : 'no'],
    ['ready', health.ready ? 'yes' : 'no'],
    ['checked', `${utc(health.checkedAt)} UTC`],
  ];
  const rows = health.checks.map((c): Cell[] => [c.name, c.level, { text: c.status, style: STYLE[c.status] }, c.detail?.split('\n')[0] ?? '']);
  const columns = [{ header: 'CHECK' }, { header: 'LEVEL', dropRank: 1 }, { header: 'STATUS' }, { header: 'DETAIL', minWidth: 10 }];
  return `${renderFields(fields, table)}\n${renderTable(columns, rows, table)}`;
}

/** Runs `xcore health`. */
export async function healthCommand(args: readonly string[], io: CliIo): Promise<ExitCodeValue> {
  const { values } = parse(args, { ...REMOTE_OPTIONS, strict: { type: 'boolean' } }, 0);
  const { client, out } = await connect(values, io);
  const answer = await client.health();
  if (out.json) out.printJson(answer.raw);
  else io.stdout(renderHealth(answer.value, client.target.url, out.table));
  return healthExitCode(answer.value, answer.ready, values.strict === true);
}
