/**
 * RunLogSink contract, filters: job id (exact), owner, outcome(s), manual, time ranges on either
 * time field (from inclusive, to exclusive), the order, and filters a sink must refuse.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { RunLogRecord } from './run-log-record.js';
import type { RunLogFilter, RunLogSink } from './run-log-sink.js';
import { T0, ids, logged, newestFirst, readAll, writeAll } from './run-log-contract-fixtures.js';

/** Registers the query tests; `sink()` is the running test's fresh sink. */
export function describeRunLogQueryContract(sink: () => RunLogSink): void {
  describe('query filters', () => {
    let all: RunLogRecord[];

    beforeEach(async () => {
      all = [
        logged({ jobId: 'billing:invoice', outcome: 'succeeded', at: 10, scheduled: 9 }),
        logged({ jobId: 'billing:invoice', outcome: 'failed', at: 20, scheduled: 5, error: new Error('smtp down') }),
        logged({ jobId: 'billing:invoice2', outcome: 'timed_out', at: 30, scheduled: 29 }),
        logged({ jobId: 'billing:reminder', outcome: 'succeeded', at: 40, scheduled: 39, manual: true, requestedBy: 'cli' }),
        logged({ jobId: 'reports:daily', outcome: 'aborted', at: 50, scheduled: 49 }),
        logged({ jobId: 'reports:daily', outcome: 'skipped', at: 60, scheduled: 60 }),
        logged({ jobId: 'prune', jobOwner: 'config', outcome: 'missed', at: 70, scheduled: 1, occurrences: 12 }),
        logged({ jobId: 'prune', jobOwner: 'config', outcome: 'succeeded', at: 80, scheduled: 79, manual: true }),
      ];
      await writeAll(sink(), all);
    });

    const expectSelects = async (filter: RunLogFilter, keep: (r: RunLogRecord) => boolean): Promise<void> => {
      const found = await readAll(sink(), filter);
      const field = filter.timeField ?? 'finishedAt';
      expect(ids(found), JSON.stringify(filter)).toEqual(ids(newestFirst(all.filter(keep), field)));
    };

    it('with no filter returns every record, newest finishedAt first', async () => {
      const { records, nextCursor } = await sink().query();
      expect(ids(records)).toEqual(ids(newestFirst(all)));
      expect(nextCursor).toBeNull();
    });

    it('by exact job id (not a prefix), by owner, and by both', async () => {
      await expectSelects({ jobId: 'billing:invoice' }, (r) => r.jobId === 'billing:invoice');
      await expectSelects({ owner: 'billing' }, (r) => r.owner === 'billing');
      await expectSelects({ owner: 'config' }, (r) => r.owner === 'config');
      await expectSelects({ owner: 'billing', jobId: 'reports:daily' }, () => false);
      await expectSelects({ jobId: 'nope' }, () => false);
    });

    it('by one outcome or any of several', async () => {
      await expectSelects({ outcome: 'succeeded' }, (r) => r.outcome === 'succeeded');
      await expectSelects({ outcome: ['failed', 'timed_out'] }, (r) => r.outcome === 'failed' || r.outcome === 'timed_out');
      await expectSelects({ outcome: ['missed', 'missed'] }, (r) => r.outcome === 'missed');
      await expectSelects({ jobId: 'reports:daily', outcome: 'skipped' }, (r) => r.jobId === 'reports:daily' && r.outcome === 'skipped');
    });

    it('by manual or scheduled', async () => {
      await expectSelects({ manual: true }, (r) => r.manual);
      await expectSelects({ manual: false }, (r) => !r.manual);
    });

    it('by finishedAt range: from inclusive, to exclusive, as ms, Date or ISO text', async () => {
      const inRange = (r: RunLogRecord): boolean => r.finishedAt >= T0 + 20_000 && r.finishedAt < T0 + 60_000;
      await expectSelects({ from: T0 + 20_000, to: T0 + 60_000 }, inRange);
      await expectSelects({ from: new Date(T0 + 20_000), to: new Date(T0 + 60_000).toISOString() }, inRange);
      await expectSelects({ from: T0 + 70_000 }, (r) => r.finishedAt >= T0 + 70_000);
      await expectSelects({ to: T0 + 10_001 }, (r) => r.finishedAt < T0 + 10_001);
    });

    it('by scheduledAt range, ordered by scheduledAt', async () => {
      await expectSelects({ timeField: 'scheduledAt', from: T0 + 5_000, to: T0 + 49_000 }, (r) => r.scheduledAt >= T0 + 5_000 && r.scheduledAt < T0 + 49_000);
      await expectSelects({ timeField: 'scheduledAt' }, () => true);
      await expectSelects({ timeField: 'scheduledAt', to: T0 + 6_000, outcome: ['missed', 'failed'] }, (r) => r.scheduledAt < T0 + 6_000);
    });

    it('refuses a bad filter with XCORE_ERR_RUNLOG_QUERY_INVALID naming the key', async () => {
      const bad: [string, unknown][] = [
        ['status', { status: 'failed' }],
        ['limit', { limit: 0 }],
        ['limit', { limit: 1001 }],
        ['limit', { limit: 2.5 }],
        ['outcome', { outcome: 'exploded' }],
        ['outcome', { outcome: [] }],
        ['from', { from: 'yesterday' }],
        ['from', { from: T0 + 10, to: T0 + 10 }],
        ['to', { to: Number.POSITIVE_INFINITY }],
        ['manual', { manual: 'yes' }],
        ['timeField', { timeField: 'startedAt' }],
        ['jobId', { jobId: '' }],
        ['owner', { owner: 7 }],
        ['cursor', { cursor: 'garbage' }],
        ['cursor', { cursor: '' }],
      ];
      for (const [key, filter] of bad) {
        const error = await sink().query(filter as RunLogFilter).then(() => undefined, (e: unknown) => e);
        expect(error, `${key}: ${JSON.stringify(filter)}`).toMatchObject({ code: 'XCORE_ERR_RUNLOG_QUERY_INVALID' });
        expect((error as Error).message).toContain(key);
      }
    });
  });
}
