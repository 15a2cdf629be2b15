/**
 * The `xcore` command line: parses arguments and dispatches to a command.
 */
import { parseArgs } from 'node:util';
import { isXcoreError } from '@xcore/core';
import { CliUsageError } from './errors.js';
import { ExitCode, type ExitCodeValue } from './exit-codes.js';
import { schemaCommand } from './commands/schema.js';
import { startCommand } from './commands/start.js';
import { validateCommand } from './commands/validate.js';

/** Where a command writes; injectable so tests can capture output. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
}

const HELP = `xcore: a plugin host with a scheduler at its centre

Usage:
  xcore start [-c <file>]      boot the app in xcore.yaml (default: ./xcore.yaml, searched upwards);
                               SIGINT, SIGTERM or SIGHUP stops it gracefully, a second one forces
  xcore validate [<file>]      check a config file: prints OK, or every problem with file:line:col
  xcore schema [-o <file>]     print the JSON Schema of xcore.yaml (for editor autocompletion)
               [--markdown]    ... or the config reference as a Markdown table
  xcore --help | --version

Exit codes: 0 ok, 1 invalid config or boot failure, 2 bad usage, 3 shutdown passed its drain
deadline, 70 uncaught exception (after a graceful stop) or internal error, 129/130/143 forced by a
second SIGHUP/SIGINT/SIGTERM.
`;

/**
 * Runs the `xcore` command with `argv` (without the node and script paths) and resolves to its exit code.
 *
 * @remarks
 * `start` resolves only when the app has stopped (after a signal). Errors are printed, never thrown.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<ExitCodeValue> {
  try {
    const [command, ...rest] = argv;
    switch (command) {
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        io.stdout(HELP);
        return command === undefined ? ExitCode.Usage : ExitCode.Ok;
      case '-v':
      case '--version':
        io.stdout(`${await cliVersion()}\n`);
        return ExitCode.Ok;
      case 'start': {
        const { values } = parse(rest, { config: { type: 'string', short: 'c' } }, 0);
        return await startCommand({ configPath: values.config, io });
      }
      case 'validate': {
        const { values, positionals } = parse(rest, { config: { type: 'string', short: 'c' } }, 1);
        return await validateCommand({ configPath: positionals[0] ?? values.config, io });
      }
      case 'schema': {
        const { values } = parse(rest, { output: { type: 'string', short: 'o' }, markdown: { type: 'boolean' } }, 0);
        return await schemaCommand({ output: values.output as string | undefined, markdown: values.markdown === true, io });
      }
      default:
        throw new CliUsageError(`Unknown command "${command}".`);
    }
  } catch (error) {
    if (isXcoreError(error, 'XCORE_ERR_CLI_USAGE')) {
      io.stderr(`${(error as Error).message}\n`);
      return ExitCode.Usage;
    }
    if (isXcoreError(error)) {
      io.stderr(`${(error as Error).message}\n`);
      return ExitCode.ConfigOrBootError;
    }
    io.stderr(`xcore: unexpected error (please report it): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return ExitCode.Internal;
  }
}

type Options = Record<string, { type: 'string' | 'boolean'; short?: string }>;

function parse<T extends Options>(args: readonly string[], options: T, maxPositionals: number) {
  try {
    const result = parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
    if (result.positionals.length > maxPositionals) {
      throw new CliUsageError(`Unexpected argument "${result.positionals[maxPositionals]}".`);
    }
    return result;
  } catch (error) {
    if (isXcoreError(error)) throw error;
    throw new CliUsageError((error as Error).message);
  }
}

async function cliVersion(): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}
