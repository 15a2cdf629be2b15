import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { attemptLabel, errorMessage, logError, MAX_ERROR_TEXT } from './error-message.js';
import { HOSTILE_VALUES } from './hostile-values.fixtures.js';

const hostile = (name: string): unknown => HOSTILE_VALUES.find((h) => h.name === name)!.make();

describe('errorMessage', () => {
  it('gives a non-empty bounded text for every hostile value, without throwing', () => {
    for (const h of HOSTILE_VALUES) {
      const text = errorMessage(h.make());
      expect(typeof text, h.name).toBe('string');
      expect(text.length, h.name).toBeGreaterThan(0);
      expect(text.length, h.name).toBeLessThanOrEqual(MAX_ERROR_TEXT + 40);
    }
  });

  it('says what was thrown when nothing can turn it into text', () => {
    expect(errorMessage(hostile('a cyclic object with a null prototype'))).toBe(
      'a thrown object that cannot be shown as text (no prototype or a cycle, or its toString, toJSON or a getter threw)',
    );
    expect(errorMessage(hostile('a revoked Proxy'))).toBe('a thrown Proxy that cannot be read (revoked, or its traps throw)');
    expect(errorMessage(hostile('an Error whose message and stack getters throw'))).toBe('Error whose message could not be read');
  });

  it('keeps the message of an Error and the text of strings and primitives', () => {
    expect(errorMessage(new RangeError('out of range'))).toBe('out of range');
    expect(errorMessage(new TypeError(''))).toBe('TypeError');
    expect(errorMessage('plain text')).toBe('plain text');
    expect(errorMessage(Symbol('thrown'))).toBe('Symbol(thrown)');
    expect(errorMessage(10n)).toBe('10');
    expect(errorMessage(undefined)).toBe('undefined was thrown');
    expect(errorMessage({ code: 42 })).toBe('{"code":42}');
    expect(errorMessage(hostile('an Error with a non-string message'))).toBe('Error with a object message');
  });

  it('cuts a long text and says how much was left out', () => {
    const text = errorMessage('x'.repeat(MAX_ERROR_TEXT + 10));
    expect(text).toBe(`${'x'.repeat(MAX_ERROR_TEXT)}... (10 more characters)`);
  });
});

describe('attemptLabel', () => {
  it('names the job and the attempt the way every executor message starts', () => {
    expect(attemptLabel('reports:daily', 2)).toBe('Job "reports:daily" attempt 2');
  });
});

describe('logError', () => {
  it('logs a value pino cannot serialise as its text instead of throwing', () => {
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, new Writable({ write: (c: Buffer, _e, done) => { lines.push(c.toString()); done(); } }));
    expect(() => logError(logger, 'warn', { job: 'j' }, hostile('a revoked Proxy'), 'job failed')).not.toThrow();
    expect(JSON.parse(lines[0]!)).toMatchObject({ job: 'j', msg: 'job failed', err: { message: 'a thrown Proxy that cannot be read (revoked, or its traps throw)' } });
  });
});
