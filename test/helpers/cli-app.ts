/**
 * Temp apps for the `xcore` binary: a folder with an `xcore.yaml` and plugins, started in a child
 * process that the suite kills after each test.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach } from 'vitest';
import { runXcore, type XcoreProcess } from './cli-process.js';

/** A plugin folder to write: its manifest name, dependencies and the entry's source. */
export interface FixturePlugin {
  name: string;
  dependencies?: Record<string, string>;
  source: string;
}

/** JSON logs at info, as the tests read them. */
export const QUIET_LOGS = 'logging:\n  level: info\n  pretty: false\n';

/** Writes a temp app: `xcore.yaml`, `plugins/<name>` folders and other files (path relative to the app). */
export function writeApp(yaml: string, plugins: FixturePlugin[] = [], files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'xcore-cli-'));
  writeFileSync(join(dir, 'xcore.yaml'), yaml);
  for (const plugin of plugins) {
    const folder = join(dir, 'plugins', plugin.name);
    mkdirSync(join(folder, 'src'), { recursive: true });
    writeFileSync(
      join(folder, 'package.json'),
      JSON.stringify({
        name: plugin.name,
        version: '1.0.0',
        type: 'module',
        xcore: { name: plugin.name, entry: './src/index.ts', dependencies: plugin.dependencies ?? {} },
      }),
    );
    writeFileSync(join(folder, 'src', 'index.ts'), plugin.source);
  }
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

/** `test/.tmp/`: app folders there resolve the repository's node_modules (a plugin can import `zod`). */
export const TEST_TMP = fileURLToPath(new URL('../.tmp/', import.meta.url));

const tempApps: string[] = [];

/** A fresh folder `test/.tmp/<prefix>XXXXXX`, removed after the calling suite when it calls {@link removeTempAppsAfterAll}. */
export function tempAppDir(prefix: string): string {
  mkdirSync(TEST_TMP, { recursive: true });
  const dir = mkdtempSync(join(TEST_TMP, prefix));
  tempApps.push(dir);
  return dir;
}

/** Removes the folders {@link tempAppDir} made, after the calling suite. */
export function removeTempAppsAfterAll(): void {
  afterAll(() => {
    for (const dir of tempApps.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
}

const running: XcoreProcess[] = [];

/** Kills what {@link start} started after each test of the calling suite. */
export function killAppsAfterEach(): void {
  afterEach(() => {
    for (const p of running.splice(0)) p.child.kill('SIGKILL');
  });
}

/** Runs `xcore start -c <dir>/xcore.yaml` (killed after the test when the suite calls {@link killAppsAfterEach}). */
export function start(dir: string, extraArgs: string[] = []): XcoreProcess {
  return track(runXcore(['start', '-c', join(dir, 'xcore.yaml'), ...extraArgs], { cwd: dir }));
}

/** Registers a process started otherwise, to be killed after the test. */
export function track(proc: XcoreProcess): XcoreProcess {
  running.push(proc);
  return proc;
}

/** The log line with `msg`, or `undefined`. */
export function lineWith(proc: XcoreProcess, msg: string): Record<string, unknown> | undefined {
  return proc.lines.find((l) => l.msg === msg);
}
