import { describe, expect, it } from 'vitest';
import { schedulerConfigSchema } from '../config/scheduler-config.js';
import { runLogConfigSchema } from './run-log-config.js';

const url = 'postgres://xcore@127.0.0.1:5432/app';

describe('services.scheduler.runLog', () => {
  it('fills the defaults and reads durations', () => {
    expect(runLogConfigSchema.parse({ backend: 'postgres', url })).toEqual({
      backend: 'postgres', url, schema: 'xcore', batchSize: 2000, flushMs: 200, retention: 30 * 86_400_000, queueLimit: 50_000,
    });
    expect(runLogConfigSchema.parse({ backend: 'postgres', url, flushMs: '1s', retention: '7d', schema: 'ops_log' })).toMatchObject({ flushMs: 1000, retention: 7 * 86_400_000, schema: 'ops_log' });
    expect(runLogConfigSchema.parse({ backend: 'postgres', url, retention: null }).retention).toBeNull();
  });

  it('is optional in services.scheduler and strict inside', () => {
    expect(schedulerConfigSchema.parse({}).runLog).toBeUndefined();
    expect(schedulerConfigSchema.parse({ runLog: { backend: 'postgres', url } }).runLog?.schema).toBe('xcore');
    expect(schedulerConfigSchema.safeParse({ runLog: { backend: 'postgres', url, batchsize: 10 } }).success).toBe(false);
  });

  it('refuses what would break the sink, at the key', () => {
    const bad: [Record<string, unknown>, string][] = [
      [{ backend: 'mysql', url }, 'backend'],
      [{ backend: 'postgres' }, 'url'],
      [{ backend: 'postgres', url: 'redis://127.0.0.1:6379' }, 'url'],
      [{ backend: 'postgres', url: 'postgres://' }, 'url'],
      [{ backend: 'postgres', url, schema: 'Public; drop' }, 'schema'],
      [{ backend: 'postgres', url, batchSize: 0 }, 'batchSize'],
      [{ backend: 'postgres', url, flushMs: 0 }, 'flushMs'],
      [{ backend: 'postgres', url, retention: 30 }, 'retention'],
      [{ backend: 'postgres', url, batchSize: 1000, queueLimit: 1000 }, 'queueLimit'],
    ];
    for (const [input, key] of bad) {
      const result = runLogConfigSchema.safeParse(input);
      expect(result.success, JSON.stringify(input)).toBe(false);
      expect(result.error?.issues.map((i) => i.path.join('.'))).toContain(key);
    }
  });
});
