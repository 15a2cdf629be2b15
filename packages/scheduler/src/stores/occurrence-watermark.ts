/**
 * How the {@link MemoryStore} de-duplicates committed occurrences: one watermark per schedule.
 *
 * @remarks
 * Pure, no I/O. The store keeps one number per schedule: the highest `scheduledAt` it ever
 * accepted. A committed occurrence is accepted only when it is later than the watermark.
 * Occurrences of a schedule are produced in increasing time order by the trigger and the misfire
 * policy, so for that stream the watermark is exact, costs 8 bytes and no allocation, and can
 * never let a duplicate through. The price: an occurrence earlier than one already accepted (a
 * caller moving `nextRunAt` backwards past fired times) is refused rather than run; manual runs
 * (`runJob`) are not schedule occurrences and do not go through `commit`.
 */

/**
 * The occurrences of `fire` later than `watermark` and than every earlier one accepted, in order.
 *
 * @remarks
 * Returns `fire` itself when every occurrence is accepted (the steady state: no copy). The new
 * watermark is the last accepted occurrence, or `watermark` when none is.
 *
 * @example
 * ```ts
 * acceptAfter([1000, 2000, 3000], 2000); // [3000]
 * ```
 */
export function acceptAfter(fire: readonly number[], watermark: number): readonly number[] {
  let upTo = watermark;
  let accepted: readonly number[] = fire;
  for (let k = 0; k < fire.length; k++) {
    const t = fire[k] as number;
    if (t > upTo) {
      upTo = t;
      if (accepted !== fire) (accepted as number[]).push(t);
    } else if (accepted === fire) {
      accepted = fire.slice(0, k);
    }
  }
  return accepted;
}
