/**
 * The change hints of the {@link RedisStore}: its `onChange` listeners, told of this store's own
 * changes at once and of other processes' changes through pub/sub on `{prefix}:changes`.
 *
 * @remarks
 * The scripts publish each change with this store's `source` id, so a store skips its own hints
 * (its listeners already heard of them). Hints only: one published while the subscriber
 * reconnects is lost, so callers cap their sleeps. A listener that throws is logged, not rethrown.
 */
import { randomUUID } from 'node:crypto';
import { ioredis } from './ioredis.js';
import type { StoreChange } from '../store.js';
import { ChangeListeners } from '../change-listeners.js';
import type { RedisKeys } from './keys.js';
import type { ConnectionOutages } from './connection-outages.js';
import type { RedisStoreLogger } from './redis-store-options.js';
import type { RedisClient } from './scripts.js';

/** One store's change listeners and the subscriber connection that feeds them other processes' hints. */
export class ChangeHints {
  /** This store's id in published hints (scripts take it as an argument). */
  readonly source = randomUUID();
  readonly #client: RedisClient;
  readonly #keys: RedisKeys;
  readonly #logger: RedisStoreLogger;
  readonly #listeners: ChangeListeners;
  readonly #outages: ConnectionOutages;
  #subscriber: RedisClient | undefined;
  #closed = false;

  /** `client` is duplicated into a subscriber when the first listener is added; `outages` logs its connection trouble. */
  constructor(client: RedisClient, keys: RedisKeys, logger: RedisStoreLogger, outages: ConnectionOutages) {
    this.#client = client;
    this.#outages = outages;
    this.#keys = keys;
    this.#logger = logger;
    this.#listeners = new ChangeListeners((err, change) => logger.warn({ err, change }, 'store change listener threw'));
  }

  /** Adds `listener` (subscribing on first use, unless closed); returns its removal. */
  listen(listener: (change: StoreChange) => void): () => void {
    const remove = this.#listeners.add(listener);
    if (!this.#subscriber && !this.#closed) this.#subscribe();
    return remove;
  }

  /** Tells the listeners of a change this store made, when it `happened`. */
  emit(change: StoreChange, happened: boolean): void {
    if (happened) this.#listeners.deliver(change);
  }

  /** Drops every listener and stops subscribing; returns the subscriber connection for the caller to close. */
  close(): RedisClient | undefined {
    this.#closed = true;
    this.#listeners.clear();
    return this.#subscriber;
  }

  #subscribe(): void {
    const subscriber: RedisClient = this.#client instanceof ioredis().Cluster ? this.#client.duplicate() : this.#client.duplicate();
    this.#subscriber = subscriber;
    this.#outages.watch(subscriber, 'subscriber');
    subscriber.on('message', (channel: string, message: string) => {
      if (channel !== this.#keys.channel) return;
      let change: StoreChange & { src?: string };
      try {
        change = JSON.parse(message) as StoreChange & { src?: string };
      } catch {
        return;
      }
      if (change.src === this.source) return;
      this.#listeners.emit(change.kind, change.id);
    });
    subscriber.subscribe(this.#keys.channel).catch((error: unknown) => {
      this.#logger.warn({ err: error, channel: this.#keys.channel }, 'RedisStore could not subscribe to change hints; ioredis resubscribes after reconnecting');
    });
  }
}
