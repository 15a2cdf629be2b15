import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isXcoreError, PluginDuplicateError, type XcoreError } from '../errors.js';
import { readPluginManifest, type PluginManifest } from './manifest.js';

/**
 * Finds every plugin in `directory`: one sub-folder per plugin, each with a manifest.
 *
 * @remarks
 * Sub-folders (and symlinks to folders) are read in name order; hidden folders and `node_modules`
 * are ignored, and so are
 * folders that are not plugins (see {@link readPluginManifest}). A missing `directory` yields no
 * plugins (an app may have none). Returned sorted by plugin name.
 *
 * @throws `XCORE_ERR_PLUGIN_MANIFEST_INVALID` for a bad manifest, `XCORE_ERR_PLUGIN_DUPLICATE`
 * when two folders declare the same name.
 */
export function discoverPlugins(directory: string): PluginManifest[] {
  const { manifests, problems } = scanPlugins(directory);
  if (problems.length > 0) throw problems[0]!.error;
  return manifests;
}

/** A plugin folder that could not be read as a plugin, with the manifest file it is about. */
export interface PluginFolderProblem {
  readonly file: string;
  readonly error: XcoreError;
}

/**
 * {@link discoverPlugins} that goes on past bad folders: the manifests it could read (a name
 * declared twice keeps its first folder) and every problem, for `xcore validate` and boot alike.
 */
export function scanPlugins(directory: string): { manifests: PluginManifest[]; problems: PluginFolderProblem[] } {
  const problems: PluginFolderProblem[] = [];
  if (!existsSync(directory)) return { manifests: [], problems };
  const byName = new Map<string, PluginManifest>();
  const folders = readdirSync(directory, { withFileTypes: true })
    .filter((entry) => !entry.name.startsWith('.') && entry.name !== 'node_modules')
    .filter((entry) => entry.isDirectory() || (entry.isSymbolicLink() && statSync(join(directory, entry.name), { throwIfNoEntry: false })?.isDirectory() === true))
    .map((entry) => entry.name)
    .sort();
  for (const folder of folders) {
    let manifest: PluginManifest | undefined;
    try {
      manifest = readPluginManifest(join(directory, folder));
    } catch (error) {
      if (!isXcoreError(error)) throw error;
      problems.push({ file: join(directory, folder, 'package.json'), error });
      continue;
    }
    if (manifest === undefined) continue;
    const existing = byName.get(manifest.name);
    if (existing !== undefined) {
      problems.push({ file: manifest.file, error: new PluginDuplicateError(manifest.name, existing.file, manifest.file) });
      continue;
    }
    byName.set(manifest.name, manifest);
  }
  const manifests = [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { manifests, problems };
}
