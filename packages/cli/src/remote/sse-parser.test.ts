import { describe, expect, it } from 'vitest';
import { SseParser, type SseEvent } from './sse-parser.js';

const STREAM = ': connected\nretry: 3000\n\nid: 1\nevent: job.paused\ndata: {"jobId":"a"}\n\n: keep-alive\n\nid: 2\nevent: job.failed\ndata: line one\ndata: line two\n\ndata: no type\n\n';
const EXPECTED: SseEvent[] = [
  { type: 'job.paused', data: '{"jobId":"a"}', id: '1' },
  { type: 'job.failed', data: 'line one\nline two', id: '2' },
  { type: 'message', data: 'no type', id: '2' },
];

describe('SseParser', () => {
  it('dispatches events on blank lines, skips comments, joins data lines and keeps the last id', () => {
    const parser = new SseParser();
    expect(parser.feed(STREAM)).toEqual(EXPECTED);
    expect([parser.lastEventId, parser.retryMs]).toEqual(['2', 3000]);
  });

  it('gives the same events whatever the chunk boundaries, with \\n, \\r\\n or \\r line ends', () => {
    for (const ending of ['\n', '\r\n', '\r']) {
      const text = STREAM.replace(/\n/g, ending);
      for (const size of [1, 2, 3, 7, 13]) {
        const parser = new SseParser();
        const events: SseEvent[] = [];
        for (let i = 0; i < text.length; i += size) events.push(...parser.feed(text.slice(i, i + size)));
        expect(events, `chunks of ${size}, ending ${JSON.stringify(ending)}`).toEqual(EXPECTED);
      }
    }
  });

  it('holds an event back until its blank line arrives, ignores a BOM, unknown fields and a bad retry', () => {
    const parser = new SseParser();
    expect(parser.feed('\uFEFFid: 9\nevent: x\nfoo: bar\nretry: soon\ndata: {}\n')).toEqual([]);
    expect(parser.feed('\n')).toEqual([{ type: 'x', data: '{}', id: '9' }]);
    expect(parser.retryMs).toBeUndefined();
  });

  it('does not dispatch an event without data, and an id with NUL is ignored', () => {
    const parser = new SseParser();
    expect(parser.feed('id: 4\nevent: empty\n\nid: a\u0000b\ndata: x\n\n')).toEqual([{ type: 'message', data: 'x', id: '4' }]);
  });
});
