import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { workerFile } from './worker-files.js';
import { ExecutorWorkerMissingError } from '../errors.js';

const empty = mkdtempSync(join(tmpdir(), 'xcore-workers-'));
afterAll(() => rmSync(empty, { recursive: true, force: true }));

describe('workerFile', () => {
  it('finds both files of workers/ from the sources', () => {
    for (const name of ['thread-worker.mjs', 'process-child.mjs'] as const) expect(existsSync(workerFile(name))).toBe(true);
  });

  it('a missing file is a coded error naming the file, where it was looked for and what to do', () => {
    const from = pathToFileURL(join(empty, 'dist', 'index.js'));
    let thrown: unknown;
    try {
      workerFile('process-child.mjs', from);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ExecutorWorkerMissingError);
    const error = thrown as ExecutorWorkerMissingError;
    expect(error.code).toBe('XCORE_ERR_EXECUTOR_WORKER_MISSING');
    expect(error.message).toContain('workers/process-child.mjs');
    expect(error.message).toContain(join(empty, 'workers', 'process-child.mjs'));
    expect(error.message).toContain('Reinstall @xcore/scheduler');
  });
});
