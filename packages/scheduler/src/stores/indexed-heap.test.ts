import { describe, expect, it } from 'vitest';
import { IndexedMinHeap, STAGE_MIN } from './indexed-heap.js';
import { seededRandom } from './random.fixtures.js';

describe('IndexedMinHeap', () => {
  it('pops ids with equal keys in id order, also after they are re-keyed together (a burst, second after second)', () => {
    const heap = new IndexedMinHeap();
    const rand = seededRandom(11);
    const ids = Array.from({ length: 200 }, (_, i) => i).sort(() => rand(3) - 1);
    for (const id of ids) heap.set(id, 1000);
    for (const id of [300, 301, 302]) heap.set(id, 500 + id);
    for (let second = 1; second <= 3; second++) {
      const popped: number[] = [];
      while (heap.peekKey() <= second * 1000) {
        const id = heap.peek();
        popped.push(id);
        heap.delete(id);
        if (id < 200) heap.set(id, (second + 1) * 1000);
      }
      expect(popped).toEqual(second === 1 ? [300, 301, 302, ...ids.toSorted((a, b) => a - b)] : ids.toSorted((a, b) => a - b));
    }
  });

  it('pops in key order through inserts, re-keys and deletes, growing past its initial capacity', () => {
    const heap = new IndexedMinHeap();
    const model = new Map<number, number>();
    const rand = seededRandom(7);
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

  it('earliestKey skips the ids it is told to and finds the smallest key among the rest', () => {
    const heap = new IndexedMinHeap();
    const rand = seededRandom(11);
    const keys = new Map<number, number>();
    for (let id = 0; id < 500; id++) {
      const key = rand(10_000);
      heap.set(id, key);
      keys.set(id, key);
    }
    expect(heap.earliestKey()).toBe(heap.peekKey());
    for (let round = 0; round < 20; round++) {
      const skipped = new Set<number>();
      // Skip the smallest few (the walk must go past them) and some at random.
      const bySize = [...keys].sort((a, b) => a[1] - b[1]);
      for (let i = 0; i < round * 3; i++) skipped.add(bySize[i]![0]);
      for (let i = 0; i < round * 5; i++) skipped.add(rand(500));
      const kept = [...keys].filter(([id]) => !skipped.has(id)).map(([, key]) => key);
      expect(heap.earliestKey((id) => skipped.has(id))).toBe(kept.length === 0 ? Infinity : Math.min(...kept));
    }
    expect(heap.earliestKey(() => true)).toBe(Infinity);
    expect(new IndexedMinHeap().earliestKey(() => false)).toBe(Infinity);
  });

  it('serves ids staged by stageDue in (key, id) order with the tree, through sets, deletes and re-keys of staged ids', () => {
    const heap = new IndexedMinHeap();
    const model = new Map<number, number>();
    const rand = seededRandom(5);
    const n = 4 * STAGE_MIN;
    /** The model's smallest (key, id). */
    const smallest = (): [number, number] | undefined => [...model].sort((a, b) => a[1] - b[1] || a[0] - b[0])[0];
    let staged = 0;
    for (let round = 0; round < 30; round++) {
      // A burst: most ids share one key (some repeated keys of earlier rounds stay below it).
      const due = 1000 * round;
      for (let id = 0; id < n; id++) {
        if (model.has(id) && rand(4) !== 0) continue;
        const key = rand(10) === 0 ? due - rand(500) : due;
        heap.set(id, key);
        model.set(id, key);
      }
      const before = heap.peekKey();
      heap.stageDue(due);
      if (heap.peekKey() !== before) throw new Error('stageDue changed the smallest key');
      staged++;
      // Take some in order, touching staged ids meanwhile: delete, re-key, re-add.
      for (let step = 0; step < n / 2; step++) {
        const r = rand(20);
        const id = rand(n);
        if (r === 0) {
          heap.delete(id);
          model.delete(id);
        } else if (r === 1) {
          const key = due + rand(3000) - 1500;
          heap.set(id, key);
          model.set(id, key);
        }
        const next = smallest();
        expect(heap.size).toBe(model.size);
        if (next === undefined) {
          expect(heap.peek()).toBe(-1);
          break;
        }
        expect([heap.peek(), heap.peekKey()]).toEqual(next);
        expect(heap.keyOf(id)).toBe(model.get(id));
        expect(heap.has(id)).toBe(model.has(id));
        if (step % 50 === 0) expect(heap.earliestKey((x) => x % 3 === 0)).toBe(Math.min(Infinity, ...[...model].filter(([x]) => x % 3 !== 0).map(([, k]) => k)));
        // Taken and given a next key a second later, as a fired schedule is.
        heap.delete(next[0]);
        heap.set(next[0], next[1] + 1000);
        model.set(next[0], next[1] + 1000);
      }
    }
    expect(staged).toBe(30);
    const popped: [number, number][] = [];
    while (heap.size > 0) {
      const id = heap.peek();
      popped.push([id, heap.keyOf(id)!]);
      heap.delete(id);
    }
    expect(popped).toEqual([...model].sort((a, b) => a[1] - b[1] || a[0] - b[0]));
  });
});
