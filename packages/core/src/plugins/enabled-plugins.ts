/**
 * Which plugins an app runs: the manifests in `plugins.directory` that `plugins.enabled` names,
 * checked against the config file.
 */
import type { LoadedConfig } from '../config/types.js';
import { PluginConfigOrphanError, PluginNotFoundError } from '../errors.js';
import { discoverPlugins } from './discover-plugins.js';
import type { PluginManifest } from './manifest.js';

/**
 * The manifests of the enabled plugins, in `plugins.enabled` order (or as found for `'*'`).
 *
 * @throws `XCORE_ERR_PLUGIN_NOT_FOUND` at the line of an enabled name with no plugin folder;
 * `XCORE_ERR_PLUGIN_CONFIG_ORPHAN` at the line of a `plugins.config` section for no enabled plugin.
 */
export function enabledPlugins(loaded: LoadedConfig): PluginManifest[] {
  const { directory, enabled, config } = loaded.config.plugins;
  const found = discoverPlugins(directory);
  const byName = new Map(found.map((m) => [m.name, m]));
  const manifests =
    enabled === '*'
      ? found
      : enabled.map((name, i) => {
          const manifest = byName.get(name);
          if (manifest === undefined) throw new PluginNotFoundError(name, directory, [...byName.keys()], where(loaded, ['plugins', 'enabled', i]));
          return manifest;
        });
  const names = manifests.map((m) => m.name);
  for (const name of Object.keys(config)) {
    if (!names.includes(name)) throw new PluginConfigOrphanError(name, where(loaded, ['plugins', 'config', name]), [...names].sort());
  }
  return manifests;
}

/** `file:line:col` of a key path (the file alone when it is not written there). */
function where(loaded: LoadedConfig, path: readonly (string | number)[]): string {
  const at = loaded.locate(path);
  return at === undefined ? loaded.file : `${loaded.file}:${at.line}:${at.col}`;
}
