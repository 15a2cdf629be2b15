/**
 * An indexed binary min-heap of small integer ids: O(log n) insert, re-key and remove of any id.
 *
 * @remarks
 * Pure data structure, no I/O. Ids are dense slot numbers (`0..capacity-1`) chosen by the caller;
 * keys, positions and the heap itself live in typed arrays, so the heap allocates nothing per
 * entry beyond 16 bytes of array space, holds no object references for the garbage collector to
 * trace, and compares keys without chasing pointers. The {@link MemoryStore} keeps one heap of
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
  private keys = new Float64Array(INITIAL_CAPACITY);
  /** Position of each id in `heap`, or -1. */
  private pos = new Int32Array(INITIAL_CAPACITY).fill(-1);
  private heap = new Int32Array(INITIAL_CAPACITY);
  private count = 0;

  /** Number of ids in the heap. */
  get size(): number {
    return this.count;
  }

  /** The id with the smallest key, or `-1` when empty. */
  peek(): number {
    return this.count === 0 ? -1 : (this.heap[0] as number);
  }

  /** The id at heap position `i` (0 = root; children of `i` are `2i+1` and `2i+2`), or `-1`. */
  at(i: number): number {
    return i < this.count ? (this.heap[i] as number) : -1;
  }

  /** The key of `id` (meaningful only while {@link has} is true). */
  keyOf(id: number): number {
    return this.keys[id] as number;
  }

  /** True when `id` is in the heap. */
  has(id: number): boolean {
    return id < this.pos.length && (this.pos[id] as number) >= 0;
  }

  /** Inserts `id` with `key`, or moves it to `key` when it is already in the heap. */
  set(id: number, key: number): void {
    if (id >= this.pos.length) this.grow(id + 1);
    const p = this.pos[id] as number;
    if (p >= 0) {
      const old = this.keys[id] as number;
      this.keys[id] = key;
      if (key < old) this.up(p);
      else if (key > old) this.down(p);
      return;
    }
    this.keys[id] = key;
    const i = this.count++;
    this.heap[i] = id;
    this.pos[id] = i;
    this.up(i);
  }

  /** Removes `id`; a no-op when it is not in the heap. */
  delete(id: number): void {
    if (!this.has(id)) return;
    const i = this.pos[id] as number;
    this.pos[id] = -1;
    const last = this.heap[--this.count] as number;
    if (last === id) return;
    this.heap[i] = last;
    this.pos[last] = i;
    this.down(i);
    this.up(this.pos[last] as number);
  }

  private grow(min: number): void {
    let cap = this.pos.length;
    while (cap < min) cap *= 2;
    const keys = new Float64Array(cap);
    keys.set(this.keys);
    const pos = new Int32Array(cap).fill(-1);
    pos.set(this.pos);
    const heap = new Int32Array(cap);
    heap.set(this.heap);
    this.keys = keys;
    this.pos = pos;
    this.heap = heap;
  }

  private up(i: number): void {
    const { heap, pos, keys } = this;
    const id = heap[i] as number;
    const key = keys[id] as number;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = heap[p] as number;
      if ((keys[parent] as number) <= key) break;
      heap[i] = parent;
      pos[parent] = i;
      i = p;
    }
    heap[i] = id;
    pos[id] = i;
  }

  private down(i: number): void {
    const { heap, pos, keys } = this;
    const n = this.count;
    const id = heap[i] as number;
    const key = keys[id] as number;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      let c = l;
      let child = heap[l] as number;
      let childKey = keys[child] as number;
      const r = l + 1;
      if (r < n) {
        const right = heap[r] as number;
        const rightKey = keys[right] as number;
        if (rightKey < childKey) {
          c = r;
          child = right;
          childKey = rightKey;
        }
      }
      if (childKey >= key) break;
      heap[i] = child;
      pos[child] = i;
      i = c;
    }
    heap[i] = id;
    pos[id] = i;
  }
}
