/**
 * Test fixture: a small seeded random source, so randomized tests replay the same sequence.
 */

/** Returns `rand(n)`, an integer in `[0, n)` from a linear congruential generator seeded with `seed`. */
export function seededRandom(seed: number): (n: number) => number {
  let state = seed;
  return (n) => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state % n;
  };
}
