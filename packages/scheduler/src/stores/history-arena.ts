/**
 * One `Float64Array` that holds the run-history rings of every schedule of a {@link MemoryStore}.
 *
 * @remarks
 * Pure data structure, no I/O. A typed array per ring costs two V8 objects (the array and its
 * buffer) per schedule and one more pointer to chase on every recorded run; at 100k schedules
 * that is 200k objects for the collector and a cache miss per fire. Here a ring is an offset into
 * one shared array, allocated in fixed-size chunks with a free list per size (sizes are few: one
 * per distinct `historyLimit`). Growing doubles the array and copies it (amortised O(1) per chunk).
 */

/**
 * Chunk allocator over one growable `Float64Array`.
 *
 * @example
 * ```ts
 * const arena = new HistoryArena();
 * const at = arena.alloc(80);
 * arena.data[at] = 1;
 * arena.release(at, 80);
 * ```
 */
export class HistoryArena {
  /** The shared storage; replaced when it grows, so read it again after {@link HistoryArena.alloc}. */
  data: Float64Array = new Float64Array(0);
  private used = 0;
  private readonly free = new Map<number, number[]>();

  /** Offset of a chunk of `size` doubles (contents unspecified). */
  alloc(size: number): number {
    const reused = this.free.get(size)?.pop();
    if (reused !== undefined) return reused;
    if (this.used + size > this.data.length) {
      const grown = new Float64Array(Math.max(1024, 2 * this.data.length, this.used + size));
      grown.set(this.data.subarray(0, this.used));
      this.data = grown;
    }
    const at = this.used;
    this.used += size;
    return at;
  }

  /** Returns a chunk from {@link HistoryArena.alloc} for reuse. */
  release(offset: number, size: number): void {
    let list = this.free.get(size);
    if (list === undefined) this.free.set(size, (list = []));
    list.push(offset);
  }
}
