/**
 * The channel contract: one attempt at delivering one notification.
 *
 * @remarks
 * Retries, queueing and counting are not a channel's business (`delivery-retry.ts`,
 * `channel-queue.ts`); a channel only says whether a failed attempt is worth retrying.
 */
import type { ChannelConfig } from '../config.js';
import type { AttemptOutcome, RetryPolicy } from '../delivery-retry.js';
import type { Notification } from '../notification.js';

/** A configured destination of notifications. */
export interface Channel {
  /** Its key under `channels`. */
  readonly name: string;
  readonly type: ChannelConfig['type'];
  /** Its retry settings. */
  readonly policy: RetryPolicy;
  /**
   * One delivery attempt, bounded by the channel's `timeout`. Resolves with what happened; may
   * reject only on a bug (counted as a retryable failure).
   *
   * @param signal - Aborted when the notifier stops: the attempt ends as soon as it can.
   */
  attempt(notification: Notification, signal: AbortSignal): Promise<AttemptOutcome>;
  /** Releases connections. */
  close(): void | Promise<void>;
}
