/**
 * `xcore plugins ls|reload`: the kernel's plugin view of a running host, through its admin API.
 */
import { parse, required } from '../args.js';
import type { CliIo } from '../cli.js';
import { CliUsageError } from '../errors.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import type { Plugin } from '../remote/admin-client.js';
import { duration, pluginStateCell } from '../render/format.js';
import { renderTable, type Cell, type Column } from '../render/table.js';
import { connect, REMOTE_OPTIONS } from './remote.js';

/** Help of `xcore plugins`. */
export const PLUGINS_HELP = `  xcore plugins ls             every enabled plugin: version, state, start time, error
  xcore plugins reload <name>  stop it, re-import its code, start it (admin scope)
`;

const COLUMNS: readonly Column[] = [
  { header: 'NAME', minWidth: 8 },
  { header: 'VERSION', dropRank: 1 },
  { header: 'STATE' },
  { header: 'START', alignRight: true, dropRank: 2 },
  { header: 'DEPENDS ON', minWidth: 6, dropRank: 3 },
  { header: 'ERROR', minWidth: 12 },
];

/** One row of the plugin table. */
export function pluginRow(p: Plugin): Cell[] {
  const deps = Object.entries(p.dependencies).map(([name, range]) => `${name}@${range}`).join(', ');
  const error = p.error === null ? '' : `${p.error.code ?? p.error.name}: ${p.error.message.split('\n')[0]}`;
  return [p.name, p.version, pluginStateCell(p.state), duration(p.startMs), deps === '' ? '-' : deps, { text: error, style: 'red' }];
}

/** Runs `xcore plugins <sub> ...`. */
export async function pluginsCommand(args: readonly string[], io: CliIo): Promise<ExitCodeValue> {
  const [sub, ...rest] = args;
  if (sub === 'ls' || sub === 'list') {
    const { values } = parse(rest, REMOTE_OPTIONS, 0);
    const { client, out } = await connect(values, io);
    const list = await client.plugins();
    if (out.json) out.printJson(list.raw);
    else io.stdout(renderTable(COLUMNS, list.value.items.map(pluginRow), out.table));
    return ExitCode.Ok;
  }
  if (sub === 'reload') {
    const { values, positionals } = parse(rest, REMOTE_OPTIONS, 1);
    const name = required(positionals, 'the plugin name', 'xcore plugins reload <name>');
    const { client, out } = await connect(values, io);
    const plugin = await client.reload(name);
    if (out.json) out.printJson(plugin.raw);
    else io.stdout(`${plugin.value.name} reloaded: ${plugin.value.state}${plugin.value.startMs === null ? '' : ` (started in ${duration(plugin.value.startMs)})`}\n`);
    return ExitCode.Ok;
  }
  throw new CliUsageError(sub === undefined ? `Missing the plugins command.\n${PLUGINS_HELP}` : `Unknown plugins command "${sub}".\n${PLUGINS_HELP}`);
}
