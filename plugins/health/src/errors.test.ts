import { describe, expect, it } from 'vitest';
import { describeErrorCatalogue } from '../../../test/helpers/error-catalogue.js';
import * as errors from './errors.js';

describeErrorCatalogue('health', errors as Record<string, unknown>, errors.HEALTH_ERROR_CODES, ['HealthReportInvalidError']);

describe('health errors', () => {
  it('names the problem in the report', () => {
    expect(new errors.HealthReportInvalidError('"status" is missing').message).toContain('"status" is missing');
  });
});
