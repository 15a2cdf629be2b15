import { describe, expect, it } from 'vitest';
import type { CommitItem } from '../store.js';
import { redisKeys } from './keys.js';
import { decodeCommitResults } from './reply-decoding.js';

const item = (id: string, slots = false): CommitItem => ({
  id, token: 1, fire: [1000, 2000], missedCount: 0, nextRunAt: 3000, ...(slots ? { slots: { max: 1, leaseMs: 1000 } } : {}),
});

describe('decodeCommitResults', () => {
  it('decodes one word per item: accepted occurrences, run ids from the owner, slotted or not', () => {
    const keys = redisKeys('p');
    const bad: string[] = [];
    const items = [item('a'), item('b', true), item('c', true), item('d'), item('e'), item('f', true), item('g')];
    const results = decodeCommitResults(items, 'o,1000,2000 o,1000+,2000- o s m cj o', 'w@1', keys, (key) => bad.push(key));
    expect(results).toEqual([
      { id: 'a', ok: true, accepted: [1000, 2000] },
      { id: 'b', ok: true, accepted: [1000, 2000], runs: [{ runId: '1000@w@1', slotted: true }, { runId: '2000@w@1', slotted: false }] },
      { id: 'c', ok: true, accepted: [], runs: [] },
      { id: 'd', ok: false, reason: 'stale' },
      { id: 'e', ok: false, reason: 'missing' },
      { id: 'f', ok: false, reason: 'corrupt' },
      { id: 'g', ok: true, accepted: [] },
    ]);
    expect(bad).toEqual([keys.jobSlots('f')]);
    expect(decodeCommitResults([item('x')], 'cs', 'w', keys, (key) => bad.push(key))).toEqual([{ id: 'x', ok: false, reason: 'corrupt' }]);
    expect(bad).toEqual([keys.jobSlots('f'), keys.schedule('x')]);
    expect(decodeCommitResults([item('y')], '', 'w', keys, () => {})).toEqual([{ id: 'y', ok: false, reason: 'missing' }]);
  });
});
