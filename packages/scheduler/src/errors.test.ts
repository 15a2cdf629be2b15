import { describe, expect, it } from 'vitest';
import * as errors from './errors.js';
import { describeErrorCatalogue } from '../../../test/helpers/error-catalogue.js';
import { SCHEDULER_ERROR_CODES, ScheduleNotSerializableError, StoreClosedError, StoreInputError } from './errors.js';

describeErrorCatalogue('scheduler', errors as Record<string, unknown>, SCHEDULER_ERROR_CODES, ['StoreClosedError', 'JobConflictError', 'CronInvalidError']);

describe('scheduler errors', () => {
  it('store errors say what, where and what to do', () => {
    expect(new StoreClosedError('memory', 'claimDue').message).toBe(
      'memory store: claimDue() was called after close(); the store is unusable once closed. Create a new store instead of reusing a closed one.',
    );
    expect(new StoreInputError('claimDue', 'limit must be >= 1, found 0').message).toBe('store.claimDue(): limit must be >= 1, found 0');
    const cause = new Error('inner');
    const e = new ScheduleNotSerializableError('p:job', '$.args[0]', 'a function', { cause });
    expect(e.message).toContain('job "p:job": $.args[0] is a function');
    expect(e.cause).toBe(cause);
  });
});
