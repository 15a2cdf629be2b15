import { describe, expect, it } from 'vitest';
import { describeErrorCatalogue } from '../../../test/helpers/error-catalogue.js';
import * as errors from './errors.js';

describeErrorCatalogue('cli', errors as Record<string, unknown>, errors.CLI_ERROR_CODES, ['CliUsageError', 'CliHostNotConfiguredError', 'CliHostUnreachableError', 'CliAuthRefusedError', 'CliNotFoundError', 'CliRequestFailedError']);

describe('cli errors', () => {
  it('a usage error says what was wrong and where to look', () => {
    expect(new errors.CliUsageError('Unknown command "launch".').message).toBe('Unknown command "launch".\nRun `xcore --help` for the commands and options.');
  });
});
