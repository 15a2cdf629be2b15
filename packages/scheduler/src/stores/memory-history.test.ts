import { describe, expect, it } from 'vitest';
import { RunHistory } from './memory-history.js';
import type { RunRecord } from './store.js';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const rec = (k: number, extra: Partial<RunRecord> = {}): RunRecord => ({
  jobId: 'j', scheduledAt: T0 + k * 1000, startedAt: T0 + k * 1000 + 1, finishedAt: T0 + k * 1000 + 2, status: 'succeeded', attempts: 1, owner: 'p1', ...extra,
});

describe('RunHistory', () => {
  it('keeps the newest `limit` records and returns them newest first', () => {
    const h = new RunHistory();
    for (let k = 0; k < 7; k++) h.push(rec(k), 3);
    expect(h.size).toBe(3);
    expect(h.newest('j', 10)).toEqual([rec(6), rec(5), rec(4)]);
    expect(h.newest('j', 2)).toEqual([rec(6), rec(5)]);
  });

  it('pushSucceeded records what push of the same succeeded record does, among records of other owners and errors', () => {
    const pushed = new RunHistory();
    const columns = new RunHistory();
    const records = [rec(0), rec(1, { owner: 'p2' }), rec(2), rec(3, { status: 'failed', error: 'boom' }), rec(4), rec(5)];
    for (const r of records) {
      pushed.push(r, 4);
      if (r.status === 'succeeded' && r.attempts === 1 && r.error === undefined) columns.pushSucceeded(r.scheduledAt, r.startedAt!, r.finishedAt!, r.owner!, 4);
      else columns.push(r, 4);
    }
    expect(columns.newest('j', 10)).toEqual(pushed.newest('j', 10));
    expect(columns.newest('j', 10)).toEqual([rec(5), rec(4), rec(3, { status: 'failed', error: 'boom' }), rec(2)]);
    expect(columns.written).toBe(6);
  });

  it('touchNext reads the storage the next push overwrites: the oldest record once the ring is full', () => {
    const h = new RunHistory();
    expect(h.touchNext()).toBe(0);
    for (let k = 0; k < 3; k++) h.push(rec(k), 3);
    expect(h.touchNext()).toBe(T0);
    h.push(rec(3), 3);
    expect(h.touchNext()).toBe(T0 + 1000);
  });

  it('round-trips every field: nulls, error, manual, missing owner, statuses and attempts', () => {
    const h = new RunHistory();
    const records: RunRecord[] = [
      { jobId: 'j', scheduledAt: T0, startedAt: null, finishedAt: null, status: 'skipped', attempts: 0, owner: 'p1', error: 'maxInstances (1) runs in progress' },
      { jobId: 'j', scheduledAt: T0 + 1, startedAt: T0 + 2, finishedAt: T0 + 9, status: 'failed', attempts: 4, owner: 'p2', error: 'boom', manual: true },
      { jobId: 'j', scheduledAt: T0 + 3, startedAt: null, finishedAt: null, status: 'aborted', attempts: 1, error: 'process died mid-run' },
      { jobId: 'j', scheduledAt: T0 + 4, startedAt: T0 + 4, finishedAt: T0 + 5, status: 'timed_out', attempts: 2, owner: 'p1', manual: false },
      { jobId: 'j', scheduledAt: T0 + 5, startedAt: null, finishedAt: null, status: 'missed', attempts: 0 },
    ];
    for (const r of records) h.push(r, 20);
    const out = h.newest('j', 20);
    expect(out).toStrictEqual([...records].reverse());
  });

  it('follows a changed limit: shrinking keeps the newest, growing keeps everything', () => {
    const h = new RunHistory();
    for (let k = 0; k < 5; k++) h.push(rec(k), 5);
    h.push(rec(5), 2);
    expect(h.newest('j', 10)).toEqual([rec(5), rec(4)]);
    h.push(rec(6), 4);
    h.push(rec(7), 4);
    h.push(rec(8), 4);
    expect(h.newest('j', 10)).toEqual([rec(8), rec(7), rec(6), rec(5)]);
  });

  it('rebuilds the newest record and the record newest at an earlier push', () => {
    const h = new RunHistory();
    expect(h.latest('j')).toBeNull();
    expect(h.pushedAt('j', 0)).toBeNull();
    for (let k = 0; k < 5; k++) h.push(rec(k), 3);
    expect(h.written).toBe(5);
    expect(h.latest('j')).toEqual(rec(4));
    expect(h.pushedAt('j', 5)).toEqual(rec(4));
    expect(h.pushedAt('j', 3)).toEqual(rec(2));
    expect(h.pushedAt('j', 2)).toBeNull();
    expect(h.pushedAt('j', 6)).toBeNull();
  });

  it('keeps each record\'s owner and error when they start to differ after shared-owner records, through wrap and resize', () => {
    const h = new RunHistory();
    const records = [
      rec(0), rec(1, { owner: undefined }), rec(2), rec(3, { status: 'failed', error: 'boom' }), rec(4, { owner: 'p2' }), rec(5),
    ];
    for (const r of records) h.push(r, 4);
    expect(h.newest('j', 10)).toStrictEqual([records[5], records[4], records[3], records[2]]);
    h.push(rec(6, { owner: 'p3' }), 6);
    expect(h.newest('j', 10)).toStrictEqual([rec(6, { owner: 'p3' }), records[5], records[4], records[3], records[2]]);
    const fresh = new RunHistory();
    fresh.push(rec(0, { owner: undefined }), 2);
    fresh.push(rec(1), 2);
    fresh.push(rec(2, { owner: 'p2' }), 2);
    expect(fresh.newest('j', 10)).toStrictEqual([rec(2, { owner: 'p2' }), rec(1)]);
  });
});
