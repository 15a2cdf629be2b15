import { describe, expect, it } from 'vitest';
import { compareIds, SortedIds } from './sorted-ids.js';

describe('compareIds', () => {
  it('orders by code point, as UTF-8 bytes do (a character above U+FFFF after U+FF61)', () => {
    const ids = ['\u{1F600}', '\uFF61', 'b', 'a', 'ab', 'A', '', '\u00e9'];
    expect([...ids].sort(compareIds)).toEqual([...ids].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y))));
  });
});

describe('SortedIds', () => {
  it('keeps one entry per live id when an id is removed and added again before the next read', () => {
    const live = new Set(['c', 'a', 'b']);
    const ids = new SortedIds((id) => live.has(id));
    for (const id of live) ids.add(id);
    expect(ids.from(null).ids).toEqual(['a', 'b', 'c']);
    live.delete('b');
    ids.remove();
    live.add('b');
    ids.add('b');
    live.add('d');
    ids.add('d');
    expect(ids.from(null).ids).toEqual(['a', 'b', 'c', 'd']);
    expect(ids.from('b')).toEqual({ ids: ['a', 'b', 'c', 'd'], start: 2 });
    expect(ids.from('bb').start).toBe(2);
    expect(ids.from('z').start).toBe(4);
  });
});
