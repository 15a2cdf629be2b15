/**
 * RunLogSink contract, keyset paging: pages cover every match once in order (ties on time included),
 * the last page says so, newer records arriving between pages shift nothing, and a cursor is bound
 * to its time field.
 */
import { describe, expect, it } from 'vitest';
import type { RunLogSink } from './run-log-sink.js';
import { ids, logged, newestFirst, writeAll } from './run-log-contract-fixtures.js';
import type { RunLogRecord } from './run-log-record.js';

/** Registers the paging tests; `sink()` is the running test's fresh sink. */
export function describeRunLogPagingContract(sink: () => RunLogSink): void {
  describe('paging', () => {
    it('pages of `limit` cover every match once, newest first, ties on time broken by runId', async () => {
      // 23 records on 6 distinct finish times: most pages cut through a group of equal times.
      const records = Array.from({ length: 23 }, (_, i) => logged({ at: 100 + (i % 6), outcome: i % 3 === 0 ? 'failed' : 'succeeded' }));
      await writeAll(sink(), records);
      const seen: RunLogRecord[] = [];
      const sizes: number[] = [];
      let cursor: string | null = null;
      do {
        const page = await sink().query({ limit: 5, ...(cursor === null ? {} : { cursor }) });
        sizes.push(page.records.length);
        seen.push(...page.records);
        cursor = page.nextCursor;
      } while (cursor !== null);
      expect(sizes).toEqual([5, 5, 5, 5, 3]);
      expect(ids(seen)).toEqual(ids(newestFirst(records)));
    });

    it('gives no cursor after a page that ends exactly at the last match', async () => {
      const records = Array.from({ length: 10 }, (_, i) => logged({ at: i + 1 }));
      await writeAll(sink(), records);
      const first = await sink().query({ limit: 5 });
      expect(first.nextCursor).not.toBeNull();
      const second = await sink().query({ limit: 5, cursor: first.nextCursor! });
      expect(ids(second.records)).toEqual(ids(newestFirst(records).slice(5)));
      expect(second.nextCursor).toBeNull();
      expect(await sink().query({ jobId: 'nobody' })).toEqual({ records: [], nextCursor: null });
    });

    it('pages a filtered query on scheduledAt, and newer records written between pages shift nothing', async () => {
      const older = Array.from({ length: 12 }, (_, i) => logged({ at: 200 + i, scheduled: 150 + (i % 4), outcome: i % 2 === 0 ? 'failed' : 'timed_out' }));
      await writeAll(sink(), [...older, logged({ at: 300, outcome: 'succeeded' })]);
      const filter = { timeField: 'scheduledAt', outcome: ['failed', 'timed_out'], limit: 4 } as const;
      const first = await sink().query(filter);
      // Newer runs (later scheduledAt) arrive: they sort before the cursor, so the next pages are unaffected.
      await writeAll(sink(), [logged({ at: 400, scheduled: 399, outcome: 'failed' }), logged({ at: 401, scheduled: 400, outcome: 'timed_out' })]);
      const rest: RunLogRecord[] = [];
      let cursor = first.nextCursor;
      while (cursor !== null) {
        const page = await sink().query({ ...filter, cursor });
        rest.push(...page.records);
        cursor = page.nextCursor;
      }
      expect(ids([...first.records, ...rest])).toEqual(ids(newestFirst(older, 'scheduledAt')));
    });

    it('refuses a cursor made for the other time field', async () => {
      await writeAll(sink(), Array.from({ length: 3 }, (_, i) => logged({ at: i + 1 })));
      const page = await sink().query({ limit: 1, timeField: 'scheduledAt' });
      await expect(sink().query({ cursor: page.nextCursor! })).rejects.toMatchObject({ code: 'XCORE_ERR_RUNLOG_QUERY_INVALID' });
    });
  });
}
