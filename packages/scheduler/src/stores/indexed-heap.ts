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

/** Fewest ids in the heap for {@link IndexedMinHeap.stageDue} to sweep it: below this, sifts are cheap (all in cache). */
export const STAGE_MIN = 256;

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
  /** Position of each id in `heap`, `-1` when absent, `-2 - i` when staged at `staged[i]`. */
  private pos = new Int32Array(INITIAL_CAPACITY).fill(-1);
  private count = 0;
  /**
   * Ids a sweep ({@link IndexedMinHeap.stageDue}) took out of the heap, in (key, id) order, and
   * their keys: the live ones are at `stagedHead..stagedEnd`, `-1` marks one deleted since.
   */
  private staged = new Int32Array(0);
  private stagedKeys = new Float64Array(0);
  private stagedHead = 0;
  private stagedEnd = 0;
  private stagedLive = 0;
  /** Scratch of {@link IndexedMinHeap.stageDue}'s walk of the due subtree. */
  private stack = new Int32Array(0);

  /** Number of ids in the heap. */
  get size(): number {
    return this.count + this.stagedLive;
  }

  /** The id with the smallest key, or `-1` when empty. */
  peek(): number {
    if (this.stagedLive === 0) return this.count === 0 ? -1 : (this.heap[0] as number);
    const first = this.staged[this.stagedHead] as number;
    if (this.count === 0) return first;
    const root = this.heap[0] as number;
    return precedes(this.keys[0] as number, root, this.stagedKeys[this.stagedHead] as number, first) ? root : first;
  }

  /** The smallest key, or `Infinity` when empty. */
  peekKey(): number {
    const root = this.count === 0 ? Infinity : (this.keys[0] as number);
    return this.stagedLive === 0 ? root : Math.min(root, this.stagedKeys[this.stagedHead] as number);
  }

  /**
   * Takes every id whose key is at most `maxKey` out of the tree into a run sorted by (key, id),
   * when they are many (at least an eighth of the heap, and {@link STAGE_MIN} or more): then
   * {@link IndexedMinHeap.peek} and {@link IndexedMinHeap.delete} serve them in order in O(1)
   * each, instead of a sift through the tree per id. A burst (thousands of schedules due at one
   * instant) costs one sequential pass over the heap and a sort, not a path of cache misses per
   * schedule. Does nothing while a run from an earlier sweep is left, or when few are due.
   */
  stageDue(maxKey: number): void {
    const n = this.count;
    if (this.stagedLive > 0 || n < STAGE_MIN || (this.keys[0] as number) > maxKey) return;
    if (!this.manyDue(maxKey, n >> 3)) return;
    const { heap, keys, pos } = this;
    if (this.staged.length < n) {
      this.staged = new Int32Array(this.heap.length);
      this.stagedKeys = new Float64Array(this.heap.length);
    }
    const { staged, stagedKeys } = this;
    let taken = 0;
    let kept = 0;
    let sameKey = true;
    for (let i = 0; i < n; i++) {
      const key = keys[i] as number;
      const id = heap[i] as number;
      if (key <= maxKey) {
        if (taken > 0 && key !== stagedKeys[0]) sameKey = false;
        staged[taken] = id;
        stagedKeys[taken++] = key;
      } else {
        heap[kept] = id;
        keys[kept] = key;
        pos[id] = kept++;
      }
    }
    this.count = kept;
    for (let i = (kept >> 1) - 1; i >= 0; i--) this.down(i, heap[i] as number, keys[i] as number);
    if (sameKey) staged.subarray(0, taken).sort();
    else this.sortStaged(taken);
    for (let i = 0; i < taken; i++) pos[staged[i] as number] = -2 - i;
    this.stagedHead = 0;
    this.stagedEnd = taken;
    this.stagedLive = taken;
  }

  /** Whether at least `atLeast` ids have a key of at most `maxKey` (a walk of the tree's due top, stopped there). */
  private manyDue(maxKey: number, atLeast: number): boolean {
    const { keys } = this;
    if (this.stack.length < this.count) this.stack = new Int32Array(this.heap.length);
    const stack = this.stack;
    let top = 0;
    let found = 0;
    stack[top++] = 0;
    while (top > 0) {
      const i = stack[--top] as number;
      if (i >= this.count || (keys[i] as number) > maxKey) continue;
      if (++found >= atLeast) return true;
      stack[top++] = 2 * i + 1;
      stack[top++] = 2 * i + 2;
    }
    return false;
  }

  /** Sorts the first `n` staged ids by (key, id) when their keys differ. */
  private sortStaged(n: number): void {
    const { staged, stagedKeys } = this;
    const order = Array.from({ length: n }, (_, i) => i);
    order.sort((a, b) => (stagedKeys[a] as number) - (stagedKeys[b] as number) || (staged[a] as number) - (staged[b] as number));
    const ids = order.map((i) => staged[i] as number);
    const keys = order.map((i) => stagedKeys[i] as number);
    for (let i = 0; i < n; i++) {
      staged[i] = ids[i] as number;
      stagedKeys[i] = keys[i] as number;
    }
  }

  /** Removes the staged id at `staged[i]` (see {@link IndexedMinHeap.stageDue}). */
  private unstage(i: number): void {
    this.pos[this.staged[i] as number] = -1;
    this.staged[i] = -1;
    if (--this.stagedLive === 0) {
      this.stagedHead = 0;
      this.stagedEnd = 0;
      return;
    }
    while (this.stagedHead < this.stagedEnd && (this.staged[this.stagedHead] as number) < 0) this.stagedHead++;
  }

  /** The id at tree position `i` (`0` is the root, children of `i` at `2i+1`, `2i+2`; staged ids are not in the tree), or `-1`. */
  at(i: number): number {
    return i < this.count ? (this.heap[i] as number) : -1;
  }

  /** The key at heap position `i` (see {@link IndexedMinHeap.at}), or `Infinity`. */
  keyAt(i: number): number {
    return i < this.count ? (this.keys[i] as number) : Infinity;
  }

  /** The key of `id`, or `undefined` when it is not in the heap. */
  keyOf(id: number): number | undefined {
    if (!this.has(id)) return undefined;
    const p = this.pos[id] as number;
    return p >= 0 ? this.keys[p] : this.stagedKeys[-2 - p];
  }

  /**
   * The smallest key whose id `skip` does not reject, or `Infinity`; without `skip`, the root's.
   *
   * @remarks
   * Walks down from the root only through skipped nodes: a kept node's subtree cannot beat it,
   * so a few skipped ids cost a few steps, not a scan of the heap.
   */
  earliestKey(skip?: (id: number) => boolean): number {
    if (skip === undefined) return this.peekKey();
    let best = Infinity;
    for (let i = this.stagedHead; i < this.stagedEnd; i++) {
      const id = this.staged[i] as number;
      if (id >= 0 && !skip(id)) {
        best = this.stagedKeys[i] as number;
        break;
      }
    }
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
    return id < this.pos.length && (this.pos[id] as number) !== -1;
  }

  /** Inserts `id` with `key`, or re-keys it in place when present. */
  set(id: number, key: number): void {
    if (id >= this.pos.length) this.growPos(id + 1);
    if ((this.pos[id] as number) < -1) this.unstage(-2 - (this.pos[id] as number));
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
    if (i < -1) {
      this.unstage(-2 - i);
      return;
    }
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
