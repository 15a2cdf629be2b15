import { describe, expect, it } from 'vitest';
import { describeErrorCatalogue } from '../../../../test/helpers/error-catalogue.js';
import * as errors from './run-log-errors.js';
import { RUN_LOG_ERROR_CODES, RunLogBackendMissingError, RunLogRecordInvalidError } from './run-log-errors.js';

describeErrorCatalogue('scheduler run log', errors as Record<string, unknown>, RUN_LOG_ERROR_CODES, [
  'RunLogRecordInvalidError', 'RunLogQueryInvalidError', 'RunLogClosedError', 'RunLogBackendMissingError',
]);

describe('run log errors', () => {
  it('say what, where and what to do', () => {
    expect(new RunLogRecordInvalidError('"billing:invoice"', 'finishedAt', 'must be whole epoch milliseconds, found number NaN').message).toBe(
      'run log: record of job "billing:invoice" refused: finishedAt must be whole epoch milliseconds, found number NaN; build records with toRunLogRecord().',
    );
    expect(new RunLogBackendMissingError('postgres', '@xcore/runlog-postgres').message).toContain('pnpm add @xcore/runlog-postgres');
  });
});
