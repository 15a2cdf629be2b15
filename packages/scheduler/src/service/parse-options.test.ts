/**
 * `parseAddJobOptions` checks the usual options key by key (the quick path) and anything else with
 * the whole schema: both must accept and refuse the same options, with the same output and message.
 */
import { describe, expect, it } from 'vitest';
import { parseAddJobOptions, parseAddJobOptionsWhole } from './parse-options.js';

/** What a parse gives: its output, or the error's code and message. */
function outcome(parse: () => unknown): unknown {
  try {
    return { data: parse() };
  } catch (error) {
    return { error: (error as { code?: string }).code, message: (error as Error).message };
  }
}

const cases: Array<Record<string, unknown>> = [
  { id: 'a', every: 1000 },
  { id: 'a', every: '30s' },
  { id: 'a', every: { minutes: 1, seconds: 30 } },
  { id: 'a', cron: '* * * * * *' },
  { id: 'a', cron: '0 9 * * 1-5', timezone: 'Europe/Berlin' },
  { id: 'a', every: 1000, timezone: 'Europe/Berlin' },
  { id: 'a', every: 1000, replaceExisting: true, removable: false, maxInstances: 2, coalesce: 'all', timeout: '5s', args: [1, { b: 2 }] },
  { id: 'a', every: 1000, maxRuns: 3 },
  { id: 'a', every: 1000, startDate: 0 },
  { id: 'a', every: 1000, startDate: 1_700_000_000_250, endDate: '2030-01-01T00:00:00Z' },
  { id: 'a', cron: '* * * * * *', startDate: new Date(1_700_000_000_000), endDate: 1_900_000_000_000, maxRuns: 5 },
  { id: 'a', every: 1000, startDate: '2030-01-01T00:00:00.000+02:00' },
  { id: 'a', every: 1000, endDate: 1_700_000_000_000 },
  { id: 'a', runDate: 0 },
  // Refused: each must keep the whole schema's message.
  { id: 'a' },
  { id: 'a', every: 1000, cron: '* * * * *' },
  { id: 'has space', every: 1000 },
  { id: '', every: 1000 },
  { id: 'a', every: 0 },
  { id: 'a', every: 'soon' },
  { id: 'a', cron: 'not cron' },
  { id: 'a', cron: '* * * * *', timezone: 'Mars/Olympus' },
  { id: 'a', every: 1000, timout: '5s' },
  { id: 'a', every: 1000, replaceExisting: 'yes' },
  { id: 'a', every: undefined, cron: '* * * * *' },
  { every: 1000 },
  { id: 'a', every: 1000, startDate: 2_000_000_000_000, endDate: 1_900_000_000_000 },
  { id: 'a', every: 1000, startDate: 'yesterday' },
  { id: 'a', every: 1000, startDate: -1e20 },
  { id: 'a', every: 1000, endDate: new Date(Number.NaN) },
  { id: 'a', every: 1000, retries: 0 },
  { id: 'a', every: 1000, retries: -0 },
  { id: 'a', every: 1000, retries: 1.5 },
  { id: 'a', every: 1000, timeout: null },
  { id: 'a', every: 1000, timeout: '5s', retryDelay: 250, jitter: '1s', historyLimit: 0 },
  { id: 'a', every: 1000, executor: 'thread' },
  { id: 'a', every: 1000, env: ['HOME'] },
  { id: 'ünïcode-ok', every: 1000 },
  { id: 'a\u0007', every: 1000 },
  { id: 'x'.repeat(201), every: 1000 },
  { id: 7, every: 1000 },
];

describe('parseAddJobOptions', () => {
  it.each(cases.map((c) => [JSON.stringify(c), c] as const))('%s: same as the whole schema', (_, options) => {
    // Twice: the second parse of a value may be answered from what the first remembered.
    for (let pass = 0; pass < 2; pass++) {
      expect(outcome(() => parseAddJobOptions(options, (id) => id))).toEqual(outcome(() => parseAddJobOptionsWhole(options, (id) => id)));
    }
  });

  it('reads options whose getter throws through the whole schema, with its message', () => {
    const options = { id: 'a', get every(): number { throw new Error('boom'); } };
    expect(() => parseAddJobOptions(options, (id) => id)).toThrow(/^Job "a": the options could not be read \(boom\)/);
  });

  it('parses a class instance with the whole schema, as before', () => {
    class Options { id = 'a'; every = 1000; }
    expect(outcome(() => parseAddJobOptions(new Options(), (id) => id))).toEqual(outcome(() => parseAddJobOptionsWhole(new Options(), (id) => id)));
  });
});
