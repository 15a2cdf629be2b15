/**
 * Errors read once through the real `xcore` binary: a plugin whose `onStart` throws with a cause
 * chain is logged with each cause's text once, the first frame in the plugin's own file named
 * (`err.at`), and no stack unless `--debug` or `XCORE_DEBUG=1`.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { killAppsAfterEach, start, writeApp } from './helpers/cli-app.js';
import type { XcoreProcess } from './helpers/cli-process.js';

killAppsAfterEach();

const SOURCE = [
  'function connect() {',
  "  throw Object.assign(new Error('connection refused by db.example:5432'), { code: 'ECONNREFUSED' });",
  '}',
  'export default {',
  '  async onStart() {',
  '    try {',
  '      connect();',
  '    } catch (cause) {',
  "      throw new Error('cannot open the sync connection', { cause });",
  '    }',
  '  },',
  '};',
  '',
].join('\n');
const THROW_LINE = 9;

function app(failFast: boolean): string {
  const yaml = `logging:\n  level: info\n  pretty: false\nplugins:\n  enabled: [sync]\n  failFast: ${failFast}\n`;
  return writeApp(yaml, [{ name: 'sync', source: SOURCE }]);
}

/** Everything the process wrote, stdout and stderr. */
function output(proc: XcoreProcess): string {
  return proc.lines.map((line) => JSON.stringify(line)).join('\n') + '\n' + proc.stderr();
}

function occurrences(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

async function bootAndStop(proc: XcoreProcess): Promise<void> {
  await proc.waitFor((line) => line.msg === 'xcore started', 60_000);
  proc.child.kill('SIGTERM');
  await proc.exited;
}

describe('errors read once', () => {
  it('logs a failing onStart with each cause once, the plugin file:line first, and no stack', async () => {
    const dir = app(false);
    const proc = start(dir);
    await bootAndStop(proc);
    const text = output(proc);
    expect(occurrences(text, 'connection refused by db.example:5432'), text).toBe(1);
    const failed = proc.lines.find((line) => line.msg === 'plugin failed');
    // The boot summary lists each failed plugin with its own message (issue 10 point 2); the
    // error line itself says each part of the chain once.
    expect(occurrences(JSON.stringify(failed), 'cannot open the sync connection'), text).toBe(1);
    const err = failed?.err as Record<string, unknown> | undefined;
    expect(err?.at, text).toMatch(new RegExp(`^${join(dir, 'plugins', 'sync', 'src', 'index.ts').replaceAll('.', '\\.')}:${THROW_LINE}:\\d+$`));
    expect(String(err?.message)).toMatch(/cannot open the sync connection; caused by: connection refused by db\.example:5432/);
    expect(text).not.toMatch(/"stack"/);
    expect(text).not.toMatch(/\bat .*\(?(file:\/\/)?\/[^\s]+:\d+:\d+\)?\\n/);
  }, 90_000);

  it('with --debug, writes every stack of the chain', async () => {
    const proc = start(app(false), ['--debug']);
    await bootAndStop(proc);
    const err = proc.lines.find((line) => line.msg === 'plugin failed')?.err as Record<string, unknown> | undefined;
    expect(String(err?.stack)).toMatch(/caused by: Error: cannot open the sync connection/);
    expect(String(err?.stack)).toMatch(/caused by: Error: connection refused by db\.example:5432\n\s+at connect/);
  }, 90_000);

  it('with plugins.failFast, the fatal boot line does not repeat the plugin failure', async () => {
    const proc = start(app(true));
    expect(await proc.exited).toBe(1);
    const text = output(proc);
    expect(occurrences(text, 'connection refused by db.example:5432'), text).toBe(1);
    expect(proc.lines.some((line) => line.level === 60), text).toBe(true);
    expect(text).not.toMatch(/"stack"/);
  }, 90_000);
});
