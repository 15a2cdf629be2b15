/**
 * An indexed binary min-heap of small integer ids: O(log n) insert, re-key and remove of any id.
 *
 * @remarks
 * Pure data structure, no I/O. Ids are dense slot numbers (`0..capacity-1`) chosen by the caller;
 * keys, positions and the heap itself live in typed arrays, so the heap allocates nothing per
 * entry beyond 16 bytes of array space and holds no object references for the garbage collector to
 * trace. Keys are kept in heap order beside the ids: a sift compares two neighbouring keys instead
 * of looking each one up by id (at 100k entries every such lookup was a cache miss). The {@link MemoryStore} keeps one heap of
 * every claimable schedule keyed by the time it becomes claimable.
 */

const INITIAL_CAPACITY = 64;

/**
 * Binary min-heap over integer ids `>= 0`, each with a numeric key.
 *
 * @example
 * ```ts
 * const heap = new IndexedMinHeap();
 * heap.set(7, 5);   // insert id 7 with key 5
 * heap.set(7, 1);   // re-key in place
 * heap.peek();      // 7
 * heap.delete(7);
 * ```
 */
export class IndexedMinHeap {
  /** Ids in heap order. */
  private heap = new Int32Array(INITIAL_CAPACITY);
  /** `keys[i]` is the key of `heap[i]`. */
  private keys = new Float64Array(INITIAL_CAPACITY);
  /** Position of each id in `heap`, or -1. */
  private pos = new Int32Array(INITIAL_CAPACITY).fill(-1);
  private count = 0;

  /** Number of ids in the heap. */
  get size(): number {
    return this.count;
  }

  /** The id with the smallest key, or `-1` when empty. */
  peek(): number {
    return this.count === 0 ? -1 : (this.heap[0] as number);
  }

  /** The smallest key, or `Infinity` when empty. */
  peekKey(): number {
    return this.count === 0 ? Infinity : (this.keys[0] as number);
  }

  /** The id at heap position `i` (`0` is the root, children of `i` at `2i+1`, `2i+2`), or `-1`. */
  at(i: number): number {
    return i < this.count ? (this.heap[i] as number) : -1;
  }

  /** The key at heap position `i` (see {@link IndexedMinHeap.at}), or `Infinity`. */
  keyAt(i: number): number {
    return i < this.count ? (this.keys[i] as number) : Infinity;
  }

  /** The key of `id`, or `undefined` when it is not in the heap. */
  keyOf(id: number): number | undefined {
    return this.has(id) ? this.keys[this.pos[id] as number] : undefined;
  }

  /**
   * The smallest key whose id `skip` does not reject, or `Infinity`; without `skip`, the root's.
   *
   * @remarks
   * Walks down from the root only through skipped nodes: a kept node's subtree cannot beat it,
   * so a few skipped ids cost a few steps, not a scan of the heap.
   */
  earliestKey(skip?: (id: number) => boolean): number {
    if (skip === undefined || this.count === 0) return this.peekKey();
    let best = Infinity;
    const stack = [0];
    while (stack.length > 0) {
      const i = stack.pop() as number;
      if (i >= this.count) continue;
      const key = this.keys[i] as number;
      if (key >= best) continue;
      if (skip(this.heap[i] as number)) stack.push(2 * i + 1, 2 * i + 2);
      else best = key;
    }
    return best;
  }

  /** Whether `id` is in the heap. */
  has(id: number): boolean {
    return id < this.pos.length && (this.pos[id] as number) >= 0;
  }

  /** Inserts `id` with `key`, or re-keys it in place when present. */
  set(id: number, key: number): void {
    if (id >= this.pos.length) this.growPos(id + 1);
    const p = this.pos[id] as number;
    if (p >= 0) {
      const old = this.keys[p] as number;
      if (key < old) this.up(p, id, key);
      else if (key > old) this.down(p, id, key);
      return;
    }
    if (this.count === this.heap.length) this.growHeap();
    this.up(this.count++, id, key);
  }

  /** Removes `id`; a no-op when it is not in the heap. */
  delete(id: number): void {
    if (!this.has(id)) return;
    const i = this.pos[id] as number;
    this.pos[id] = -1;
    const n = --this.count;
    if (i === n) return;
    const last = this.heap[n] as number;
    const lastKey = this.keys[n] as number;
    const parent = (i - 1) >> 1;
    if (i > 0 && precedes(lastKey, last, this.keys[parent] as number, this.heap[parent] as number)) this.up(i, last, lastKey);
    else this.down(i, last, lastKey);
  }

  private growPos(min: number): void {
    let cap = this.pos.length;
    while (cap < min) cap *= 2;
    const pos = new Int32Array(cap).fill(-1);
    pos.set(this.pos);
    this.pos = pos;
  }

  private growHeap(): void {
    const heap = new Int32Array(2 * this.heap.length);
    heap.set(this.heap);
    const keys = new Float64Array(2 * this.keys.length);
    keys.set(this.keys);
    this.heap = heap;
    this.keys = keys;
  }

  /** Places `id` with `key` at position `i` or above it. */
  private up(i: number, id: number, key: number): void {
    const { heap, pos, keys } = this;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parentKey = keys[p] as number;
      const parent = heap[p] as number;
      if (!precedes(key, id, parentKey, parent)) break;
      heap[i] = parent;
      keys[i] = parentKey;
      pos[parent] = i;
      i = p;
    }
    heap[i] = id;
    keys[i] = key;
    pos[id] = i;
  }

  /** Places `id` with `key` at position `i` or below it. */
  private down(i: number, id: number, key: number): void {
    const { heap, pos, keys } = this;
    const n = this.count;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      let c = l;
      let childKey = keys[l] as number;
      let child = heap[l] as number;
      const r = l + 1;
      if (r < n) {
        const rightKey = keys[r] as number;
        const right = heap[r] as number;
        if (precedes(rightKey, right, childKey, child)) {
          c = r;
          childKey = rightKey;
          child = right;
        }
      }
      if (!precedes(childKey, child, key, id)) break;
      heap[i] = child;
      keys[i] = childKey;
      pos[child] = i;
      i = c;
    }
    heap[i] = id;
    keys[i] = key;
    pos[id] = i;
  }
}

/**
 * Whether `(key, id)` comes before `(otherKey, otherId)`: the smaller key, and among equal keys
 * the smaller id. Schedules due at the same instant then leave the heap in slot order, which is
 * the order their rows, entries and handlers were laid out in memory at registration: a burst
 * reads them nearly sequentially instead of in the order the heap happened to leave them.
 */
function precedes(key: number, id: number, otherKey: number, otherId: number): boolean {
  return key < otherKey || (key === otherKey && id < otherId);
}
