import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { IsolatedExecutor, type AttemptHandle } from './isolated-executor.js';
import { ExecutorWorkerMissingError } from '../errors.js';
import type { ScheduleDefinition, SchedulePolicy } from '../stores/store.js';

describe('an attempt its executor cannot start', () => {
  const policy: SchedulePolicy = { misfireGraceTimeMs: null, coalesce: 'latest', maxCatchUp: 1, maxInstances: 1, overlap: 'skip', jitterMs: 0, timeoutMs: null, retries: 0, retryDelayMs: 0, recover: false };
  const definition: ScheduleDefinition = { id: 'broken', owner: 'app', trigger: { type: 'interval', everyMs: 60_000 }, policy, args: [] };
  const target = { executor: 'process' as const, module: 'file:///jobs.mjs', export: 'default', env: [] };
  const missing = (): ExecutorWorkerMissingError => new ExecutorWorkerMissingError('workers/process-child.mjs is missing');

  /** An executor whose attempts fail to start the way `begin` says (no timeout: a hang would never end). */
  function executor(begin: () => AttemptHandle): IsolatedExecutor {
    return new (class extends IsolatedExecutor {
      protected begin(): AttemptHandle {
        return begin();
      }
      async close(): Promise<void> {}
    })({ logger: pino({ level: 'silent' }), backoff: () => 0 });
  }

  it.each([
    ['begin() throws', () => { throw missing(); }],
    ['its done rejects', (): AttemptHandle => ({ done: Promise.reject(missing()), kill: () => undefined, signal: () => undefined })],
  ])('ends the run as failed with the coded error when %s', async (_, begin) => {
    const outcome = await executor(begin).start(definition, { fn: () => undefined, target }, Date.now());
    expect(outcome.status).toBe('failed');
    expect(outcome.attempts).toBe(1);
    expect((outcome.error as { code?: string }).code).toBe('XCORE_ERR_EXECUTOR_WORKER_MISSING');
  });

  it('wraps an uncoded error in XCORE_ERR_JOB_CRASHED naming the job and attempt', async () => {
    const outcome = await executor(() => { throw new Error('spawn EINVAL'); }).start(definition, { fn: () => undefined, target }, Date.now());
    expect(outcome.status).toBe('failed');
    expect((outcome.error as Error).message).toBe('Job "broken" attempt 1: executor "process" could not start it (spawn EINVAL).');
    expect((outcome.error as { code?: string }).code).toBe('XCORE_ERR_JOB_CRASHED');
  });
});
