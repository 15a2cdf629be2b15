import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { loadRunLogSink } from './load-run-log-sink.js';
import { runLogConfigSchema } from './run-log-config.js';

const config = runLogConfigSchema.parse({ backend: 'postgres', url: 'postgres://u@127.0.0.1:1/db' });
const dirs: string[] = [];
function appDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'xcore-runlog-app-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** An app folder with a fake `@xcore/runlog-postgres` whose entry is `source`; returns its config file. */
function appWithBackend(source: string): string {
  const dir = appDir();
  const pkg = join(dir, 'node_modules', '@xcore', 'runlog-postgres');
  mkdirSync(pkg, { recursive: true });
  writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: '@xcore/runlog-postgres', type: 'module', exports: { '.': { default: './index.js' } } }));
  writeFileSync(join(pkg, 'index.js'), source);
  return join(dir, 'xcore.yaml');
}

describe('loadRunLogSink', () => {
  it('loads the backend package installed in the app and hands it the section and the logger', async () => {
    const configFile = appWithBackend('export async function createRunLogSink(options) { return { fake: true, options }; }\n');
    const logger = { warn() {}, error() {} };
    const sink = (await loadRunLogSink(config, { configFile, logger })) as unknown as { fake: boolean; options: unknown };
    expect(sink.fake).toBe(true);
    expect(sink.options).toEqual({ ...config, logger });
  });

  it('says to install @xcore/runlog-postgres when the app does not have it', () => {
    // In a fresh Node process on the built package, without NODE_PATH: `pnpm test` (like every pnpm
    // script) sets NODE_PATH to the workspace's hidden hoisting folder, where Node finds
    // @xcore/runlog-postgres from any folder at all.
    const script = `
      const { loadRunLogSink } = await import('@xcore/scheduler');
      const error = await loadRunLogSink(${JSON.stringify(config)}, { configFile: ${JSON.stringify(join(appDir(), 'xcore.yaml'))} }).catch((e) => e);
      process.stdout.write(JSON.stringify({ code: error?.code, message: error?.message }));`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
      env: { ...process.env, NODE_PATH: '' },
      encoding: 'utf8',
    });
    const error = JSON.parse(out) as { code: string; message: string };
    expect(error).toMatchObject({ code: 'XCORE_ERR_RUNLOG_BACKEND_MISSING' });
    expect(error.message).toContain('pnpm add @xcore/runlog-postgres');
  });

  it('tells a broken install (a dependency missing inside the package) from a missing package', async () => {
    const configFile = appWithBackend("import pg from 'pg-that-is-not-installed';\nexport const createRunLogSink = () => pg;\n");
    const error = await loadRunLogSink(config, { configFile }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'XCORE_ERR_RUNLOG_BACKEND_INVALID' });
    expect((error as Error).message).toContain('a dependency is missing');
    expect((error as Error).message).toContain('pg-that-is-not-installed');
  });

  it('refuses a package without createRunLogSink', async () => {
    const configFile = appWithBackend('export const somethingElse = 1;\n');
    await expect(loadRunLogSink(config, { configFile })).rejects.toMatchObject({ code: 'XCORE_ERR_RUNLOG_BACKEND_INVALID' });
  });
});
