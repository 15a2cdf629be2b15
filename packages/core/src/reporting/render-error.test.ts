import { describe, expect, it } from 'vitest';
import { PluginHookFailedError, PluginStartFailedError } from '../errors.js';
import pino from 'pino';
import { createLogger } from '../logger/create-logger.js';
import { chainMessage, loggerErrorStacks, renderError, serializeError, userFrame, wantsErrorStacks } from './render-error.js';

/** An error whose stack is given: frames in xcore's own code, a dependency and the user's file. */
function withStack(message: string, frames: string[], cause?: unknown): Error {
  const error = new Error(message, cause === undefined ? undefined : { cause });
  error.stack = [`Error: ${message}`, ...frames.map((f) => `    at ${f}`)].join('\n');
  return error;
}

const XCORE_FRAME = `runHook (${new URL('../kernel/plugin-lifecycle.ts', import.meta.url).pathname}:10:5)`;

describe('renderError', () => {
  it('says each cause once: a cause the message already contains is not repeated', () => {
    const root = new Error('connection refused');
    const user = new Error('cannot sync', { cause: root });
    const wrapped = new PluginStartFailedError('sync', new PluginHookFailedError('sync', 'onStart', user));
    const text = chainMessage(wrapped);
    expect(text.split('cannot sync').length - 1).toBe(1);
    expect(text.split('connection refused').length - 1).toBe(1);
    expect(text).toMatch(/^Boot aborted \(plugins\.failFast\): plugin "sync" failed to start: Plugin "sync": onStart failed: cannot sync\..*; caused by: connection refused$/);
  });

  it('names the first frame in the user code, past xcore and dependency frames, searching causes', () => {
    const inner = withStack('boom', ['query (/app/node_modules/pg/lib/client.js:5:1)', 'syncAll (/app/plugins/sync/src/index.ts:12:11)', XCORE_FRAME]);
    const outer = withStack('wrapped', [XCORE_FRAME], inner);
    expect(userFrame(outer)).toBe('/app/plugins/sync/src/index.ts:12:11');
    expect(userFrame(withStack('x', ['file:///app/jobs/report.ts:3:7']))).toBe('/app/jobs/report.ts:3:7');
    expect(userFrame(withStack('x', [XCORE_FRAME, 'node:internal/process/task_queues:95:5']))).toBeUndefined();
  });

  it('puts the message first, the user frame on the next line, and stacks only with debug', () => {
    const error = withStack('boom', ['syncAll (/app/plugins/sync/src/index.ts:12:11)']);
    expect(renderError(error)).toBe('boom\n  at /app/plugins/sync/src/index.ts:12:11');
    expect(renderError(error, { debug: true })).toContain('Error: boom\n    at syncAll (/app/plugins/sync/src/index.ts:12:11)');
    const coded = new PluginHookFailedError('sync', 'onStart', error);
    expect(renderError(coded).split('\n')[0]).toBe('Plugin "sync": onStart failed: boom. [XCORE_ERR_PLUGIN_HOOK_FAILED]');
  });

  it('serialises for a log line: code and plain own fields kept, stack only with debug, a cycle of causes ends', () => {
    const a = new PluginHookFailedError('sync', 'onStart', 'x') as Error & { cause?: unknown };
    const b = new Error('b', { cause: a });
    a.cause = b;
    const out = serializeError(a) as Record<string, unknown>;
    expect(out).toMatchObject({ type: 'PluginHookFailedError', code: 'XCORE_ERR_PLUGIN_HOOK_FAILED', message: 'Plugin "sync": onStart failed: x; caused by: b' });
    expect(out.stack).toBeUndefined();
    expect(String((serializeError(a, { debug: true }) as Record<string, unknown>).stack)).toContain('caused by: Error: b');
    expect(serializeError('text')).toBe('text');
  });
});

describe('wantsErrorStacks', () => {
  it('is true when asked for, at debug or trace, or with XCORE_DEBUG; false otherwise', () => {
    const quiet = { env: {} };
    expect(['trace', 'debug', 'info', 'warn', 'silent'].map((level) => wantsErrorStacks(level, quiet))).toEqual([true, true, false, false, false]);
    expect(wantsErrorStacks('info', { ...quiet, debugErrors: true })).toBe(true);
    expect(wantsErrorStacks('info', { env: { XCORE_DEBUG: 'yes' } })).toBe(true);
    expect(wantsErrorStacks('info', { env: { XCORE_DEBUG: '0' } })).toBe(false);
  });
});

describe('loggerErrorStacks', () => {
  it('follows what createLogger decided, through child loggers, so a sandboxed plugin logs as its host does', () => {
    const sink = { write: () => undefined };
    const debug = createLogger({ level: 'info', pretty: false }, { debugErrors: true, destination: sink });
    const plain = createLogger({ level: 'info', pretty: false }, { debugErrors: false, destination: sink });
    expect(loggerErrorStacks(debug.child({ plugin: 'a' }).child({ job: 'b' }))).toBe(true);
    expect(loggerErrorStacks(plain.child({ plugin: 'a' }))).toBe(false);
    expect(loggerErrorStacks(createLogger({ level: 'debug', pretty: false }, { destination: sink }).child({}))).toBe(true);
    // A logger xcore did not make: its level decides.
    expect(loggerErrorStacks(pino({ level: 'trace' }, sink))).toBe(true);
  });
});
