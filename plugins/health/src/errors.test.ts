import { describe, expect, it } from 'vitest';
import * as errors from './errors.js';

describe('health error catalogue', () => {
  it('documents the code of every error class, once', () => {
    const report = new errors.HealthReportInvalidError('"status" is missing');
    expect(report.code).toBe('XCORE_ERR_HEALTH_REPORT_INVALID');
    expect(report.name).toBe('HealthReportInvalidError');
    expect(Object.keys(errors.HEALTH_ERROR_CODES)).toEqual([report.code]);
  });
});
