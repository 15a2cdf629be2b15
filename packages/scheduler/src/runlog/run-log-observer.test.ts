/**
 * runLogObserver: what reaches a sink from the run path, and how much work is done there.
 */
import { describe, expect, it, vi } from 'vitest';
import type { EndedRun } from '../runner/run-observer.js';
import { MemoryRunLog } from './memory-run-log.js';
import type { RunLogInput } from './run-log-build.js';
import { runLogObserver } from './run-log-observer.js';

const now = Date.now();
const ended: EndedRun = {
  record: { jobId: 'billing:invoice', scheduledAt: now - 5, startedAt: now - 4, finishedAt: now, status: 'succeeded', attempts: 1, owner: 'proc-1' },
  jobOwner: 'billing',
  result: { count: 3 },
};

describe('runLogObserver', () => {
  it('hands a sink with writeRun the ended run itself: no record is built on the run path', () => {
    const sink = new MemoryRunLog();
    const writeRun = vi.fn<(input: RunLogInput) => void>();
    const write = vi.spyOn(sink, 'write');
    const observer = runLogObserver(Object.assign(sink, { writeRun }));
    observer.ended!(ended);
    expect(writeRun).toHaveBeenCalledTimes(1);
    expect(writeRun.mock.calls[0]![0]).toBe(ended);
    expect(write).not.toHaveBeenCalled();
  });

  it('gives a never-started run its decision time now, not when its record is built later', () => {
    const writeRun = vi.fn<(input: RunLogInput) => void>();
    const observer = runLogObserver(Object.assign(new MemoryRunLog(), { writeRun }));
    const before = Date.now();
    observer.ended!({ record: { ...ended.record, startedAt: null, finishedAt: null, status: 'skipped', attempts: 0 }, jobOwner: 'billing' });
    const input = writeRun.mock.calls[0]![0];
    expect(input.decidedAt).toBeGreaterThanOrEqual(before);
    expect(input.decidedAt).toBeLessThanOrEqual(Date.now());
  });

  it('builds and writes the record for a sink without writeRun', async () => {
    const sink = new MemoryRunLog();
    runLogObserver(sink).ended!(ended);
    const { records } = await sink.query();
    expect(records).toEqual([expect.objectContaining({ jobId: 'billing:invoice', owner: 'billing', result: { count: 3 }, process: 'proc-1' })]);
  });
});
