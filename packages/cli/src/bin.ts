#!/usr/bin/env node
/**
 * Entry point of the `xcore` binary.
 */
import { runCli } from './cli.js';

/**
 * How long the process may take to end by itself after `start` or `validate` returned its exit
 * code (output flushing) before it is ended: a timer or socket a plugin or job left behind (for
 * `validate`, one a plugin or job module started when imported) must not keep the process alive.
 */
const EXIT_AFTER_STOP_MS = 250;

const argv = process.argv.slice(2);
// `start` and `dev` handle their own signals (a graceful stop, exit 0). A following command (`tail`, `jobs ls --watch`) ends cleanly
// (exit 0) on the first SIGINT/SIGTERM and at once on a second; any other command at once.
const follow = new AbortController();
const following = argv[0] === 'tail' || (argv[0] === 'jobs' && (argv[1] === 'ls' || argv[1] === 'list') && (argv.includes('--watch') || argv.includes('-w')));
if (argv[0] !== 'start' && argv[0] !== 'dev') {
  const stop = (signal: NodeJS.Signals): void => {
    if (!following || follow.signal.aborted) process.exit(signal === 'SIGINT' ? 130 : 143);
    follow.abort();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
const code = await runCli(argv, {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  cwd: process.cwd(),
  env: process.env,
  isTTY: process.stdout.isTTY === true,
  ...(process.stdout.columns === undefined ? {} : { columns: process.stdout.columns }),
  signal: follow.signal,
});
process.exitCode = code;
if (argv[0] === 'start' || argv[0] === 'validate') setTimeout(() => process.exit(code), EXIT_AFTER_STOP_MS).unref();
