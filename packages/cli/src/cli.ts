/**
 * The `xcore` command line: parses arguments and dispatches to a command.
 */
import { isXcoreError } from '@xcore/core';
import { parse } from './args.js';
import { CliUsageError } from './errors.js';
import { ExitCode, type ExitCodeValue } from './exit-codes.js';
import { HEALTH_HELP, healthCommand } from './commands/health.js';
import { JOBS_HELP, jobsCommand } from './commands/jobs.js';
import { PLUGINS_HELP, pluginsCommand } from './commands/plugins.js';
import { schemaCommand } from './commands/schema.js';
import { TAIL_HELP, tailCommand } from './commands/tail.js';
import { devCommand } from './commands/dev.js';
import { startCommand } from './commands/start.js';
import { validateCommand } from './commands/validate.js';

/** Where a command writes; injectable so tests can capture output. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** True when stdout is a terminal: tables are fitted to `columns` and coloured. @defaultValue false */
  readonly isTTY?: boolean;
  /** Width of the terminal, in characters. */
  readonly columns?: number;
  /** Ends a following command (`tail`, `jobs ls --watch`); the binary aborts it on SIGINT/SIGTERM. */
  readonly signal?: AbortSignal;
}

const HELP = `xcore: a plugin host with a scheduler at its centre

Usage:
  xcore start [-c <file>]      boot the app in xcore.yaml (default: ./xcore.yaml, searched upwards);
              [--debug]        SIGINT, SIGTERM or SIGHUP stops it gracefully, a second one forces;
                               --debug (or XCORE_DEBUG=1) logs every stack of an error's causes
  xcore dev [-c <file>]        start, then reload a plugin when its files change, and restart the
                               app when xcore.yaml, a YAML job module or a depended-on plugin does
  xcore validate [<file>]      check the app as start would before any plugin hook: prints OK, or
                               every problem with file:line:col
  xcore schema [-o <file>]     print the JSON Schema of xcore.yaml (for editor autocompletion)
               [--markdown]    ... or the config reference as a Markdown table
  xcore --help | --version

Talking to a running host (its services.http, admin API):
${JOBS_HELP}${PLUGINS_HELP}${HEALTH_HELP}${TAIL_HELP}
  Every one takes: --url <base url> (else XCORE_URL, else services.http of the nearest
  xcore.yaml or -c <file>), --token <token> (else XCORE_TOKEN), --json (the admin API's JSON,
  one document per line).

Exit codes: 0 ok, 1 invalid config or boot failure (or the host refused the request: 409, 400,
5xx), 2 bad usage, 3 shutdown passed its drain deadline, 4 host unreachable (or not an xcore
admin API), 5 token refused (401/403/429), 6 job or plugin not found, 7 not ok (a run that did
not succeed with jobs run --wait, health when /health answers 503), 70 uncaught exception (after a graceful stop)
or internal error, 129/130/143 forced by a second SIGHUP/SIGINT/SIGTERM.
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
        const { values } = parse(rest, { config: { type: 'string', short: 'c' }, debug: { type: 'boolean' } }, 0);
        return await startCommand({ configPath: values.config as string | undefined, debug: values.debug === true, io });
      }
      case 'dev': {
        const { values } = parse(rest, { config: { type: 'string', short: 'c' } }, 0);
        return await devCommand({ configPath: values.config as string | undefined, io });
      }
      case 'validate': {
        const { values, positionals } = parse(rest, { config: { type: 'string', short: 'c' } }, 1);
        return await validateCommand({ configPath: positionals[0] ?? values.config, io });
      }
      case 'schema': {
        const { values } = parse(rest, { output: { type: 'string', short: 'o' }, markdown: { type: 'boolean' } }, 0);
        return await schemaCommand({ output: values.output as string | undefined, markdown: values.markdown === true, io });
      }
      case 'jobs':
        return await jobsCommand(rest, io);
      case 'plugins':
        return await pluginsCommand(rest, io);
      case 'health':
        return await healthCommand(rest, io);
      case 'tail':
        return await tailCommand(rest, io);
      default:
        throw new CliUsageError(`Unknown command "${command}".`);
    }
  } catch (error) {
    const code = exitCodeOf(error);
    if (code !== ExitCode.Internal && argv.includes('--json') && argv[0] !== undefined && REMOTE_COMMANDS.has(argv[0])) {
      io.stderr(`${JSON.stringify({ error: { code: (error as { code: string }).code, message: (error as Error).message, exitCode: code } })}\n`);
    } else if (code !== ExitCode.Internal) {
      io.stderr(`${(error as Error).message}\n`);
    } else {
      io.stderr(`xcore: unexpected error (please report it): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    }
    return code;
  }
}

/** Commands that talk to a running host (their `--json` also shapes error output). */
const REMOTE_COMMANDS = new Set(['jobs', 'plugins', 'health', 'tail']);

/** The exit code for an error a command threw. */
function exitCodeOf(error: unknown): ExitCodeValue {
  if (!isXcoreError(error)) return ExitCode.Internal;
  switch (error.code) {
    case 'XCORE_ERR_CLI_USAGE':
      return ExitCode.Usage;
    case 'XCORE_ERR_CLI_HOST_UNREACHABLE':
      return ExitCode.HostUnreachable;
    case 'XCORE_ERR_CLI_AUTH_REFUSED':
      return ExitCode.AuthRefused;
    case 'XCORE_ERR_CLI_NOT_FOUND':
      return ExitCode.NotFound;
    default:
      return ExitCode.ConfigOrBootError;
  }
}

async function cliVersion(): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}
