/**
 * Server-Sent Events for the admin API: one {@link EventStream} per client, with an id per event,
 * a keep-alive comment, and a bound on what a slow client may leave unread; an {@link EventStreams}
 * registry that closes them all when the server stops.
 */
import { jsonHeaders } from '../routes/error-response.js';

/** One event as the stream sends it. */
export interface StreamEvent {
  /** The SSE `event:` name, e.g. `job.paused`. */
  readonly type: string;
  /** Sent as the `data:` line, JSON. */
  readonly data: unknown;
}

/** Options of one stream. */
export interface EventStreamOptions {
  /** Comment line sent when nothing else was, so proxies keep the connection. @defaultValue `15000` */
  readonly keepAliveMs?: number;
  /**
   * Most events queued and not yet taken by the client's connection; one more and the client is
   * dropped (a final `dropped` event is queued, then the stream ends).
   * @defaultValue `1000`
   */
  readonly maxQueued?: number;
  /** Aborted when the client goes away. */
  readonly signal?: AbortSignal;
  /** The request id, for the `x-request-id` header. */
  readonly requestId: string;
}

const encoder = new TextEncoder();

/** A line break inside data would end the field: JSON never has one, but keep any text to one line. */
function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, ' ');
}

/**
 * The events of one client, as a `text/event-stream` response.
 *
 * @remarks
 * Backpressure: the Node adapter stops reading the stream while the socket's buffer is full, so
 * unread events pile up in the stream's queue. Past `maxQueued` the client is dropped: its
 * subscriptions end (`onClose`) and the memory it held is freed, so one stalled client never
 * makes the server's memory grow without bound.
 */
export class EventStream {
  /** The response to return from the route. */
  readonly response: Response;
  #controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  #closed = false;
  #sentSinceTick = false;
  readonly #timer: ReturnType<typeof setInterval>;
  readonly #maxQueued: number;
  readonly #onClose: (() => void)[] = [];

  constructor(options: EventStreamOptions) {
    this.#maxQueued = options.maxQueued ?? 1000;
    const body = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          this.#controller = controller;
          controller.enqueue(encoder.encode(': connected\nretry: 3000\n\n'));
        },
        cancel: () => this.close(),
      },
      { highWaterMark: 1 },
    );
    const headers = { ...jsonHeaders(options.requestId), 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no' };
    this.response = new Response(body, { status: 200, headers });
    this.#timer = setInterval(() => this.#keepAlive(), options.keepAliveMs ?? 15_000);
    this.#timer.unref?.();
    if (options.signal?.aborted) this.close();
    else options.signal?.addEventListener('abort', () => this.close(), { once: true });
  }

  /** True once the stream ended (client gone, dropped, or closed by the server). */
  get closed(): boolean {
    return this.#closed;
  }

  /** Runs `cleanup` when the stream ends (at once if it has). */
  onClose(cleanup: () => void): void {
    if (this.#closed) cleanup();
    else this.#onClose.push(cleanup);
  }

  /** Sends one event with id `id`; drops the client when it left too much unread. */
  send(id: number, event: StreamEvent): void {
    const controller = this.#controller;
    if (this.#closed || controller === undefined) return;
    if ((controller.desiredSize ?? 0) <= -this.#maxQueued) {
      this.#write(`event: dropped\ndata: ${JSON.stringify({ reason: `more than ${this.#maxQueued} events unread: the client reads too slowly` })}\n\n`);
      this.close();
      return;
    }
    this.#write(`id: ${id}\nevent: ${oneLine(event.type)}\ndata: ${oneLine(JSON.stringify(event.data) ?? 'null')}\n\n`);
  }

  /** Ends the stream and runs the cleanups. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    try {
      this.#controller?.close();
    } catch {
      // Already cancelled by the client.
    }
    for (const cleanup of this.#onClose.splice(0)) {
      try {
        cleanup();
      } catch {
        // A failing cleanup must not keep the others from running.
      }
    }
  }

  #write(text: string): void {
    try {
      this.#controller?.enqueue(encoder.encode(text));
      this.#sentSinceTick = true;
    } catch {
      this.close();
    }
  }

  #keepAlive(): void {
    if (!this.#sentSinceTick) this.#write(': keep-alive\n\n');
    this.#sentSinceTick = false;
  }
}

/** The open streams of one server, with the id counter they share. */
export class EventStreams {
  readonly #open = new Set<EventStream>();
  #nextId = 1;

  /** Opens a stream and tracks it until it closes. */
  open(options: EventStreamOptions): EventStream {
    const stream = new EventStream(options);
    this.#open.add(stream);
    stream.onClose(() => this.#open.delete(stream));
    return stream;
  }

  /** The next event id (increasing for the life of the server). */
  nextId(): number {
    return this.#nextId++;
  }

  /** Open streams. */
  get size(): number {
    return this.#open.size;
  }

  /** Ends every open stream (the server is stopping: it must not wait for them). */
  closeAll(): void {
    for (const stream of [...this.#open]) stream.close();
  }
}
