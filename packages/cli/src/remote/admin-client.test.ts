import { describe, expect, it } from 'vitest';
import { editDistance } from '@xcore/core';

describe('editDistance', () => {
  it('counts insertions, deletions and substitutions, and stops past the limit', () => {
    expect([editDistance('billing:sync', 'billing:sync', 2), editDistance('billing:synk', 'billing:sync', 2), editDistance('billing:syn', 'billing:sync', 2), editDistance('bililng:sync', 'billing:sync', 2)]).toEqual([0, 1, 1, 2]);
    expect(editDistance('reports:weekly', 'billing:sync', 3)).toBe(4);
    expect(editDistance('a', 'abcdefgh', 2)).toBe(3);
  });
});
