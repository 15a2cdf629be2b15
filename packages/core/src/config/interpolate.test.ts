import { describe, expect, it } from 'vitest';
import { interpolate, resolvePlainScalar } from './interpolate.js';

describe('interpolate', () => {
  it('replaces set variables and keeps text around them', () => {
    expect(interpolate('redis://${HOST}:${PORT}/0', { HOST: 'cache', PORT: '6380' })).toEqual({
      value: 'redis://cache:6380/0',
      substituted: true,
      problems: [],
    });
  });

  it('uses the default when the variable is unset or empty, and the value otherwise', () => {
    expect(interpolate('${A:-x}|${B:-y}|${C:-z}', { B: '', C: 'set' }).value).toBe('x|y|set');
    expect(interpolate('${A:-}', {}).value).toBe('');
    expect(interpolate('${A:-a:b-c d}', {}).value).toBe('a:b-c d');
  });

  it('keeps an empty (but set) variable without default as empty text', () => {
    expect(interpolate('[${A}]', { A: '' })).toEqual({ value: '[]', substituted: true, problems: [] });
  });

  it('turns $${ into a literal ${ without substituting', () => {
    expect(interpolate('cost: $${PRICE} and ${X}', { X: '1', PRICE: 'no' })).toEqual({ value: 'cost: ${PRICE} and 1', substituted: true, problems: [] });
    expect(interpolate('$${HOME}', {})).toEqual({ value: '${HOME}', substituted: false, problems: [] });
  });

  it('leaves lone dollars alone', () => {
    expect(interpolate('$5 and $HOME and $', {})).toEqual({ value: '$5 and $HOME and $', substituted: false, problems: [] });
  });

  it('reports each unset variable with its offset', () => {
    expect(interpolate('a ${ONE} b ${TWO} ${ONE}', {}).problems).toEqual([
      { kind: 'unset', offset: 2, raw: '${ONE}', name: 'ONE' },
      { kind: 'unset', offset: 11, raw: '${TWO}', name: 'TWO' },
      { kind: 'unset', offset: 18, raw: '${ONE}', name: 'ONE' },
    ]);
  });

  it('reports malformed references', () => {
    expect(interpolate('x ${1BAD} ${OK', { OK: 'y' }).problems).toEqual([
      { kind: 'malformed', offset: 2, raw: '${1BAD}', name: '' },
      { kind: 'malformed', offset: 10, raw: '${OK', name: '' },
    ]);
    expect(interpolate('${}', {}).problems).toEqual([{ kind: 'malformed', offset: 0, raw: '${}', name: '' }]);
  });
});

describe('resolvePlainScalar', () => {
  it.each([
    ['8080', 8080],
    ['-3', -3],
    ['0x1F', 31],
    ['0o17', 15],
    ['2.5', 2.5],
    ['1e3', 1000],
    ['true', true],
    ['FALSE', false],
    ['null', null],
    ['~', null],
    ['', ''],
    ['5s', '5s'],
    ['yes', 'yes'],
    ['1.2.3', '1.2.3'],
  ] as const)('reads %j as %j', (text, expected) => {
    expect(resolvePlainScalar(text)).toBe(expected);
  });

  it('reads infinities and NaN like YAML', () => {
    expect(resolvePlainScalar('-.inf')).toBe(-Infinity);
    expect(resolvePlainScalar('.nan')).toBeNaN();
  });
});
