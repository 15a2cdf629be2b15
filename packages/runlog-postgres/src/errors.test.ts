import { describe, expect, it } from 'vitest';
import { describeErrorCatalogue } from '../../../test/helpers/error-catalogue.js';
import * as errors from './errors.js';
import { POSTGRES_RUN_LOG_ERROR_CODES, PostgresRunLogMigrationError } from './errors.js';

describeErrorCatalogue('runlog-postgres', errors as Record<string, unknown>, POSTGRES_RUN_LOG_ERROR_CODES, [
  'PostgresRunLogOptionsInvalidError', 'PostgresRunLogConnectError', 'PostgresRunLogMigrationError', 'PostgresRunLogQueryError',
]);

describe('runlog-postgres errors', () => {
  it('name the migration and the database, and keep the cause', () => {
    const cause = new Error('permission denied for schema xcore');
    const e = new PostgresRunLogMigrationError('001_create_run_log.sql', 'db.internal:5432/app', cause.message, { cause });
    expect(e.message).toBe('postgres run log at db.internal:5432/app: migration 001_create_run_log.sql failed and was rolled back: permission denied for schema xcore');
    expect(e.cause).toBe(cause);
  });
});
