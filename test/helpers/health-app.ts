/**
 * A small app for the health suites, started with the real, built `xcore start`: the http
 * service on a free port with one `read` token, the scheduler (memory or Redis) and the plugins
 * given as sources.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { call, type Answer } from '../../packages/http/src/http.fixtures.js';
import { tempAppDir } from './cli-app.js';
import { runXcore, type XcoreProcess } from './cli-process.js';

/** The token of the `read` scope (what `/health` needs). */
export const READ_TOKEN = 'health-suite-read-0123456789abcdef';

/** A plugin of the app: its entry source and manifest dependencies. */
export interface PluginSource {
  readonly source: string;
  readonly dependencies?: Readonly<Record<string, string>>;
}

/** Options of {@link writeHealthApp}. */
export interface HealthAppOptions {
  readonly plugins: Readonly<Record<string, PluginSource>>;
  /** `plugins.enabled`. @defaultValue every plugin */
  readonly enabled?: readonly string[];
  /** YAML of the `health` section's body (indented two spaces), if any. */
  readonly health?: string;
  /** Redis URL; memory when absent. */
  readonly redisUrl?: string;
  /** More YAML of the `services.scheduler` section (each line indented four spaces), if any. */
  readonly scheduler?: string;
}

/** Writes the app into a fresh temp folder (removed after a suite that calls `removeTempAppsAfterAll`) and returns it. */
export function writeHealthApp(options: HealthAppOptions): string {
  const dir = tempAppDir('health-');
  const scheduler = (options.redisUrl === undefined ? '    backend: memory' : `    backend: redis\n    url: ${options.redisUrl}\n    prefix: health-${process.pid}\n    pollMs: 500`) +
    (options.scheduler === undefined ? '' : `\n${options.scheduler.replace(/\n$/, '')}`);
  writeFileSync(
    join(dir, 'xcore.yaml'),
    `app:\n  name: health-fixture\n  shutdownTimeoutMs: 5s\nlogging:\n  level: info\n  pretty: false\n` +
      `plugins:\n  directory: ./plugins\n${options.enabled === undefined ? '' : `  enabled: [${options.enabled.join(', ')}]\n`}` +
      (options.health === undefined ? '' : `health:\n${options.health}`) +
      `services:\n  scheduler:\n${scheduler}\n  http:\n    enabled: true\n    port: 0\n    auth:\n      tokens:\n        - { id: reader, token: "${READ_TOKEN}", scopes: [read] }\n`,
  );
  for (const [name, plugin] of Object.entries(options.plugins)) {
    const folder = join(dir, 'plugins', name);
    mkdirSync(join(folder, 'src'), { recursive: true });
    writeFileSync(join(folder, 'package.json'), JSON.stringify({ name, version: '1.0.0', type: 'module', xcore: { name, entry: './src/index.ts', dependencies: plugin.dependencies ?? {} } }));
    writeFileSync(join(folder, 'src', 'index.ts'), plugin.source);
  }
  return dir;
}

/** A started app: the process and its base URL. */
export interface StartedHealthApp {
  readonly app: XcoreProcess;
  readonly url: string;
  /** GET `<url><path>`, with the read token for `/health`. */
  get(path: '/livez' | '/readyz' | '/health', token?: string): Promise<Answer>;
  /** Asks `path` until `accept` holds (each answer checked), or throws with the last answer after `timeoutMs`. */
  until(path: '/livez' | '/readyz' | '/health', accept: (answer: Answer) => boolean, timeoutMs?: number): Promise<Answer>;
}

/** Starts `xcore start` in `dir`; resolves once it logged `xcore started`. */
export async function startHealthApp(dir: string): Promise<StartedHealthApp> {
  const app = runXcore(['start', '-c', join(dir, 'xcore.yaml')], { cwd: dir });
  const listening = await app.waitFor((l) => l.msg === 'http listening', 30_000);
  await app.waitFor((l) => l.msg === 'xcore started', 30_000);
  const url = String(listening.url);
  const get = (path: string, token: string | undefined = path === '/health' ? READ_TOKEN : undefined): Promise<Answer> => call(`${url}${path}`, token === undefined ? {} : { token });
  return {
    app,
    url,
    get,
    async until(path, accept, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      let last: Answer | undefined;
      while (Date.now() < deadline) {
        last = await get(path).catch(() => undefined);
        if (last !== undefined && accept(last)) return last;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      throw new Error(`${path} never answered as expected within ${timeoutMs} ms; last answer: ${last === undefined ? 'none' : `${last.status} ${last.text}`}`);
    },
  };
}
