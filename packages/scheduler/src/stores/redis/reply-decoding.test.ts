import { describe, expect, it } from 'vitest';
import type { CommitItem } from '../store.js';
import { redisKeys } from './keys.js';
import { decodeAheadEntries, decodeCommitResults } from './reply-decoding.js';

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

describe('decodeAheadEntries', () => {
  it('decodes each committed schedule, with the occurrences it missed, for ASCII and UTF-8 ids (lengths in bytes)', () => {
    const packed = '3:a,b4:h1h25000,6000;3:é:4:h3h47000,9000,2,5000,6000;1:c0:8000,;';
    expect(decodeAheadEntries(packed)).toEqual([
      { id: 'a,b', hash: 'h1h2', scheduledAt: 5000, nextRunAt: 6000, missedCount: 0 },
      { id: 'é:', hash: 'h3h4', scheduledAt: 7000, nextRunAt: 9000, missedCount: 2, missed: { first: 5000, last: 6000 } },
      { id: 'c', hash: '', scheduledAt: 8000, nextRunAt: null, missedCount: 0 },
    ]);
    expect(() => decodeAheadEntries('1:a2:h1')).toThrow(expect.objectContaining({ code: 'XCORE_ERR_REDIS_SCRIPT' }));
  });
});
