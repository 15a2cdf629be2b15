/**
 * Builds throwaway apps with sandboxed and in-process plugins for the sandbox suites: each plugin
 * is a folder with a package.json and src/index.ts, its dependencies linked as pnpm would
 * (node_modules/<package> -> the copy the test package has).
 */
import { mkdirSync, mkdtempSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** One plugin of a test app. */
export interface TestPlugin {
  readonly name: string;
  /** Source of src/index.ts. */
  readonly source: string;
  /** `"sandbox": true` in the manifest. */
  readonly sandbox?: boolean;
  /** More files under the plugin folder (path to content). */
  readonly files?: Readonly<Record<string, string>>;
}

/** Creates an app folder with `xcore.yaml` and the given plugins; returns its path. */
export function sandboxApp(plugins: readonly TestPlugin[], yaml: string): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'xcore-sandbox-')));
  for (const plugin of plugins) {
    const folder = join(dir, 'plugins', plugin.name);
    mkdirSync(join(folder, 'src'), { recursive: true });
    const dependencies = { '@xcore/core': 'workspace:*', '@xcore/scheduler': 'workspace:*', '@xcore/http': 'workspace:*', zod: '^4.0.0' };
    writeFileSync(
      join(folder, 'package.json'),
      JSON.stringify({ name: plugin.name, version: '1.0.0', type: 'module', xcore: { name: plugin.name, ...(plugin.sandbox ? { sandbox: true } : {}) }, dependencies }, null, 2),
    );
    writeFileSync(join(folder, 'src', 'index.ts'), plugin.source);
    for (const [path, content] of Object.entries(plugin.files ?? {})) {
      mkdirSync(dirname(join(folder, path)), { recursive: true });
      writeFileSync(join(folder, path), content);
    }
    for (const name of Object.keys(dependencies)) {
      const at = join(folder, 'node_modules', name);
      mkdirSync(dirname(at), { recursive: true });
      symlinkSync(realpathSync(join(ROOT, 'test', 'node_modules', name)), at, 'dir');
    }
  }
  writeFileSync(join(dir, 'xcore.yaml'), yaml);
  return dir;
}

/** True while a process with `pid` exists. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
