/**
 * Runs one measurement (child.mjs) in a fresh Node process with a hard timeout, and turns every
 * way it can end (result, error, crash, out of memory, timeout) into a result object, so a
 * library that fails at some N is reported, never hidden.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CHILD = fileURLToPath(new URL('../child.mjs', import.meta.url));
const STDERR_TAIL = 4096;

/**
 * @param {{ lib: string, n: number, kind: string, seconds: number, warmup: number,
 *   phase?: 'spread' | 'registration' | 'burst', timeoutMs: number, maxOldSpaceMb: number }} opts
 * @returns {Promise<object>}
 */
export function runChild({ lib, n, kind, seconds, warmup, phase = 'spread', timeoutMs, maxOldSpaceMb }) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = fork(CHILD, [lib, String(n), kind, String(seconds), String(warmup), phase], {
      execArgv: ['--expose-gc', `--max-old-space-size=${maxOldSpaceMb}`],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    let stderr = '';
    let result = null;
    let stage = 'starting';
    let timedOut = false;
    child.stderr.on('data', (d) => {
      stderr = (stderr + d).slice(-STDERR_TAIL);
    });
    child.on('message', (m) => {
      if (m && m.stage) stage = m.stage;
      else result = m;
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      const wallMs = Date.now() - started;
      const base = { lib, n, kind, seconds, warmup, wallMs, stage };
      if (result && result.status === 'ok') return resolve({ ...result, wallMs });
      if (timedOut) return resolve({ ...base, status: 'timeout', error: `killed after ${Math.round(timeoutMs / 1000)} s while ${stage}` });
      if (/heap out of memory|Allocation failed/i.test(stderr)) {
        return resolve({ ...base, status: 'oom', error: `out of memory while ${stage} (--max-old-space-size=${maxOldSpaceMb})` });
      }
      if (result) return resolve({ ...base, ...result, wallMs, stderr: stderr.slice(-1000) });
      resolve({ ...base, status: 'crash', error: `exited with ${signal ?? `code ${code}`} while ${stage}`, stderr: stderr.slice(-1000) });
    });
  });
}
