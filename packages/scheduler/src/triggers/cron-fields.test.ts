import { Cron } from 'croner';
import { describe, expect, it } from 'vitest';
import { cronFieldProblem, quoteInput } from './cron-fields.js';
import { validateCronExpression } from './validate.js';

function messageOf(expression: string): string {
  try {
    validateCronExpression(expression, 'UTC');
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error(`expected ${expression} to be refused`);
}

describe('cron field errors', () => {
  it.each([
    // croner says "day: 31", "month: 12", "illegal lower range (NaN)" for these
    ['0 0 32 * *', 'day-of-month "32" is out of range: allowed 1-31'],
    ['0 0 0 * *', 'day-of-month "0" is out of range: allowed 1-31'],
    ['0 0 1 13 *', 'month "13" is out of range: allowed 1-12 or JAN-DEC'],
    ['-1 * * * *', 'minute "-1" is not a value, range or step: allowed 0-59'],
    ['60 * * * * *', 'second "60" is out of range: allowed 0-59'],
    ['0 24 * * *', 'hour "24" is out of range: allowed 0-23'],
    ['0 0 * * 8', 'day-of-week "8" is out of range: allowed 0-7'],
    ['1-70 * * * *', 'minute "1-70" is out of range'],
    ['*/0 * * * *', 'minute "*/0" has a step of 0'],
    ['5/15 * * * *', 'minute "5/15" steps from a single value: put * or a range before the step, e.g. "*/15" or "5-59/15"'],
    ['30-10 * * * *', 'minute "30-10" is a range that runs backwards'],
    ['1,2,,3 * * * *', 'minute "1,2,,3" has an empty list item'],
    ['0 1,25 * * *', 'hour "25" in "1,25" is out of range: allowed 0-23'],
    ['0 0 * JAN-FOO *', 'month "JAN-FOO" is not a valid range'],
    ['0 0 * * MON#6', 'day-of-week "MON#6" has an nth weekday outside 1-5 or L'],
  ])('%s: %s', (expression, expected) => {
    const message = messageOf(expression);
    expect(message).toContain(`invalid cron expression "${expression}": ${expected}`);
    // A field problem is not a shape problem: no generic list of forms after it.
    expect(message).not.toContain('Use 5 fields');
  });

  it('keeps the list of accepted forms for problems with the shape of the expression', () => {
    expect(messageOf('5')).toContain('it has 1 field, expected 5 or 6. Use 5 fields');
    expect(messageOf('')).toContain('it is empty. Use 5 fields');
  });

  it('says a non-string expression is not a string instead of calling it empty', () => {
    expect(messageOf(5 as unknown as string)).toContain('it must be a string, got number');
  });

  it('cuts long input in the message and says its length', () => {
    const long = `${'1,'.repeat(500_000)}99 * * * *`;
    const message = messageOf(long);
    expect(message.length).toBeLessThan(400);
    expect(message).toContain('(1,000,010 characters)');
    expect(message).toContain('minute "99" in "1,1,1,');
    expect(quoteInput('abc')).toBe('"abc"');
  });

  it('accepts the forms croner parses: names, steps over ranges, ?, L, W and nth weekdays', () => {
    for (const expression of ['0 0 15W * *', '0 0 LW * *', '0 0 L * *', '0 0 * * 5L', '0 0 * * FRI#2', '0 0 * * MON#L', '0 0 ? * MON', '0 0 * * 7',
      '0 0 * * SUN-SAT', '0 0 * jan-mar *', '0 0 * * 1-5/2', '*/5 1-10/3 * * *', '0 0 1,15 * *', '*/59 * * * * *', '0 9 1 * +MON', '?/5 * * * *']) {
      expect(cronFieldProblem(expression), expression).toBeUndefined();
      expect(() => new Cron(expression, { paused: true, mode: '5-or-6-parts' }), expression).not.toThrow();
    }
  });

  it('never refuses a field croner accepts, over a grid of generated items', () => {
    // Each field is tried with items built from values around its bounds; what croner parses in
    // 5-or-6-parts mode, the field check must accept (it only words croner's refusals better).
    const atoms = ['*', '?', '0', '1', '5', '7', '12', '13', '23', '24', '31', '32', '59', '60', 'JAN', 'SUN', 'L', '15W', '5L', 'FRI#2', 'x', ''];
    const items = new Set<string>();
    for (const a of atoms) {
      items.add(a);
      for (const b of ['1', '7', '30', '60']) items.add(`${a}-${b}`);
      for (const s of ['0', '1', '15', '61']) items.add(`${a}/${s}`);
      items.add(`${a},1`);
      items.add(`+${a}`);
    }
    let compared = 0;
    const disagreements: string[] = [];
    for (const position of [0, 1, 2, 3, 4]) {
      for (const item of items) {
        const fields = ['0', '0', '1', '1', '*'];
        fields[position] = item;
        const expression = fields.join(' ');
        if (expression.trim().split(/\s+/).length !== 5) continue;
        let croner = true;
        try {
          new Cron(expression, { paused: true, mode: '5-or-6-parts', domAndDow: false });
        } catch {
          croner = false;
        }
        if (croner && cronFieldProblem(expression) !== undefined) disagreements.push(`${expression}: ${cronFieldProblem(expression)}`);
        compared += 1;
      }
    }
    expect(disagreements).toEqual([]);
    expect(compared).toBeGreaterThan(500);
  });
});
