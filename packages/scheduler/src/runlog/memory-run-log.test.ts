import { describe, expect, it } from 'vitest';
import { MemoryRunLog } from './memory-run-log.js';
import { describeRunLogContract } from './run-log-contract.js';
import { ids, logged, newestFirst, readAll } from './run-log-contract-fixtures.js';

describeRunLogContract('MemoryRunLog', async () => {
  const sink = new MemoryRunLog();
  return { sink, teardown: () => sink.close() };
});

describe('MemoryRunLog', () => {
  it('keeps the newest `capacity` records written, evicting the oldest written', async () => {
    const log = new MemoryRunLog({ capacity: 3 });
    const records = Array.from({ length: 5 }, (_, i) => logged({ at: i + 1 }));
    for (const r of records) log.write(r);
    expect(ids(await readAll(log))).toEqual(ids(newestFirst(records.slice(2))));
    expect(log.stats().written).toBe(5);
  });

  it('refuses a capacity outside 1..1000000 with XCORE_ERR_RUNLOG_OPTIONS_INVALID', () => {
    for (const capacity of [0, -1, 1.5, 2_000_000, Number.NaN]) {
      expect(() => new MemoryRunLog({ capacity })).toThrow(expect.objectContaining({ code: 'XCORE_ERR_RUNLOG_OPTIONS_INVALID' }));
    }
  });
});
