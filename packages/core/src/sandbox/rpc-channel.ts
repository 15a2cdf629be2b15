/**
 * Request/reply over a message channel (a child process's IPC channel), used by both ends of a
 * sandbox.
 */
import type { ReplyMessage, WireError } from './protocol.js';

/** The end of a channel messages are sent through. */
export interface MessageSender {
  /** Sends one message; returns false or throws when the channel is closed. */
  send(message: object): unknown;
}

/** A request as sent: every request has `t` and gets an `id` from the channel. */
export type Outgoing = { readonly t: string } & Record<string, unknown>;

/** An error rebuilt from the other side of a channel, with its `code` kept. */
export class RemoteError extends Error {
  /** The code of the error on the other side (`XCORE_ERR_...`), when it had one. */
  readonly code: string | undefined;

  constructor(wire: WireError) {
    super(wire.message);
    this.name = wire.name;
    this.code = wire.code;
    if (wire.stack !== undefined) this.stack = wire.stack;
  }
}

/** Turns any thrown value into a {@link WireError}. */
export function toWireError(error: unknown, withStack = true): WireError {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return {
      name: error.name,
      message: error.message,
      ...(typeof code === 'string' ? { code } : {}),
      ...(withStack && error.stack !== undefined ? { stack: error.stack } : {}),
    };
  }
  return { name: 'Error', message: typeof error === 'string' ? error : `non-error value thrown: ${safeText(error)}` };
}

function safeText(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  cleanup(): void;
}

/**
 * Numbers requests, matches replies to them, and rejects what is pending when the channel closes.
 *
 * @remarks
 * `request` with a signal sends `{ t: 'abort', of: id }` when it aborts and rejects at once with
 * the signal's reason: the other side may go on, but the caller does not wait for it.
 */
export class RpcChannel {
  #next = 1;
  readonly #pending = new Map<number, Pending>();
  #closedWith: Error | undefined;

  constructor(private readonly sender: MessageSender) {}

  /** Sends `message` with a fresh id and resolves with the reply's value (rejects with its error). */
  request<T = unknown>(message: Outgoing, signal?: AbortSignal): Promise<T> {
    if (this.#closedWith !== undefined) return Promise.reject(this.#closedWith);
    if (signal?.aborted) return Promise.reject(signal.reason);
    const id = this.#next++;
    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => {
        this.#pending.delete(id);
        this.trySend({ t: 'abort', of: id, reason: String((signal?.reason as Error | undefined)?.message ?? 'aborted') });
        reject(signal!.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#pending.set(id, {
        resolve: resolve as (value: unknown) => void,
        reject,
        cleanup: () => signal?.removeEventListener('abort', onAbort),
      });
      let failure: Error | undefined;
      try {
        if (!this.trySend({ ...message, id })) failure = this.#closedWith ?? new Error('the channel is closed');
      } catch (error) {
        // A value that cannot be cloned (a function in the options): refused before it leaves.
        failure = new TypeError(`the request could not be sent across the sandbox channel: ${(error as Error).message}`);
      }
      if (failure !== undefined) {
        this.#pending.get(id)?.cleanup();
        this.#pending.delete(id);
        reject(failure);
      }
    });
  }

  /** Settles the request a reply answers; returns false for an unknown id (late or aborted). */
  settle(reply: ReplyMessage): boolean {
    const pending = this.#pending.get(reply.id);
    if (pending === undefined) return false;
    this.#pending.delete(reply.id);
    pending.cleanup();
    if (reply.ok) pending.resolve(reply.value);
    else pending.reject(new RemoteError(reply.error ?? { name: 'Error', message: 'failed without an error' }));
    return true;
  }

  /** Answers a request from the other side with what `work` returns or throws. */
  async answer(id: number, work: () => unknown): Promise<void> {
    let reply: ReplyMessage;
    try {
      reply = { t: 'reply', id, ok: true, value: await work() };
    } catch (error) {
      reply = { t: 'reply', id, ok: false, error: toWireError(error) };
    }
    try {
      if (!this.trySend(reply)) return;
    } catch (error) {
      // A value that cannot be cloned (a function, a class instance with private state): say so.
      this.trySend({ t: 'reply', id, ok: false, error: toWireError(new Error(`the answer could not be sent across the sandbox channel: ${(error as Error).message}`)) });
    }
  }

  /** Rejects every pending request with `error`; later requests reject with it too. */
  close(error: Error): void {
    this.#closedWith = error;
    for (const [id, pending] of this.#pending) {
      this.#pending.delete(id);
      pending.cleanup();
      pending.reject(error);
    }
  }

  /** Requests sent and not answered yet. */
  get pending(): number {
    return this.#pending.size;
  }

  /** Sends a one-way message; false when the channel is closed. Throws when the message cannot be serialised. */
  trySend(message: object): boolean {
    if (this.#closedWith !== undefined) return false;
    try {
      return this.sender.send(message) !== false;
    } catch (error) {
      if ((error as { code?: unknown }).code === 'ERR_IPC_CHANNEL_CLOSED') return false;
      throw error;
    }
  }
}
