import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

describe('loadRunLogSink', () => {
  it('loads the backend package installed in the app and hands it the section and the logger', async () => {
    const dir = appDir();
    const pkg = join(dir, 'node_modules', '@xcore', 'runlog-postgres');
    mkdirSync(pkg, { recursive: true });
    writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: '@xcore/runlog-postgres', type: 'module', exports: { '.': { default: './index.js' } } }));
    writeFileSync(join(pkg, 'index.js'), 'export async function createRunLogSink(options) { return { fake: true, options }; }\n');
    const logger = { warn() {}, error() {} };
    const sink = (await loadRunLogSink(config, { configFile: join(dir, 'xcore.yaml'), logger })) as unknown as { fake: boolean; options: unknown };
    expect(sink.fake).toBe(true);
    expect(sink.options).toEqual({ ...config, logger });
  });

  it('says to install @xcore/runlog-postgres when the app does not have it', async () => {
    const error = await loadRunLogSink(config, { configFile: join(appDir(), 'xcore.yaml') }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'XCORE_ERR_RUNLOG_BACKEND_MISSING' });
    expect((error as Error).message).toContain('pnpm add @xcore/runlog-postgres');
  });

  it('tells a broken install (a dependency missing inside the package) from a missing package', async () => {
    const inner = Object.assign(new Error("Cannot find package 'pg' imported from /app/node_modules/@xcore/runlog-postgres/dist/index.js"), { code: 'ERR_MODULE_NOT_FOUND' });
    const error = await loadRunLogSink(config, { importModule: () => Promise.reject(inner) }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'XCORE_ERR_RUNLOG_BACKEND_INVALID', cause: inner });
    expect((error as Error).message).toContain("Cannot find package 'pg'");
  });

  it('refuses a package without createRunLogSink', async () => {
    await expect(loadRunLogSink(config, { importModule: async () => ({ somethingElse: 1 }) })).rejects.toMatchObject({ code: 'XCORE_ERR_RUNLOG_BACKEND_INVALID' });
  });
});
