/**
 * `xcore validate [file]`: prints OK, or every problem `xcore start` would report before running a
 * plugin hook, each with file:line:col.
 */
import { checkApp, isXcoreError, loadConfig, type AppProblem } from '@xcore/core';
import type { CliIo } from '../cli.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import { findConfigFile } from '../find-config.js';
import { builtinServices } from '../services.js';

/**
 * Runs `xcore validate`.
 *
 * @remarks
 * Runs `checkApp`, the check boot itself runs first: the file (syntax, variables, every section's
 * schema), then plugins (discovered, ordered by dependencies, imported, config validated against
 * their `configSchema`) and each service's check (YAML job modules and exports, each job as
 * `addJob` checks it, files the http section names). Nothing connects, listens or runs a plugin
 * hook. Exits 1 on any problem, including those that `start` survives by leaving a plugin out
 * (a failed import, a missing dependency): they are marked as such.
 */
export async function validateCommand(options: { configPath: string | undefined; io: CliIo }): Promise<ExitCodeValue> {
  const file = findConfigFile(options.configPath, options.io.cwd);
  let problems: readonly AppProblem[];
  try {
    const loaded = await loadConfig(file, { env: options.io.env, services: builtinServices });
    const check = await checkApp(loaded, { services: builtinServices });
    problems = check.problems;
  } catch (error) {
    if (!isXcoreError(error)) throw error;
    options.io.stderr(`${(error as Error).message}\n`);
    return ExitCode.ConfigOrBootError;
  }
  if (problems.length === 0) {
    options.io.stdout(`OK ${file}\n`);
    return ExitCode.Ok;
  }
  const lines = problems.map((p) => `  ${p.at}  ${p.message}${p.effect === 'plugin' && p.plugin !== undefined ? ` (start leaves plugin "${p.plugin}" out unless plugins.failFast)` : ''}`);
  options.io.stderr(`Invalid app ${file}: ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n${lines.join('\n')}\nFix them and run \`xcore validate\` again.\n`);
  return ExitCode.ConfigOrBootError;
}
