import { describe, expect, it } from 'vitest';
import { describeErrorCatalogue } from '../../../test/helpers/error-catalogue.js';
import * as errors from './errors.js';

describeErrorCatalogue('notify', errors as Record<string, unknown>, errors.NOTIFY_ERROR_CODES, ['NotifyDeliveryFailedError', 'NotifyQueueFullError', 'NotifyPayloadInvalidError']);

describe('notify errors', () => {
  it('say what failed, where, and what to do', () => {
    expect(new errors.NotifyDeliveryFailedError('ops-hook', 4, 'HTTP 503 from http://127.0.0.1:9').message).toBe(
      'Notify channel "ops-hook" gave a message up after 4 attempts: HTTP 503 from http://127.0.0.1:9. Check the receiver and plugins.config.notify.channels.ops-hook.',
    );
    expect(new errors.NotifyQueueFullError('ops-mail', 1000, 3).message).toContain('dropped 3 new messages');
  });
});
