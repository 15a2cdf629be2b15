/**
 * Runs the real, built `xcore` binary in a child process and watches its JSON log lines.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';

/** Absolute path of the built CLI entry (`pnpm build` creates it; `pnpm test` builds first). */
export const XCORE_BIN = fileURLToPath(new URL('../../packages/cli/dist/bin.js', import.meta.url));

/** A running `xcore` child process. */
export interface XcoreProcess {
  readonly child: ChildProcessWithoutNullStreams;
  /** Every stdout line so far, parsed when JSON. */
  readonly lines: Array<Record<string, unknown>>;
  readonly stderr: () => string;
  /** Resolves with the first log line matching `predicate` (rejects after `timeoutMs`). */
  waitFor(predicate: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Resolves with the exit code (or 128 + signal number when killed). */
  readonly exited: Promise<number>;
}

/** Starts `node dist/bin.js ...args` in `cwd`. */
export function runXcore(args: readonly string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): XcoreProcess {
  if (!existsSync(XCORE_BIN)) throw new Error(`${XCORE_BIN} is missing: run \`pnpm build\` first (\`pnpm test\` does).`);
  const child = spawn(process.execPath, [XCORE_BIN, ...args], {
    cwd: options.cwd,
    env: { ...process.env, ...options.env, FORCE_COLOR: '0' },
  });
  const lines: Array<Record<string, unknown>> = [];
  const waiters: Array<{ predicate: (line: Record<string, unknown>) => boolean; resolve: (line: Record<string, unknown>) => void }> = [];
  let buffer = '';
  let errText = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    buffer += chunk;
    let newline: number;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      const text = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      let line: Record<string, unknown>;
      try {
        line = JSON.parse(text) as Record<string, unknown>;
      } catch {
        line = { raw: text };
      }
      lines.push(line);
      for (const waiter of [...waiters]) {
        if (waiter.predicate(line)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(line);
        }
      }
    }
  });
  child.stderr.on('data', (chunk: string) => (errText += chunk));
  const exited = new Promise<number>((resolve) => {
    child.on('exit', (code, signal) => resolve(code ?? 128 + (signal === null ? 0 : constants.signals[signal])));
  });
  return {
    child,
    lines,
    stderr: () => errText,
    exited,
    waitFor(predicate, timeoutMs = 15_000) {
      const seen = lines.find(predicate);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          reject(new Error(`no matching log line within ${timeoutMs} ms; stdout:\n${lines.map((l) => JSON.stringify(l)).join('\n')}\nstderr:\n${errText}`));
        }, timeoutMs);
        waiters.push({ predicate, resolve: (line) => (clearTimeout(timer), resolve(line)) });
        void exited.then(() => {
          clearTimeout(timer);
          reject(new Error(`xcore exited before a matching log line; stdout:\n${lines.map((l) => JSON.stringify(l)).join('\n')}\nstderr:\n${errText}`));
        });
      });
    },
  };
}

/** What a finished `xcore` command printed and its exit code. */
export interface XcoreResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `node dist/bin.js ...args` to its end (a command such as `jobs ls`), with `XCORE_URL` and
 * `XCORE_TOKEN` taken only from `env` (never from the environment the tests run in).
 */
export function runXcoreCommand(args: readonly string[], options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<XcoreResult> {
  if (!existsSync(XCORE_BIN)) throw new Error(`${XCORE_BIN} is missing: run \`pnpm build\` first (\`pnpm test\` does).`);
  const { XCORE_URL: _url, XCORE_TOKEN: _token, ...inherited } = process.env;
  const child = spawn(process.execPath, [XCORE_BIN, ...args], { cwd: options.cwd, env: { ...inherited, FORCE_COLOR: '0', ...options.env } });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`xcore ${args.join(' ')} did not end within ${options.timeoutMs ?? 60_000} ms; stdout:\n${stdout}\nstderr:\n${stderr}`));
    }, options.timeoutMs ?? 60_000);
    // 'close', not 'exit': it comes once stdout and stderr were read to their end.
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? 128 + (signal === null ? 0 : constants.signals[signal]), stdout, stderr });
    });
  });
}
