import { describe, expect, it } from 'vitest';
import { IndexedMinHeap } from './indexed-heap.js';

describe('IndexedMinHeap', () => {
  it('pops in key order through inserts, re-keys and deletes, growing past its initial capacity', () => {
    const heap = new IndexedMinHeap();
    const model = new Map<number, number>();
    let seed = 7;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let i = 0; i < 5000; i++) {
      const id = rand(300);
      if (rand(5) === 0) {
        heap.delete(id);
        model.delete(id);
      } else {
        const key = rand(1000);
        heap.set(id, key);
        model.set(id, key);
      }
      if (i % 97 === 0 && model.size > 0) {
        const min = Math.min(...model.values());
        expect(heap.keyOf(heap.peek())).toBe(min);
        expect(heap.peekKey()).toBe(min);
        // Every node's key is its id's key and no smaller than its parent's.
        for (let p = 0; p < heap.size; p++) {
          expect(heap.keyAt(p)).toBe(model.get(heap.at(p)));
          if (p > 0) expect(heap.keyAt(p)).toBeGreaterThanOrEqual(heap.keyAt((p - 1) >> 1));
        }
      }
    }
    expect(heap.size).toBe(model.size);
    const popped: number[] = [];
    while (heap.size > 0) {
      const id = heap.peek();
      expect(heap.has(id)).toBe(true);
      popped.push(heap.keyOf(id)!);
      heap.delete(id);
      expect(heap.has(id)).toBe(false);
      expect(heap.keyOf(id)).toBeUndefined();
    }
    expect(popped).toEqual([...model.values()].sort((a, b) => a - b));
    expect(heap.peek()).toBe(-1);
    expect(heap.peekKey()).toBe(Infinity);
    expect(heap.at(0)).toBe(-1);
  });
});
