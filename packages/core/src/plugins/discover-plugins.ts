import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PluginDuplicateError } from '../errors.js';
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
  if (!existsSync(directory)) return [];
  const byName = new Map<string, PluginManifest>();
  const folders = readdirSync(directory, { withFileTypes: true })
    .filter((entry) => !entry.name.startsWith('.') && entry.name !== 'node_modules')
    .filter((entry) => entry.isDirectory() || (entry.isSymbolicLink() && statSync(join(directory, entry.name), { throwIfNoEntry: false })?.isDirectory() === true))
    .map((entry) => entry.name)
    .sort();
  for (const folder of folders) {
    const manifest = readPluginManifest(join(directory, folder));
    if (manifest === undefined) continue;
    const existing = byName.get(manifest.name);
    if (existing !== undefined) throw new PluginDuplicateError(manifest.name, existing.file, manifest.file);
    byName.set(manifest.name, manifest);
  }
  return [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
