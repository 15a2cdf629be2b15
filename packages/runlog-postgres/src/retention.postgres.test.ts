/**
 * Retention on a real PostgreSQL: only rows finished before `now - retention` go, in statements of
 * at most `retentionBatchSize` rows, on the sink's timer or on demand.
 */
import { describe, expect, it } from 'vitest';
import { logged, readAll, writeAll, T0 } from '../../scheduler/src/runlog/run-log-contract-fixtures.js';
import { postgresUnavailable, useTestDatabase } from '../../../test/helpers/postgres.js';
import { PostgresRunLog } from './postgres-run-log.js';

const skip = await postgresUnavailable();
const DAY = 86_400;

describe.skipIf(skip)('PostgresRunLog retention', () => {
  const db = useTestDatabase('retention');

  it('deletes only rows finished before now - retention, all of them, 7 rows per statement', async () => {
    const log = await PostgresRunLog.open({ url: db.url, schema: 'sweep', retention: 30 * DAY * 1000, retentionBatchSize: 7, flushMs: 5 });
    const now = T0 + 60 * DAY * 1000;
    const cutoff = 30 * DAY; // seconds after T0
    const old = Array.from({ length: 30 }, (_, i) => logged({ at: i * 3600 }));
    const edge = logged({ at: cutoff }); // finished exactly at the cutoff: kept
    const young = Array.from({ length: 5 }, (_, i) => logged({ at: cutoff + 1 + i, scheduled: 0 })); // scheduled long ago, finished recently: kept
    await writeAll(log, [...old, edge, ...young]);
    expect(await log.sweepRetention(now)).toBe(30);
    expect((await readAll(log)).map((r) => r.runId).sort()).toEqual([edge, ...young].map((r) => r.runId).sort());
    expect(log.stats().deletedByRetention).toBe(30);
    expect(await log.sweepRetention(now)).toBe(0);
    await log.close();
  });

  it('sweeps on its timer', async () => {
    const log = await PostgresRunLog.open({ url: db.url, schema: 'timer', retention: 3_600_000, retentionIntervalMs: 50, flushMs: 5 });
    // Finished two hours ago by the wall clock: expired under a one-hour retention.
    const stale = logged({ at: (Date.now() - T0) / 1000 - 7200 });
    const fresh = logged({ at: Math.floor((Date.now() - T0) / 1000) });
    await writeAll(log, [stale, fresh]);
    await expect.poll(async () => (await readAll(log)).map((r) => r.runId), { timeout: 10_000 }).toEqual([fresh.runId]);
    expect(log.stats().deletedByRetention).toBe(1);
    await log.close();
  });

  it('keeps every row with retention: null', async () => {
    const log = await PostgresRunLog.open({ url: db.url, schema: 'forever', retention: null, flushMs: 5 });
    await writeAll(log, [logged({ at: 0 })]);
    expect(await log.sweepRetention(T0 + 10_000 * DAY * 1000)).toBe(0);
    expect(await readAll(log)).toHaveLength(1);
    await log.close();
  });
});
