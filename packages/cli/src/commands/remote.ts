/**
 * What every command that talks to a running host shares: its options (`--url`, `--token`,
 * `-c`, `--json`), the client built from them, and how output is shaped for the terminal.
 */
import type { CliIo } from '../cli.js';
import { AdminClient } from '../remote/admin-client.js';
import { resolveHostTarget } from '../remote/host-target.js';
import type { TableOptions } from '../render/table.js';

/** The options of every remote command. */
export const REMOTE_OPTIONS = {
  url: { type: 'string' },
  token: { type: 'string' },
  config: { type: 'string', short: 'c' },
  json: { type: 'boolean' },
} as const;

/** The parsed values of {@link REMOTE_OPTIONS}. */
export interface RemoteValues {
  readonly url?: string | undefined;
  readonly token?: string | undefined;
  readonly config?: string | undefined;
  readonly json?: boolean | undefined;
}

/** How a remote command writes. */
export interface RemoteOutput {
  readonly io: CliIo;
  /** `--json`: print the admin API's JSON, one document per line. */
  readonly json: boolean;
  /** Width and colour of tables. */
  readonly table: TableOptions;
  /** Writes `value` as one line of JSON. */
  printJson(value: unknown): void;
}

/** Builds the client for the host the options point at. */
export async function connect(values: RemoteValues, io: CliIo): Promise<{ client: AdminClient; out: RemoteOutput }> {
  const target = await resolveHostTarget({ url: values.url, token: values.token, config: values.config, cwd: io.cwd, env: io.env });
  return { client: new AdminClient(target), out: outputFor(io, values.json === true) };
}

/**
 * Terminal output: tables fit the terminal's width and are coloured only when stdout is a TTY
 * (and neither `NO_COLOR` nor `FORCE_COLOR=0` is set); to a pipe or file nothing is truncated
 * unless `COLUMNS` is set.
 */
export function outputFor(io: CliIo, json: boolean): RemoteOutput {
  const tty = io.isTTY === true;
  const columns = tty ? io.columns : Number.parseInt(io.env['COLUMNS'] ?? '', 10);
  const width = columns !== undefined && Number.isFinite(columns) && columns > 0 ? columns : undefined;
  const colour = tty && io.env['NO_COLOR'] === undefined && io.env['FORCE_COLOR'] !== '0';
  return { io, json, table: { width, colour }, printJson: (value) => io.stdout(`${JSON.stringify(value)}\n`) };
}

/** The signal that ends a following command (`tail`, `--watch`): the io's, or one that never aborts. */
export function followSignal(io: CliIo): AbortSignal {
  return io.signal ?? new AbortController().signal;
}
