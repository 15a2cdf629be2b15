/**
 * The coded errors of the `health` plugin.
 */
import { XcoreError } from '@xcore/core';

/** Documentation of every code the `health` plugin throws. */
export const HEALTH_ERROR_CODES: Readonly<Record<string, string>> = {
  XCORE_ERR_HEALTH_REPORT_INVALID:
    "A payload sent with call('health', 'report' | 'remove', payload) is malformed. The message says which field; fix the caller.",
};

/** A `report` or `remove` payload is malformed. */
export class HealthReportInvalidError extends XcoreError {
  constructor(problem: string) {
    super('XCORE_ERR_HEALTH_REPORT_INVALID', `Invalid health payload: ${problem}. Send { check: 'name', status: 'ok' | 'warn' | 'fail', detail?, ttlMs? }.`);
  }
}
