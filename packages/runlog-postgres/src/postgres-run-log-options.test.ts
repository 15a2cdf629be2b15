import { describe, expect, it } from 'vitest';
import { resolveOptions } from './postgres-run-log-options.js';
import { PostgresRunLog } from './postgres-run-log.js';

describe('PostgresRunLog options', () => {
  it('fills the defaults and names the database without its password', () => {
    const o = resolveOptions({ url: 'postgres://app:s3cret@db.internal:6432/runs?sslmode=require' });
    expect(o).toMatchObject({
      schema: 'xcore', batchSize: 2000, flushMs: 200, queueLimit: 50_000, retention: 30 * 86_400_000, retentionIntervalMs: 600_000,
      retentionBatchSize: 5_000, statementTimeoutMs: 15_000, connectTimeoutMs: 5_000, poolMax: 3, target: 'db.internal:6432/runs',
    });
    expect(JSON.stringify(o.target)).not.toContain('s3cret');
    expect(resolveOptions({ url: 'postgresql://h/db' }).target).toBe('h:5432/db');
  });

  it('refuses each bad option with XCORE_ERR_RUNLOG_POSTGRES_OPTIONS_INVALID naming it, before connecting', () => {
    const url = 'postgres://u@127.0.0.1/db';
    const bad: [string, Record<string, unknown>][] = [
      ['url', { url: 'mysql://u@h/db' }],
      ['url', { url: 'not a url' }],
      ['url', { url: undefined }],
      ['schema', { url, schema: 'Has-Caps' }],
      ['schema', { url, schema: 'x"; DROP TABLE y; --' }],
      ['batchSize', { url, batchSize: 0 }],
      ['queueLimit', { url, batchSize: 100, queueLimit: 100 }],
      ['retention', { url, retention: -1 }],
      ['retention', { url, retention: Number.POSITIVE_INFINITY }],
      ['flushMs', { url, flushMs: 1.5 }],
      ['poolMax', { url, poolMax: 0 }],
      ['statementTimeoutMs', { url, statementTimeoutMs: 0 }],
      ['retryMaxMs', { url, retryBaseMs: 1000, retryMaxMs: 10 }],
    ];
    for (const [option, options] of bad) {
      let thrown: unknown;
      try {
        new PostgresRunLog(options as never);
      } catch (error) {
        thrown = error;
      }
      expect(thrown, JSON.stringify(options)).toMatchObject({ code: 'XCORE_ERR_RUNLOG_POSTGRES_OPTIONS_INVALID' });
      expect((thrown as Error).message).toContain(option);
    }
  });
});
