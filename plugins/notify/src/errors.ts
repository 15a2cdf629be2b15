/**
 * The coded errors of the `notify` plugin.
 *
 * @remarks
 * Delivery failures never reach a job run: they are logged (one line each) and counted in
 * `call('notify', 'status')`. The classes give those lines a stable code.
 */
import { XcoreError } from '@xcore/core';

/** Documentation of every code the `notify` plugin throws or logs. */
export const NOTIFY_ERROR_CODES: Readonly<Record<string, string>> = {
  XCORE_ERR_NOTIFY_DELIVERY_FAILED:
    'A channel gave a message up: the receiver refused it (HTTP 4xx, SMTP 5xx) or kept failing through every retry. The message says why; check the receiver and the channel in plugins.config.notify.channels.',
  XCORE_ERR_NOTIFY_QUEUE_FULL:
    "A channel's queue held queueSize messages waiting, so new ones were dropped (the receiver is slow or down). Fix the receiver, or raise plugins.config.notify.queueSize.",
  XCORE_ERR_NOTIFY_PAYLOAD_INVALID:
    "A payload sent with call('notify', action, payload) is malformed, or names a channel that does not exist. The message says which field; fix the caller.",
};

/** A channel gave a message up. */
export class NotifyDeliveryFailedError extends XcoreError {
  constructor(
    /** Channel name. */
    readonly channel: string,
    /** Attempts made. */
    readonly attempts: number,
    /** Why, e.g. `HTTP 503 Service Unavailable` or `connect ECONNREFUSED 127.0.0.1:9`. */
    readonly reason: string,
  ) {
    super(
      'XCORE_ERR_NOTIFY_DELIVERY_FAILED',
      `Notify channel "${channel}" gave a message up after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${reason}. Check the receiver and plugins.config.notify.channels.${channel}.`,
    );
  }
}

/** A channel's queue is full; new messages are dropped. */
export class NotifyQueueFullError extends XcoreError {
  constructor(channel: string, size: number, dropped: number) {
    super(
      'XCORE_ERR_NOTIFY_QUEUE_FULL',
      `Notify channel "${channel}" has ${size} messages waiting (queueSize); dropped ${dropped} new message${dropped === 1 ? '' : 's'}. Fix the receiver, or raise plugins.config.notify.queueSize.`,
    );
  }
}

/** A `call('notify', ...)` payload is malformed. */
export class NotifyPayloadInvalidError extends XcoreError {
  constructor(action: string, problem: string) {
    super('XCORE_ERR_NOTIFY_PAYLOAD_INVALID', `Invalid payload for call('notify', '${action}'): ${problem}.`);
  }
}
