/**
 * `xcore tail`: the host's live event stream (job, scheduler and plugin events), one line each,
 * until Ctrl-C; reconnects with `Last-Event-ID` when the connection drops.
 */
import { parse } from '../args.js';
import type { CliIo } from '../cli.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import { followEvents, type StreamedEvent } from '../remote/follow-events.js';
import { duration } from '../render/format.js';
import type { CellStyle } from '../render/table.js';
import { connect, followSignal, REMOTE_OPTIONS } from './remote.js';

/** Help of `xcore tail`. */
export const TAIL_HELP = `  xcore tail [--job <id>] [--owner <name>] [--types job.*,plugin.failed]
                               follow the host's events until Ctrl-C (--json: one JSON per line)
`;

const OPTIONS = { ...REMOTE_OPTIONS, job: { type: 'string' }, owner: { type: 'string' }, types: { type: 'string' } } as const;

const STYLE: Readonly<Record<string, CellStyle>> = {
  'job.succeeded': 'green', 'job.failed': 'red', 'job.timed_out': 'red', 'job.aborted': 'red', 'job.missed': 'yellow', 'job.skipped': 'yellow',
  'scheduler.degraded': 'red', 'scheduler.recovered': 'green', 'plugin.failed': 'red', 'plugin.started': 'green', dropped: 'red',
};

/** One event as a line: time, type, job or owner, and what it says. */
export function eventLine(event: StreamedEvent, colour: boolean): string {
  const body = (typeof event.data === 'object' && event.data !== null ? event.data : {}) as { time?: string; jobId?: string; owner?: string; data?: Record<string, unknown>; reason?: string };
  const time = typeof body.time === 'string' ? body.time.slice(11, 23) : new Date().toISOString().slice(11, 23);
  const subject = body.jobId ?? body.owner ?? '';
  const inner = body.data ?? {};
  const record = (inner['record'] ?? {}) as { status?: string; durationMs?: number | null; error?: string; manual?: boolean; requestedBy?: string };
  const details: string[] = [];
  if (typeof record.durationMs === 'number') details.push(duration(record.durationMs));
  if (record.manual === true) details.push(`manual${record.requestedBy === undefined ? '' : ` by ${record.requestedBy}`}`);
  if (typeof record.error === 'string') details.push(record.error);
  for (const key of ['reason', 'error', 'hook', 'trigger'] as const) if (typeof inner[key] === 'string') details.push(String(inner[key]));
  if (typeof body.reason === 'string') details.push(body.reason);
  const style = STYLE[event.type];
  const type = clean(event.type).padEnd(19);
  const shownType = colour && style !== undefined ? `\x1b[${style === 'red' ? 31 : style === 'green' ? 32 : 33}m${type}\x1b[39m` : type;
  const rest = clean(`${subject}${details.length === 0 ? '' : `  ${details.join('  ')}`}`);
  return `${clean(time)}  ${shownType}  ${rest}`.trimEnd() + '\n';
}

/** Control characters from the host would move the cursor: shown as `?`. */
function clean(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}

/** Runs `xcore tail`; ends with 0 on SIGINT/SIGTERM. */
export async function tailCommand(args: readonly string[], io: CliIo): Promise<ExitCodeValue> {
  const { values } = parse(args, OPTIONS, 0);
  const { client, out } = await connect(values, io);
  const signal = followSignal(io);
  await followEvents(
    client,
    { job: values.job, owner: values.owner, types: values.types },
    {
      onEvent: (event) => {
        if (out.json) out.printJson({ id: event.id ?? null, type: event.type, data: event.data });
        else io.stdout(eventLine(event, out.table.colour === true));
      },
      onConnect: (reconnect) => io.stderr(reconnect ? `xcore: reconnected to ${client.target.url} (events while disconnected are not replayed)\n` : `xcore: following events of ${client.target.url} (Ctrl-C ends)\n`),
      onDisconnect: (problem, retryMs) => io.stderr(`xcore: event stream lost (${problem}); reconnecting in ${Math.round(retryMs / 1000)}s\n`),
    },
    signal,
  );
  return ExitCode.Ok;
}
