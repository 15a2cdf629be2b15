/**
 * Test fixtures for the kernel: real plugin folders in a temp directory and an inline config.
 *
 * @remarks
 * Folders are created under `packages/core/.tmp/` (git-ignored) so a plugin entry can import
 * `zod` through the package's own `node_modules`. Plugin entries record what they do in
 * `globalThis.__xcoreTrace`, which the tests read back.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import { parseConfigText } from '../config/load-config.js';
import type { LoadedConfig } from '../config/types.js';
import type { ServiceDefinition } from '../services/service.js';

const TMP_ROOT = fileURLToPath(new URL('../../.tmp/', import.meta.url));

/** A plugin folder to write: manifest fields and the entry's source text. */
export interface FixturePlugin {
  readonly name: string;
  readonly version?: string;
  readonly dependencies?: Record<string, string>;
  readonly source: string;
  /** Leave `"type": "module"` out of the manifest (Node then loads the `.ts` entry as CommonJS). */
  readonly commonJs?: boolean;
}

/** A temp app: its plugins folder and a way to remove it. */
export interface FixtureApp {
  readonly dir: string;
  readonly pluginsDir: string;
  writePlugin(plugin: FixturePlugin): void;
  /**
   * Loads an inline `xcore.yaml` whose `plugins.directory` is this app's plugins folder; `yaml` is
   * appended inside the `plugins:` map (lines 1-3 are `plugins:`, `directory:`, `hookTimeoutMs:`),
   * then `topLevel` at the top level (`services:` sections).
   */
  load(yaml?: string, services?: readonly ServiceDefinition[], topLevel?: string): LoadedConfig;
  cleanup(): void;
}

/** Creates a temp app with the given plugins. */
export function fixtureApp(plugins: readonly FixturePlugin[] = []): FixtureApp {
  mkdirSync(TMP_ROOT, { recursive: true });
  const dir = mkdtempSync(join(TMP_ROOT, 'kernel-'));
  const pluginsDir = join(dir, 'plugins');
  mkdirSync(pluginsDir);
  const app: FixtureApp = {
    dir,
    pluginsDir,
    writePlugin(plugin) {
      const folder = join(pluginsDir, plugin.name);
      mkdirSync(folder, { recursive: true });
      const manifest = {
        name: `@fixture/${plugin.name}`,
        version: plugin.version ?? '1.0.0',
        ...(plugin.commonJs === true ? {} : { type: 'module' }),
        xcore: { entry: './index.ts', dependencies: plugin.dependencies ?? {} },
      };
      writeFileSync(join(folder, 'package.json'), JSON.stringify(manifest, null, 2));
      writeFileSync(join(folder, 'index.ts'), plugin.source);
    },
    load(yaml = '', services = [], topLevel = '') {
      const timeout = yaml.includes('hookTimeoutMs') ? '' : '  hookTimeoutMs: 2000\n';
      const text = `plugins:\n  directory: ${JSON.stringify(pluginsDir)}\n${timeout}${yaml}${topLevel}`;
      return parseConfigText(text, join(dir, 'xcore.yaml'), { env: {}, services, prettyDefault: false });
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
  for (const plugin of plugins) app.writePlugin(plugin);
  return app;
}

/** Source of a plugin that traces its hooks as `<name>:<hook>`. */
export function tracingPlugin(name: string, extra = ''): string {
  return `const trace = (globalThis.__xcoreTrace ??= []);
export default {
  onLoad() { trace.push('${name}:load'); },
  onStart() { trace.push('${name}:start'); },
  onStop() { trace.push('${name}:stop'); },
  ${extra}
};
`;
}

/** The shared trace written by fixture plugins and services; cleared by {@link resetTrace}. */
export function trace(): string[] {
  const holder = globalThis as { __xcoreTrace?: string[] };
  return (holder.__xcoreTrace ??= []);
}

/** Empties the trace. */
export function resetTrace(): void {
  trace().length = 0;
}

/** A logger that keeps every line as an object, for asserting what was logged. */
export function memoryLogger(): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), lines };
}
