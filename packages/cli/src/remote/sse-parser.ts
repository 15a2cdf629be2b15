/**
 * An incremental parser of `text/event-stream` (the WHATWG Server-Sent Events format): fed
 * chunks as they arrive, it returns the events they complete. Pure: no I/O.
 */

/** One dispatched event. */
export interface SseEvent {
  /** The `event:` field; `message` when absent. */
  readonly type: string;
  /** The `data:` lines joined with `\n`. */
  readonly data: string;
  /** The last `id:` seen so far in the stream (ids persist across events), if any. */
  readonly id: string | undefined;
}

/** Parses one stream; create a new one per connection. */
export class SseParser {
  #buffer = '';
  #type = '';
  #data: string[] = [];
  #lastId: string | undefined;
  #retryMs: number | undefined;
  #started = false;
  #afterCr = false;

  /** The last event id seen (what `Last-Event-ID` should carry on a reconnect). */
  get lastEventId(): string | undefined {
    return this.#lastId;
  }

  /** The reconnection delay the server asked for with `retry:`, ms. */
  get retryMs(): number | undefined {
    return this.#retryMs;
  }

  /** Takes the next chunk of text and returns the events it completed. */
  feed(chunk: string): SseEvent[] {
    let text = this.#buffer + chunk;
    if (this.#afterCr) {
      // The last chunk ended with \r: a \n starting this one belongs to that line end.
      this.#afterCr = false;
      if (text.startsWith('\n')) text = text.slice(1);
    }
    if (!this.#started && text.length > 0) {
      this.#started = true;
      if (text.startsWith('\uFEFF')) text = text.slice(1);
    }
    const events: SseEvent[] = [];
    const lineEnd = /\r\n|\r|\n/g;
    let start = 0;
    for (let found = lineEnd.exec(text); found !== null; found = lineEnd.exec(text)) {
      this.#line(text.slice(start, found.index), events);
      start = found.index + found[0].length;
      if (found[0] === '\r' && start === text.length) this.#afterCr = true;
    }
    this.#buffer = text.slice(start);
    return events;
  }

  #line(line: string, events: SseEvent[]): void {
    if (line === '') {
      if (this.#data.length > 0) events.push({ type: this.#type === '' ? 'message' : this.#type, data: this.#data.join('\n'), id: this.#lastId });
      this.#type = '';
      this.#data = [];
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'event':
        this.#type = value;
        break;
      case 'data':
        this.#data.push(value);
        break;
      case 'id':
        if (!value.includes('\0')) this.#lastId = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) this.#retryMs = Number(value);
        break;
      default:
        break;
    }
  }
}
