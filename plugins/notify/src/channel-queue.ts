/**
 * One channel's bounded queue: messages wait here, off the run path, and are delivered with
 * retries by up to `concurrency` workers.
 *
 * @remarks
 * `push` never blocks and never throws: when `size` messages are already waiting, the new one is
 * dropped and counted (logged at most once a second, with the count since the last line). A
 * message given up is logged in one line (no stack) and counted. With `concurrency: 1` a
 * channel delivers in order, so a recovery never overtakes the failure it follows.
 */
import type { PluginContext } from '@xcore/core';
import type { Channel } from './channels/channel.js';
import { deliverWithRetries } from './delivery-retry.js';
import { NotifyDeliveryFailedError, NotifyQueueFullError } from './errors.js';
import type { Notification } from './notification.js';

/** What `call('notify', 'status')` reports per channel. */
export interface ChannelStatus {
  readonly type: Channel['type'];
  /** Messages waiting. */
  readonly queued: number;
  /** Messages being delivered (attempting or waiting to retry). */
  readonly inFlight: number;
  /** Messages delivered. */
  readonly sent: number;
  /** Messages given up after their attempts (refused, or failing through every retry). */
  readonly failed: number;
  /** Messages dropped: the queue was full, or the notifier stopped before sending them. */
  readonly dropped: number;
  /** Retries made (attempts after the first). */
  readonly retries: number;
  /** When the last message was delivered (ISO 8601), or `null`. */
  readonly lastSentAt: string | null;
  /** When the last message was given up or dropped (ISO 8601), or `null`. */
  readonly lastFailureAt: string | null;
  /** Why, or `null`. */
  readonly lastError: string | null;
}

/** Options of a {@link ChannelQueue}. */
export interface ChannelQueueOptions {
  readonly size: number;
  readonly concurrency: number;
  /** Logger bound to the plugin; lines carry `{ channel }`. */
  readonly logger: PluginContext['logger'];
  /** Called after each delivery or failure (health reporting). */
  readonly onSettled?: () => void;
  /** Wall clock for the `last*At` fields. @defaultValue `Date.now` */
  readonly now?: () => number;
  readonly random?: () => number;
}

/** A queue in front of one {@link Channel}; see the module comment. */
export class ChannelQueue {
  private readonly waiting: Notification[] = [];
  private head = 0;
  private active = 0;
  private readonly stopping = new AbortController();
  private idleWaiters: (() => void)[] = [];
  private counts = { sent: 0, failed: 0, dropped: 0, retries: 0 };
  private lastSentAt: number | null = null;
  private lastFailureAt: number | null = null;
  private lastError: string | null = null;
  private lastFailed = false;
  private lastDropLogAt = -Infinity;
  private dropsSinceLog = 0;
  private readonly now: () => number;

  constructor(
    readonly channel: Channel,
    private readonly options: ChannelQueueOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  /** Messages waiting or being delivered. */
  get pending(): number {
    return this.waiting.length - this.head + this.active;
  }

  /** True when the last message handled was given up or dropped (the channel looks unhealthy). */
  get failing(): boolean {
    return this.lastFailed;
  }

  /** Queues `notification`; returns `false` when it was dropped (queue full or stopped). */
  push(notification: Notification): boolean {
    if (this.stopping.signal.aborted) {
      this.counts.dropped += 1;
      return false;
    }
    if (this.waiting.length - this.head >= this.options.size) {
      this.drop(new NotifyQueueFullError(this.channel.name, this.options.size, 1).message);
      return false;
    }
    this.waiting.push(notification);
    this.pump();
    return true;
  }

  /** The counts and last results. */
  status(): ChannelStatus {
    const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
    return {
      type: this.channel.type,
      queued: this.waiting.length - this.head,
      inFlight: this.active,
      ...this.counts,
      lastSentAt: iso(this.lastSentAt),
      lastFailureAt: iso(this.lastFailureAt),
      lastError: this.lastError,
    };
  }

  /** Resolves once nothing waits or is in flight. */
  whenIdle(): Promise<void> {
    return this.pending === 0 ? Promise.resolve() : new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Stops: aborts deliveries in flight, drops what waits (counted), closes the channel.
   *
   * @returns How many messages were given up.
   */
  async stop(): Promise<number> {
    const waiting = this.waiting.length - this.head;
    const inFlight = this.active;
    this.stopping.abort();
    this.waiting.length = 0;
    this.head = 0;
    if (waiting > 0) this.counts.dropped += waiting;
    await this.whenIdle();
    await this.channel.close();
    this.flushDropLog();
    return waiting + inFlight;
  }

  private pump(): void {
    while (this.active < this.options.concurrency && this.head < this.waiting.length) {
      const next = this.waiting[this.head]!;
      this.head += 1;
      if (this.head > 1024 && this.head * 2 > this.waiting.length) {
        this.waiting.splice(0, this.head);
        this.head = 0;
      }
      this.active += 1;
      void this.deliver(next);
    }
  }

  private async deliver(notification: Notification): Promise<void> {
    const { channel } = this;
    const signal = this.stopping.signal;
    const result = await deliverWithRetries((n) => channel.attempt(notification, signal), channel.policy, signal, {
      ...(this.options.random === undefined ? {} : { random: this.options.random }),
      onRetry: (attempt, delayMs, reason) => {
        this.counts.retries += 1;
        this.options.logger.debug({ channel: channel.name, messageId: notification.id, attempt, delayMs, reason }, 'notification attempt failed; retrying');
      },
    });
    if (result.ok) {
      this.counts.sent += 1;
      this.lastSentAt = this.now();
      this.lastFailed = false;
    } else if (signal.aborted) {
      this.counts.dropped += 1;
      this.noteFailure(`stopped before delivery: ${result.reason}`);
    } else {
      this.counts.failed += 1;
      const error = new NotifyDeliveryFailedError(channel.name, result.attempts, result.reason);
      this.noteFailure(error.message);
      // One line, no stack: a receiver that is down must not flood the log.
      this.options.logger.warn({ channel: channel.name, code: error.code, messageId: notification.id, job: notification.jobId, event: notification.event, attempts: result.attempts }, error.message);
    }
    this.active -= 1;
    this.options.onSettled?.();
    this.pump();
    if (this.pending === 0 && this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  private noteFailure(reason: string): void {
    this.lastFailureAt = this.now();
    this.lastError = reason;
    this.lastFailed = true;
  }

  private drop(reason: string): void {
    this.counts.dropped += 1;
    this.noteFailure(reason);
    this.dropsSinceLog += 1;
    if (this.now() - this.lastDropLogAt >= 1_000) this.flushDropLog();
    this.options.onSettled?.();
  }

  private flushDropLog(): void {
    if (this.dropsSinceLog === 0) return;
    const error = new NotifyQueueFullError(this.channel.name, this.options.size, this.dropsSinceLog);
    this.options.logger.warn({ channel: this.channel.name, code: error.code, dropped: this.dropsSinceLog }, error.message);
    this.dropsSinceLog = 0;
    this.lastDropLogAt = this.now();
  }
}
