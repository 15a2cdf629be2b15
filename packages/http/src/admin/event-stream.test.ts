/**
 * Event streams: a client that does not read is dropped once it left `maxQueued` events unread
 * (its subscriptions end, memory is freed); a reading client gets every event in order; the
 * server's stop ends every stream.
 */
import { describe, expect, it } from 'vitest';
import { EventStreams } from './event-stream.js';

async function readAll(response: Response): Promise<string> {
  return new TextDecoder().decode(await response.arrayBuffer());
}

describe('EventStream', () => {
  it('drops a client that leaves more than maxQueued events unread, ending its subscriptions', async () => {
    const streams = new EventStreams();
    const stream = streams.open({ requestId: 'r', maxQueued: 10, keepAliveMs: 60_000 });
    let unsubscribed = 0;
    stream.onClose(() => void unsubscribed++);
    for (let i = 0; i < 50; i++) stream.send(streams.nextId(), { type: 'job.succeeded', data: { i, padding: 'x'.repeat(100) } });
    expect(stream.closed).toBe(true);
    expect(unsubscribed).toBe(1);
    expect(streams.size).toBe(0);
    const text = await readAll(stream.response);
    const ids = [...text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
    expect(ids.length).toBeGreaterThan(5);
    expect(ids.length).toBeLessThan(15);
    expect(text).toMatch(/event: dropped\ndata: \{"reason":"more than 10 events unread: the client reads too slowly"\}\n\n$/);
  });

  it('delivers every event in order to a client that reads, and ends all streams on closeAll', async () => {
    const streams = new EventStreams();
    const stream = streams.open({ requestId: 'r', maxQueued: 10, keepAliveMs: 60_000 });
    const reader = stream.response.body!.getReader();
    let text = '';
    for (let i = 0; i < 100; i++) {
      stream.send(streams.nextId(), { type: 'job.paused', data: { i } });
      const { value } = await reader.read();
      text += new TextDecoder().decode(value);
    }
    streams.closeAll();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    expect([...text.matchAll(/data: \{"i":(\d+)\}/g)].map((m) => Number(m[1]))).toEqual([...Array(100).keys()]);
    expect(stream.closed).toBe(true);
    expect(streams.size).toBe(0);
  });

  it('closes at once for a request already aborted, and keeps a type with a line break on one line', async () => {
    const streams = new EventStreams();
    const aborted = streams.open({ requestId: 'r', signal: AbortSignal.abort() });
    expect(aborted.closed).toBe(true);
    const stream = streams.open({ requestId: 'r' });
    stream.send(1, { type: 'evil\nevent: forged', data: 'a' });
    stream.close();
    expect(await readAll(stream.response)).toContain('event: evil event: forged\ndata: "a"\n\n');
  });
});
