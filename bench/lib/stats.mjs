/**
 * Summary statistics over lateness samples.
 */

/**
 * Percentiles (nearest rank) of the first `count` samples, in place (the array is sorted).
 * @param {Float64Array} samples
 * @param {number} count
 */
export function summarize(samples, count) {
  if (count === 0) return { count: 0, p50: null, p90: null, p99: null, max: null, min: null, mean: null };
  const s = samples.subarray(0, count).sort();
  let sum = 0;
  for (let i = 0; i < count; i++) sum += s[i];
  const at = (q) => s[Math.min(count - 1, Math.max(0, Math.ceil(q * count) - 1))];
  return { count, p50: at(0.5), p90: at(0.9), p99: at(0.99), max: s[count - 1], min: s[0], mean: sum / count };
}
