import { describe, expect, it } from 'vitest';
import { ruleSchema } from './config.js';
import { compileRules, globToRegExp } from './rule-matcher.js';

describe('globToRegExp', () => {
  it.each([
    ['*', 'orders:sync', true],
    ['orders:*', 'orders:sync', true],
    ['orders:*', 'orders', false],
    ['orders:*', 'billing:orders:sync', false],
    ['*:sync', 'orders:sync', true],
    ['report-?', 'report-1', true],
    ['report-?', 'report-10', false],
    ['a.b', 'axb', false],
    ['(x)+[y]', '(x)+[y]', true],
    ['Orders:*', 'orders:sync', false],
  ])('%s against %s: %s', (glob, id, expected) => {
    expect(globToRegExp(glob).test(id)).toBe(expected);
  });
});

describe('compileRules', () => {
  const compile = (rules: unknown[]) => compileRules(rules.map((r) => ruleSchema.parse(r)), ['hook', 'mail']);

  it('lists a channel named twice once', () => {
    expect(compile([{ channels: ['hook', 'mail', 'hook'] }])[0]!.channels).toEqual(['hook', 'mail']);
  });

  it('applies the defaults: every job, failed and timed out, every channel, 1 h window, recovery', () => {
    const [rule] = compile([{}]);
    expect(rule).toMatchObject({ name: 'rule-1', channels: ['hook', 'mail'], windowMs: 3_600_000, recovery: true });
    expect(rule!.matchesFailure('any:job', 'any', 'failed')).toBe(true);
    expect(rule!.matchesFailure('any:job', 'any', 'timed_out')).toBe(true);
    expect(rule!.matchesFailure('any:job', 'any', 'skipped')).toBe(false);
  });

  it('needs both the job glob and, when set, the owner', () => {
    const [byOwner, both] = compile([{ owners: ['config'] }, { name: 'orders', jobs: ['orders:*', 'nightly-*'], owners: ['orders'], outcomes: ['missed'] }]);
    expect(byOwner!.matchesFailure('prune-tmp', 'config', 'failed')).toBe(true);
    expect(byOwner!.matchesFailure('orders:sync', 'orders', 'failed')).toBe(false);
    expect(both!.name).toBe('orders');
    expect(both!.matchesFailure('orders:sync', 'orders', 'missed')).toBe(true);
    expect(both!.matchesFailure('orders:sync', 'orders', 'failed')).toBe(false);
    expect(both!.matchesFailure('nightly-report', 'config', 'missed')).toBe(false);
  });
});
