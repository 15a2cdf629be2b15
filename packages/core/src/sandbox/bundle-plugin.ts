/**
 * Bundles a sandboxed plugin's own source into one ES module the sandbox can import without a
 * TypeScript loader (tsx runs esbuild as a child process, which a sandbox may not start).
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { SandboxStartFailedError } from '../errors.js';

/** What {@link bundlePlugin} wrote. */
export interface PluginBundle {
  /** Absolute path of the bundled entry. */
  readonly file: string;
  /** `file:` URL of it, for `import()`. */
  readonly url: string;
  /** Package folders the bundle imports at run time (resolved from the plugin's folder). */
  readonly packageDirs: readonly string[];
}

/** The esbuild loader of a source file by its extension. */
function loaderOf(path: string): 'ts' | 'tsx' | 'js' | 'jsx' {
  if (path.endsWith('.tsx')) return 'tsx';
  if (path.endsWith('.jsx')) return 'jsx';
  return /\.[cm]?ts$/.test(path) ? 'ts' : 'js';
}

/** True for a folder right under `node_modules` (or a scope in it), or with a package.json that has a name. */
function isPackageRoot(dir: string): boolean {
  const parent = basename(dirname(dir));
  if (parent === 'node_modules' || (parent.startsWith('@') && basename(dirname(dirname(dir))) === 'node_modules')) return true;
  const manifest = join(dir, 'package.json');
  if (!existsSync(manifest)) return false;
  try {
    return typeof (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === 'string';
  } catch {
    return false;
  }
}

/** The folder of the package holding `file`: its nearest ancestor that is a package root. */
function packageDirOf(file: string, hasPackageJson: (dir: string) => boolean): string {
  let dir = dirname(file);
  for (;;) {
    if (hasPackageJson(dir)) return dir;
    const up = dirname(dir);
    if (up === dir) return dirname(file);
    dir = up;
  }
}

/**
 * Bundles `entry`'s own files (the relative imports, TypeScript included) into
 * `<outDir>/entry.mjs`; packages stay external and are imported by absolute path.
 *
 * @remarks
 * Bare imports (`@xcore/core`, `zod`) are resolved from the importing file as Node would and left
 * as imports of the resolved file, so the sandbox loads the same copy the plugin would in-process.
 * Dynamic imports of computed paths are not bundled and must point at files the sandbox may read.
 * The bundle has an inline source map, so stack traces name the plugin's own files, and
 * `import.meta.url` (`dirname`, `filename`) in the plugin's files still name those files.
 *
 * @throws `XCORE_ERR_SANDBOX_START_FAILED` when esbuild cannot bundle the entry (its messages quoted).
 */
export async function bundlePlugin(plugin: string, entry: string, outDir: string): Promise<PluginBundle> {
  const packageDirs = new Set<string>();
  const externals: Plugin = {
    name: 'xcore-sandbox-externals',
    setup(b) {
      b.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (args.path.startsWith('node:') || args.kind === 'entry-point') return undefined;
        if (args.pluginData === 'inner') return undefined;
        const resolved = await b.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: 'inner' });
        if (resolved.errors.length > 0) return { errors: resolved.errors };
        if (resolved.external || !resolved.path.startsWith('/')) return { path: args.path, external: true };
        packageDirs.add(packageDirOf(resolved.path, isPackageRoot));
        return { path: pathToFileURL(resolved.path).href, external: true };
      });
    },
  };
  // The bundle lives elsewhere than the sources: keep `import.meta.url` (and dirname, filename)
  // naming each source file, so `new URL('./template.html', import.meta.url)` still finds it.
  const sourceMeta: Plugin = {
    name: 'xcore-sandbox-import-meta',
    setup(b) {
      b.onLoad({ filter: /\.(?:[cm]?[jt]s|[jt]sx)$/ }, (args) => {
        if (args.path.includes(`${sep}node_modules${sep}`)) return undefined;
        const text = readFileSync(args.path, 'utf8');
        if (!text.includes('import.meta')) return undefined;
        const meta: Record<string, string> = { url: pathToFileURL(args.path).href, dirname: dirname(args.path), filename: args.path };
        const contents = text.replace(/\bimport\.meta\.(url|dirname|filename)\b/g, (_all, key: string) => JSON.stringify(meta[key]));
        return { contents, loader: loaderOf(args.path), resolveDir: dirname(args.path) };
      });
    },
  };
  const file = join(outDir, 'entry.mjs');
  mkdirSync(outDir, { recursive: true });
  try {
    await build({
      entryPoints: [entry],
      outfile: file,
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: `node${process.versions.node.split('.')[0]}`,
      sourcemap: 'inline',
      logLevel: 'silent',
      plugins: [externals, sourceMeta],
      banner: { js: `// xcore sandbox bundle of plugin "${plugin}" (${entry}); rebuilt at every start.` },
    });
  } catch (cause) {
    const errors = (cause as { errors?: { text: string; location?: { file: string; line: number } | null }[] }).errors;
    const text = errors?.map((e) => (e.location ? `${e.location.file}:${e.location.line}: ${e.text}` : e.text)).join('; ') ?? String(cause);
    throw new SandboxStartFailedError(plugin, `its entry ${entry} could not be bundled: ${text}`, { cause });
  }
  return { file, url: pathToFileURL(file).href, packageDirs: [...packageDirs] };
}
