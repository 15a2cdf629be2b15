/**
 * The config path end to end: `services.scheduler.runLog` parsed by the scheduler's schema, the
 * package found from the app's folder and loaded by `loadRunLogSink` (the built `dist/`, as an app
 * would load it), a real database written and read.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadRunLogSink, runLogConfigSchema } from '@xcore/scheduler';
import { logged, readAll, writeAll } from '../../scheduler/src/runlog/run-log-contract-fixtures.js';
import { postgresUnavailable, useTestDatabase } from '../../../test/helpers/postgres.js';

const skip = await postgresUnavailable();
// An app folder that depends on @xcore/runlog-postgres: the repository's test package.
const appConfigFile = fileURLToPath(new URL('../../../test/xcore.yaml', import.meta.url));

describe.skipIf(skip)('services.scheduler.runLog with backend postgres', () => {
  const db = useTestDatabase('config');

  it('loads @xcore/runlog-postgres from the app, migrates, and round-trips records', async () => {
    const config = runLogConfigSchema.parse({ backend: 'postgres', url: db.url, schema: 'from_config', flushMs: '10ms', retention: '7d' });
    const warnings: string[] = [];
    const sink = await loadRunLogSink(config, { configFile: appConfigFile, logger: { warn: (_o, m) => warnings.push(m), error: (_o, m) => warnings.push(m) } });
    const records = [logged({ at: 1, outcome: 'failed', error: new Error('x') }), logged({ at: 2 })];
    await writeAll(sink, records);
    expect((await readAll(sink, { outcome: 'failed' })).map((r) => r.runId)).toEqual([records[0]!.runId]);
    await sink.close();
    const migrations = await db.sql<{ name: string }>('SELECT name FROM from_config.run_log_migrations');
    expect(migrations.rows.map((r) => r.name)).toEqual(['001_create_run_log.sql', '002_executor_outcomes.sql', '003_fewer_indexes.sql']);
    expect(warnings).toEqual([]);
  });

  it('fails at boot with the coded error when the credentials are refused', async () => {
    const url = new URL(db.url);
    url.username = 'xcore_no_such_role';
    const config = runLogConfigSchema.parse({ backend: 'postgres', url: url.toString() });
    await expect(loadRunLogSink(config, { configFile: appConfigFile })).rejects.toMatchObject({ code: 'XCORE_ERR_RUNLOG_POSTGRES_CONNECT' });
  });
});
