/**
 * Levenshtein distance of `a` and `b`: the typo measure behind the "did you mean" hints (config
 * keys, job ids in the CLI).
 *
 * @param limit - Stop early once the distance is known to pass this; `limit + 1` is returned then.
 * @defaultValue `limit`: `Infinity` (the exact distance)
 *
 * @example
 * ```ts
 * editDistance('billing:synk', 'billing:sync'); // 1
 * editDistance('reports:weekly', 'billing:sync', 3); // 4 (more than 3)
 * ```
 */
export function editDistance(a: string, b: string, limit = Number.POSITIVE_INFINITY): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    let best = i;
    for (let j = 1; j <= b.length; j += 1) {
      const value = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      current.push(value);
      best = Math.min(best, value);
    }
    if (best > limit) return limit + 1;
    previous = current;
  }
  return previous[b.length]!;
}
