import { describe, expect, it } from 'vitest';
import { acceptAfter } from './occurrence-watermark.js';

describe('acceptAfter', () => {
  it('accepts every occurrence after the watermark and returns the same array when all pass', () => {
    const fire = [1000, 2000, 3000];
    expect(acceptAfter(fire, 999)).toBe(fire);
    expect(acceptAfter(fire, -Infinity)).toBe(fire);
  });

  it('refuses occurrences at or before the watermark, and any not later than one accepted before it', () => {
    expect(acceptAfter([1000, 2000, 3000], 2000)).toEqual([3000]);
    expect(acceptAfter([1000, 2000], 2000)).toEqual([]);
    expect(acceptAfter([3000, 1000, 3000, 4000], 0)).toEqual([3000, 4000]);
    expect(acceptAfter([], 5)).toEqual([]);
  });
});
