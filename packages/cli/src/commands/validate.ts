/**
 * `xcore validate [file]`: prints OK, or every problem in the file with file:line:col.
 */
import { isXcoreError, loadConfig } from '@xcore/core';
import type { CliIo } from '../cli.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import { findConfigFile } from '../find-config.js';
import { builtinServices } from '../services.js';

/** Runs `xcore validate`. */
export async function validateCommand(options: { configPath: string | undefined; io: CliIo }): Promise<ExitCodeValue> {
  const file = findConfigFile(options.configPath, options.io.cwd);
  try {
    await loadConfig(file, { env: options.io.env, services: builtinServices });
  } catch (error) {
    if (!isXcoreError(error)) throw error;
    options.io.stderr(`${error.message}\n`);
    return ExitCode.ConfigOrBootError;
  }
  options.io.stdout(`OK ${file}\n`);
  return ExitCode.Ok;
}
