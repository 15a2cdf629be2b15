import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './create-logger.js';

const sink = (): { stream: Writable; lines: Record<string, unknown>[] } => {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      done();
    },
  });
  return { stream, lines };
};

describe('createLogger', () => {
  it('writes JSON lines at the configured level, with the app name and errors under err', () => {
    const { stream, lines } = sink();
    const logger = createLogger({ level: 'warn', pretty: false }, { name: 'shop', destination: stream });
    logger.info('dropped');
    logger.child({ plugin: 'heartbeat' }).error({ err: new Error('disk full') }, 'beat failed');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 50, app: 'shop', plugin: 'heartbeat', msg: 'beat failed', err: { type: 'Error', message: 'disk full' } });
    expect(lines[0]).not.toHaveProperty('pid');
  });
});
