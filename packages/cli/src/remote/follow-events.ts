/**
 * Following the admin API's event stream (`GET /admin/v1/events`) for as long as the caller
 * wants: events are handed over as they arrive, and a dropped connection is opened again with
 * `Last-Event-ID` after the delay the server asked for (`retry:`).
 */
import { StringDecoder } from 'node:string_decoder';
import type { AdminClient } from './admin-client.js';
import { SseParser } from './sse-parser.js';

/** One event of the stream, its `data:` decoded. */
export interface StreamedEvent {
  /** The server's event id (increasing while the server runs; it starts again after a restart). */
  readonly id: string | undefined;
  /** `job.succeeded`, `plugin.failed`, `dropped`, ... */
  readonly type: string;
  /** The JSON of the `data:` line (`{ type, time, jobId?, owner?, data }`), or its text when it is not JSON. */
  readonly data: unknown;
}

/** Filters of the stream (the route's query parameters). */
export interface EventFilter {
  readonly job?: string | undefined;
  readonly owner?: string | undefined;
  readonly types?: string | undefined;
}

/** What the follower reports. */
export interface FollowHandlers {
  /** Each event, in order. */
  onEvent(event: StreamedEvent): void;
  /** A connection was opened (`reconnect`: not the first one). */
  onConnect?(reconnect: boolean): void;
  /** The connection ended or could not be opened again; `retryMs` until the next try. */
  onDisconnect?(problem: string, retryMs: number): void;
}

/** Reconnect delay when the server named none, ms (the admin API sends `retry: 3000`). */
const DEFAULT_RETRY_MS = 3000;
/** Longest delay between attempts while the host stays away, ms. */
const MAX_RETRY_MS = 30_000;

/**
 * Follows the stream until `signal` aborts; resolves then.
 *
 * @remarks
 * The first connection's failure is thrown (an unreachable host, a refused token: the command
 * ends with that error's exit code). Once connected, a lost connection is retried for ever
 * (doubling the delay up to 30 s while the host stays away), sending the last event id seen as
 * `Last-Event-ID`; the admin API does not replay events, so those during the gap are not seen
 * (`onDisconnect` says so, and a `--watch` listing re-reads its page on reconnect).
 */
export async function followEvents(client: AdminClient, filter: EventFilter, handlers: FollowHandlers, signal: AbortSignal): Promise<void> {
  let lastEventId: string | undefined;
  let retryMs = DEFAULT_RETRY_MS;
  let failures = 0;
  let connected = false;
  while (!signal.aborted) {
    let problem: string;
    try {
      const res = await client.events(filter, { lastEventId, signal });
      handlers.onConnect?.(connected);
      connected = true;
      failures = 0;
      const parser = new SseParser();
      const decoder = new StringDecoder('utf8');
      for await (const chunk of res) {
        for (const event of parser.feed(decoder.write(chunk as Buffer))) handlers.onEvent({ id: event.id, type: event.type, data: decode(event.data) });
        lastEventId = parser.lastEventId ?? lastEventId;
        retryMs = parser.retryMs ?? retryMs;
      }
      problem = 'the host closed the event stream';
    } catch (error) {
      if (signal.aborted) return;
      if (!connected) throw error;
      problem = error instanceof Error ? error.message : String(error);
    }
    if (signal.aborted) return;
    failures += 1;
    const delay = Math.min(MAX_RETRY_MS, retryMs * 2 ** Math.max(0, failures - 1));
    handlers.onDisconnect?.(problem, delay);
    await sleep(delay, signal);
  }
}

function decode(data: string): unknown {
  try {
    return JSON.parse(data) as unknown;
  } catch {
    return data;
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
