import { describe, expect, it } from 'vitest';
import { validateCronExpression, validateTimezone, validateTrigger } from './validate.js';

function errorOf(fn: () => void): { code: string; message: string } {
  try {
    fn();
  } catch (err) {
    return err as { code: string; message: string };
  }
  throw new Error('expected a throw');
}

describe('validateCronExpression', () => {
  it('accepts 5 and 6 fields and the macros', () => {
    for (const expr of ['0 9 * * 1-5', '*/10 * * * * *', '@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly']) {
      expect(() => validateCronExpression(expr, 'Europe/Berlin'), expr).not.toThrow();
    }
  });

  it('refuses a wrong field count, quoting the expression and showing a valid one', () => {
    const err = errorOf(() => validateCronExpression('0 9 * *', 'UTC'));
    expect(err.code).toBe('XCORE_ERR_CRON_INVALID');
    expect(err.message).toContain('"0 9 * *"');
    expect(err.message).toContain('it has 4 fields, expected 5 or 6');
    expect(err.message).toContain('"0 9 * * 1-5"');
    expect(errorOf(() => validateCronExpression('0 0 0 1 1 * 2030', 'UTC')).message).toContain('it has 7 fields');
  });

  it('refuses out-of-range values, unknown macros, empty text and patterns that never match', () => {
    expect(errorOf(() => validateCronExpression('61 * * * *', 'UTC')).code).toBe('XCORE_ERR_CRON_INVALID');
    expect(errorOf(() => validateCronExpression('* * * 13 *', 'UTC')).code).toBe('XCORE_ERR_CRON_INVALID');
    expect(errorOf(() => validateCronExpression('@reboot', 'UTC')).message).toContain('unknown macro "@reboot"');
    expect(errorOf(() => validateCronExpression('  ', 'UTC')).message).toContain('it is empty');
    expect(errorOf(() => validateCronExpression('0 0 30 2 *', 'UTC')).message).toContain('never matches');
  });

  it('refuses an unknown timezone', () => {
    expect(errorOf(() => validateCronExpression('0 9 * * *', 'Europe/Berln')).code).toBe('XCORE_ERR_TIMEZONE_INVALID');
  });
});

describe('validateTimezone', () => {
  it('accepts IANA names and UTC', () => {
    for (const tz of ['UTC', 'Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'Etc/GMT-2']) {
      expect(() => validateTimezone(tz), tz).not.toThrow();
    }
  });

  it('refuses misspelt zones and raw offsets, quoting the zone', () => {
    const err = errorOf(() => validateTimezone('Mars/Olympus'));
    expect(err.code).toBe('XCORE_ERR_TIMEZONE_INVALID');
    expect(err.message).toContain('"Mars/Olympus"');
    expect(err.message).toContain('"Europe/Berlin"');
    expect(errorOf(() => validateTimezone('+02:00')).code).toBe('XCORE_ERR_TIMEZONE_INVALID');
    expect(errorOf(() => validateTimezone('')).code).toBe('XCORE_ERR_TIMEZONE_INVALID');
  });
});

describe('validateTrigger', () => {
  it('refuses intervals that are not whole ms >= 1', () => {
    expect(errorOf(() => validateTrigger({ type: 'interval', everyMs: 0 })).message).toBe(
      'invalid trigger: everyMs must be a whole number of milliseconds >= 1, found 0',
    );
    expect(errorOf(() => validateTrigger({ type: 'interval', everyMs: 1.5 })).code).toBe('XCORE_ERR_TRIGGER_INVALID');
  });

  it('refuses bad bounds', () => {
    expect(errorOf(() => validateTrigger({ type: 'interval', everyMs: 1_000, maxRuns: -1 })).message).toContain('maxRuns must be');
    expect(errorOf(() => validateTrigger({ type: 'date', runDate: Number.NaN })).message).toContain('runDate must be epoch milliseconds a Date can hold');
    // Outside the Date range the message could not even be written before (toISOString threw a bare RangeError).
    expect(errorOf(() => validateTrigger({ type: 'interval', everyMs: 1_000, startDate: 1e21, endDate: 1e20 })).message).toBe(
      'invalid trigger: startDate must be epoch milliseconds a Date can hold (within ±8.64e15), found 1e+21',
    );
    const err = errorOf(() =>
      validateTrigger({ type: 'cron', expression: '@daily', timezone: 'UTC', startDate: Date.parse('2026-02-01T00:00:00Z'), endDate: Date.parse('2026-01-01T00:00:00Z') }),
    );
    expect(err.message).toBe(
      'invalid trigger: startDate (2026-02-01T00:00:00.000Z) is after endDate (2026-01-01T00:00:00.000Z); no occurrence can fire',
    );
  });

  it('accepts valid specs', () => {
    expect(() => validateTrigger({ type: 'interval', everyMs: 1, maxRuns: 0 })).not.toThrow();
    expect(() => validateTrigger({ type: 'cron', expression: '0 9 * * 1-5', timezone: 'Europe/Berlin' })).not.toThrow();
  });
});
