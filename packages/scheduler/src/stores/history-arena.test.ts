import { describe, expect, it } from 'vitest';
import { HistoryArena } from './history-arena.js';
import { RunHistory } from './memory-history.js';
import type { RunRecord } from './store.js';

const rec = (k: number): RunRecord => ({ jobId: 'j', scheduledAt: 1000 * k, startedAt: 1000 * k + 1, finishedAt: 1000 * k + 2, status: 'succeeded', attempts: 1, owner: 'p1' });

describe('HistoryArena', () => {
  it('hands out disjoint chunks, reuses a released chunk of the same size, and keeps contents when it grows', () => {
    const arena = new HistoryArena();
    const a = arena.alloc(600);
    const b = arena.alloc(600);
    expect([a, b]).toEqual([0, 600]);
    arena.data[a] = 7;
    arena.release(b, 600);
    expect(arena.alloc(8)).toBe(1200);
    expect(arena.alloc(600)).toBe(600);
    const c = arena.alloc(5000);
    expect(c).toBe(1208);
    expect(arena.data.length).toBeGreaterThanOrEqual(6208);
    expect(arena.data[a]).toBe(7);
  });

  it('keeps rings of several histories apart through growth, resize and dispose', () => {
    const arena = new HistoryArena();
    const h1 = new RunHistory(arena);
    const h2 = new RunHistory(arena);
    for (let k = 0; k < 300; k++) {
      h1.push(rec(k), 3);
      h2.push(rec(1000 + k), 5);
    }
    h1.push(rec(300), 400);
    expect(h1.newest('j', 10)).toEqual([rec(300), rec(299), rec(298), rec(297)]);
    expect(h2.newest('j', 2)).toEqual([rec(1299), rec(1298)]);
    h1.dispose();
    expect(h1.size).toBe(0);
    expect(h1.latest('j')).toBeNull();
    const h3 = new RunHistory(arena);
    h3.push(rec(5), 400);
    expect(h2.newest('j', 5)).toEqual([rec(1299), rec(1298), rec(1297), rec(1296), rec(1295)]);
    expect(h3.newest('j', 5)).toEqual([rec(5)]);
  });
});
