/**
 * The catalogue of coded errors thrown by `@xcore/cli`.
 */
import { XcoreError } from '@xcore/core';

/** Documentation of every code thrown by `@xcore/cli`: what it means and what to do. */
export const CLI_ERROR_CODES: Readonly<Record<string, string>> = {
  XCORE_ERR_CLI_USAGE: 'The command line is not valid (unknown command or option, missing value). Run `xcore --help`.',
};

/** The command line could not be understood. */
export class CliUsageError extends XcoreError {
  constructor(message: string) {
    super('XCORE_ERR_CLI_USAGE', `${message}\nRun \`xcore --help\` for the commands and options.`);
  }
}
